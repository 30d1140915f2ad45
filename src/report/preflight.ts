/**
 * What must hold before walt changes a WAL: no running etcd holds it, and the
 * damage, if any, is of a kind the operation can handle. A refusal says where,
 * why, and what to do instead; commands print it, or return it in --json.
 */
import { listSegments } from '../codec/segment-name.js';
import { lockHolders } from '../codec/wal-lock.js';
import type { Problem } from './problem.js';
import type { VerifyReport } from './verify.js';

export interface Refusal {
  code: string;
  message: string;
  file?: string;
  offset?: number;
  /** The process holding the WAL, for WAL_LOCKED. */
  pid?: number;
  /** One or two lines on what to do instead. */
  advice: string[];
  /** Every problem verify found, when verify is the reason. */
  problems?: Problem[];
}

/** Refuses while a process (a running etcd) holds a lock on any segment of `walDir`. */
export function lockRefusal(walDir: string): Refusal | undefined {
  const held = lockHolders(listSegments(walDir).map((s) => s.path));
  if (held.length === 0) return undefined;
  const h = held.find((x) => x.pid !== undefined) ?? held[0];
  const who = h.pid !== undefined ? `${h.command ?? 'a process'} (pid ${h.pid})` : 'a running process (its pid is not visible to this user)';
  return {
    code: 'WAL_LOCKED',
    message: `${who} holds an ${h.kind} lock on this segment: the WAL is in use`,
    file: h.file,
    pid: h.pid,
    advice: ['Stop that etcd member first (walt changes a WAL only while nothing has it open), then run this again.'],
  };
}

/** Verify's errors other than those `tolerate` accepts, as one refusal naming the first. */
export function damageRefusal(report: VerifyReport, tolerate: (p: Problem) => boolean, advice: string[]): Refusal | undefined {
  const blocking = report.problems.filter((p) => p.severity === 'error' && !tolerate(p));
  if (blocking.length === 0) return undefined;
  const first = blocking[0];
  const more = blocking.length > 1 ? ` (and ${blocking.length - 1} more problem(s); walt verify lists them)` : '';
  return { code: first.code, message: first.message + more, file: first.file, offset: first.offset, advice, problems: blocking };
}

/** For damage that truncating the tail cannot fix. */
export const restoreAdvice = (dataDir: string): string[] => [
  'Restore this member from a snapshot (etcdctl snapshot restore), or remove it and add it back (etcdctl member remove, member add) so that it catches up from the leader.',
  `walt dump ${dataDir} (or with --start-index N) shows the entries that are still readable.`,
];
