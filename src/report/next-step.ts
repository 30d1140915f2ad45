/**
 * The next step for each kind of data error, in one place: every error walt
 * reports on data names the file, the byte offset, and what to do about it.
 * verify appends it to each problem; the CLI appends it to the one line a
 * failed command prints (cli/errors.ts).
 */

const DUMP_RAW = 'see what still reads past it with `walt dump --raw`';
export const RESTORE = 'restore the member from a backup (`etcdutl snapshot restore` for etcd 3.5, `etcdctl snapshot restore` for 3.4), or remove it from the cluster and add it back';

const STEPS: Record<string, string> = {
  TORN_TAIL: 'run `walt repair-tail` on the data dir (etcd cuts it off the same way at start)',
  // Damage in the log itself: look, then rebuild the member.
  CRC_MISMATCH: `${DUMP_RAW}; ${RESTORE}`,
  CORRUPT_RECORD: `${DUMP_RAW}; ${RESTORE}`,
  RECORD_TOO_LARGE: `${DUMP_RAW}; ${RESTORE}`,
  UNEXPECTED_RECORD_TYPE: `${DUMP_RAW}; ${RESTORE}`,
  BAD_PROTO: `${DUMP_RAW}; ${RESTORE}`,
  TRUNCATED_SEGMENT: `${DUMP_RAW}; ${RESTORE}`,
  METADATA_CONFLICT: `${DUMP_RAW}; ${RESTORE}`,
  SLICE_OUT_OF_RANGE: `${DUMP_RAW}; ${RESTORE}`,
  SNAPSHOT_MISMATCH: `${DUMP_RAW}; ${RESTORE}`,
  SNAPSHOT_NOT_FOUND: `${DUMP_RAW}; ${RESTORE}`,
  SEGMENT_SEQUENCE: `${DUMP_RAW}; ${RESTORE}`,
  TERM_DECREASES: `${DUMP_RAW}; ${RESTORE}`,
  COMMIT_BEYOND_LOG: `${DUMP_RAW}; ${RESTORE}`,
  COMMIT_BEFORE_SNAPSHOT: `${DUMP_RAW}; ${RESTORE}`,
  // A .snap etcd sets aside (renames to .broken) when another loads.
  SNAP_CRC_MISMATCH: 'look at it with `walt snap show`; etcd renames it .snap.broken and loads the next snapshot the WAL names',
  SNAP_EMPTY: 'look at it with `walt snap show`; etcd renames it .snap.broken and loads the next snapshot the WAL names',
  SNAP_NAME_MISMATCH: 'look at it with `walt snap show`',
  // bbolt's own errors, where they escape a command (replay-to-state --from db, snap show).
  BBOLT_TRUNCATED: RESTORE,
  BBOLT_BAD_META: RESTORE,
  BBOLT_BAD_PAGE: RESTORE,
  BBOLT_TOO_DEEP: RESTORE,
  BBOLT_NOT_A_BUCKET: RESTORE,
  BBOLT_CHECK: `see every finding with \`walt verify\`; ${RESTORE}`,
  BBOLT_NOT_BBOLT: `check which file was copied there; ${RESTORE}`,
  BACKEND_BAD_RECORD: RESTORE,
  BACKEND_NO_KEY_BUCKET: RESTORE,
};

/** What to do about an error with this code, or undefined when the message already says (or none applies). */
export const nextStep = (code: string): string | undefined => STEPS[code];

/** `message` with its next step, unless it already names one. */
export function withNextStep(code: string, message: string): string {
  const step = nextStep(code);
  return step && !message.includes(step) ? `${message}; ${step}` : message;
}
