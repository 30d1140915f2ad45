/**
 * `walt replay-to-state`: the state a data dir holds, rebuilt as etcd
 * rebuilds it. Entries come from the WAL (codec), go through an in-process
 * Raft node (raft-feed.ts) and are applied in the order it commits them to
 * etcd's state machines (src/state).
 *
 * Two starting points, as etcd has: the whole log from index 1 (`wal`), or
 * the backend file with its consistent index plus the WAL after the snapshot
 * etcd loads (`db`), the way etcd restarts. `auto` takes the WAL when it
 * still reaches back to index 1 without a gap before that snapshot (a member
 * that caught up from a leader's snapshot mid-log), else the backend.
 */
import { join } from 'node:path';
import { existsSync } from 'node:fs';
import { CodecError } from '../codec/errors.js';
import { chooseStart, type DataDirPaths } from '../codec/data-dir.js';
import { selectSegments, type Segment } from '../codec/segment-name.js';
import { RecordReader } from '../codec/record-reader.js';
import { RecordType, type WalSnapshot } from '../codec/proto/walpb.js';
import { decodeMetadata } from '../codec/proto/metadata.js';
import type { Entry, Snapshot } from '../codec/proto/raftpb.js';
import { EtcdState, type ApplyResult } from '../state/index.js';
import { RaftFeed, feedWal, type FeedSummary } from './raft-feed.js';

export type ReplaySource = 'wal' | 'db' | 'auto';

export interface ReplayOptions {
  from: ReplaySource;
  /** The etcd release whose apply rules hold (state/version-rules.ts); without, the cluster version the log records. */
  etcdVersion?: string;
  /** etcd 3.6's --max-learners. */
  maxLearners?: number;
  /** The minimum lease TTL in seconds: ceil(1.5 × --election-timeout); 2 with etcd's defaults. */
  minLeaseTTL?: bigint;
  /** Apply nothing past this index. */
  atIndex?: bigint;
  /**
   * Apply the entries after the last hard state's commit index too, to the end
   * of the log, as if committed: what a member holds that no quorum may have.
   * etcd never applies them; a restore from them says so (surgery/restore.ts).
   */
  applyUncommitted?: boolean;
  /** Keep every revision (for --history and --at-revision); off, memory follows the live key space only. */
  keepHistory?: boolean;
  /** Keep the values in a temporary file in this directory, not in memory (the state's store must then be closed). */
  spillDir?: string;
  /** Called after each applied entry (whose data is valid during the call only). */
  onApplied?: (state: EtcdState, entry: Entry, result: ApplyResult) => void;
}

export interface ReplayResult {
  state: EtcdState;
  source: 'wal' | 'db';
  /** The last index applied, and the commit index of the last hard state. */
  appliedIndex: bigint;
  commitIndex: bigint;
  /** The highest index the log holds. */
  lastIndex: bigint;
}

export function replayDataDir(paths: DataDirPaths, opts: ReplayOptions): ReplayResult {
  if (opts.from !== 'db') {
    const whole = replayWholeLog(paths, opts);
    if (whole) return whole;
    if (opts.from === 'wal') {
      throw new CodecError('REPLAY_RANGE', 'the WAL does not reach back to index 1 (older segments were purged, or this member joined from a snapshot); replay from the backend with --from db', { file: paths.walDir });
    }
  }
  return replayFromBackend(paths, opts);
}

/**
 * The whole log from index 0, as etcd reads a log it never snapshotted: the
 * first segment and its empty snapshot record must still be there. Undefined
 * when they are not, or when the entries start later (a member that joined
 * from a leader's snapshot); other damage is thrown.
 */
function replayWholeLog(paths: DataDirPaths, opts: ReplayOptions): ReplayResult | undefined {
  let segments: Segment[];
  try {
    segments = selectSegments(paths.walDir, 0n);
  } catch (e) {
    if (e instanceof CodecError && e.code === 'NO_SEGMENTS') return undefined;
    throw e;
  }
  const state = newState(opts);
  const run = feedLog(segments, { index: 0n, term: 0n }, undefined, state, opts);
  const gap = run.failure?.code === 'SLICE_OUT_OF_RANGE' ? run.failure : undefined;
  // The entries start after index 1: a member that joined from a leader's snapshot.
  if (gap?.data.expected === 1n || (!run.failure && !run.snapshotMatched)) return undefined;
  if (gap && opts.from === 'auto' && gapBeforeStart(paths, gap)) return undefined;
  return finish(run, state, 'wal');
}

/**
 * Whether a gap in the log lies at or before the snapshot etcd starts from:
 * etcd reads the WAL from that snapshot on (wal.Open at the snapshot etcd
 * loads, storage.go readWAL), so it never sees the gap, and neither does a
 * replay from the backend. A gap after it etcd refuses too.
 */
function gapBeforeStart(paths: DataDirPaths, failure: CodecError): boolean {
  const after = failure.data.index;
  if (typeof after !== 'bigint' || !paths.snapDir || !existsSync(join(paths.snapDir, 'db'))) return false;
  return after - 1n <= chooseStart(paths).start.index;
}

/** etcd's restart: the v2 store and membership from the .snap it loads, the v3 state from the backend, then the WAL after the snapshot. */
function replayFromBackend(paths: DataDirPaths, opts: ReplayOptions): ReplayResult {
  const db = paths.snapDir && join(paths.snapDir, 'db');
  if (!db || !existsSync(db)) throw new CodecError('NOT_A_DATA_DIR', 'no backend file (member/snap/db) to replay from, and the WAL does not reach back to index 1', { file: paths.snapDir ?? paths.walDir });
  const { start, snap } = chooseStart(paths);
  const state = newState(opts);
  if (snap?.snapshot.data) state.loadV2Snapshot(snap.snapshot.data);
  else if (start.index === 0n) state.startWithoutSnapshot();
  state.loadBackend(db);
  if (opts.atIndex !== undefined && opts.atIndex < state.consistentIndex) {
    throw new CodecError('REPLAY_RANGE', `the backend has already applied index ${state.consistentIndex}, past ${opts.atIndex}; use --from wal (the WAL must reach back to index 1)`, { file: paths.snapDir });
  }
  return finish(feedLog(selectSegments(paths.walDir, start.index), start, snap?.snapshot, state, opts), state, 'db');
}

function newState(opts: ReplayOptions): EtcdState {
  return new EtcdState({ keepHistory: opts.keepHistory ?? true, spillDir: opts.spillDir, etcdVersion: opts.etcdVersion, maxLearners: opts.maxLearners, minLeaseTTL: opts.minLeaseTTL });
}

/** What a pass over the WAL found and applied. */
interface FeedRun extends FeedSummary {
  failure?: CodecError;
  /** Applies what is still queued; returns the last index applied. */
  flush(): bigint;
}

/** The pass over the WAL (raft-feed.ts feedWal). */
function feedLog(segments: Segment[], start: WalSnapshot, snapshot: Snapshot | undefined, state: EtcdState, opts: ReplayOptions): FeedRun {
  const apply = (e: Entry): boolean => {
    const result = state.applyEntry(e);
    opts.onApplied?.(state, e, result);
    return result.kind === 'confChange' && result.error !== undefined;
  };
  const nodeId = memberOf(segments) ?? 1n;
  const feed = new RaftFeed({ nodeId, snapshot }, apply, { atIndex: opts.atIndex });
  const run = feedWal(segments, start, feed);
  return {
    ...run,
    flush: () => {
      if (opts.applyUncommitted) feed.commitTo(run.lastIndex);
      feed.flush();
      return feed.applied;
    },
  };
}

function finish(run: FeedRun, state: EtcdState, source: 'wal' | 'db'): ReplayResult {
  if (run.failure) throw run.failure;
  const appliedIndex = run.flush();
  state.clusterId = run.clusterId;
  state.memberId = run.nodeId;
  return { state, source, appliedIndex, commitIndex: run.commit, lastIndex: run.lastIndex };
}

/** The member's ID from the first metadata record, for the Raft node's own ID. */
function memberOf(segments: Segment[]): bigint | undefined {
  const reader = new RecordReader(segments.slice(0, 1));
  try {
    for (let rec = reader.next(); rec; rec = reader.next()) if (rec.type === RecordType.metadata && rec.data) return decodeMetadata(rec.data).nodeId;
  } finally {
    reader.close();
  }
  return undefined;
}
