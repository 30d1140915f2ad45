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
import { existsSync, statSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { CodecError } from '../codec/errors.js';
import { chooseStart, type DataDirPaths } from '../codec/data-dir.js';
import { selectSegments, type Segment } from '../codec/segment-name.js';
import { RecordReader } from '../codec/record-reader.js';
import { RecordType, type WalSnapshot } from '../codec/proto/walpb.js';
import { decodeMetadata } from '../codec/proto/metadata.js';
import type { Entry, Snapshot } from '../codec/proto/raftpb.js';
import { EtcdState, type ApplyResult } from '../state/index.js';
import { RaftFeed, feedWal, type FeedSummary } from './raft-feed.js';
import { feedOnTwoThreads, startFeedWorker } from './feed-thread.js';
import type { Worker } from 'node:worker_threads';

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
  /** Keep every revision (for --history and --at-revision); off, memory follows the live key space only. */
  keepHistory?: boolean;
  /** Read the log on a second thread while this one applies: by default when it is large (see replayDataDir); true or false to choose. */
  twoThreads?: boolean;
  /** A worker started ahead (feed-thread.ts startFeedWorker) for the second thread; ended when the replay does not need it. */
  feedWorker?: Worker;
  /** Called after each applied entry (whose data is valid during the call only); after a restart (see replayDataDir) from the first entry again. */
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

/**
 * A large log is replayed on two threads (feed-thread.ts); where its worker
 * gives up (a damaged log among other things), the replay starts over on one
 * thread, which reports the damage the usual way.
 */
export function replayDataDir(paths: DataDirPaths, opts: ReplayOptions): ReplayResult {
  let ahead = opts.feedWorker;
  const worker = () => {
    const w = ahead;
    ahead = undefined;
    return w ?? startFeedWorker();
  };
  try {
    return replayOnce(paths, opts, opts.twoThreads ?? 'auto', worker);
  } catch (e) {
    if (!(e instanceof StartOver)) throw e;
    return replayOnce(paths, opts, false, worker);
  } finally {
    void ahead?.terminate();
  }
}

/** The two-thread replay gave up. */
class StartOver extends Error {}

/**
 * Logs of at least this many entries are read on a second thread: it takes
 * about 0.1 s to start, which reading and raft save back at 2–3 µs an entry.
 */
const TWO_THREADS_MIN_ENTRIES = 50_000;

/** Roughly how many entries the segments hold: from the first indexes in their names, the last one's share by its size; 1 KB an entry for one segment. */
function estimateEntries(segments: Segment[]): number {
  const sizes = segments.map((s) => statSync(s.path).size);
  const total = sizes.reduce((a, b) => a + b, 0);
  const before = total - sizes[sizes.length - 1];
  if (segments.length < 2 || before === 0) return total / 1024;
  return (Number(segments[segments.length - 1].index - segments[0].index) * total) / before;
}

/** Whether to use two threads, and where the worker comes from. */
interface Threads {
  two: boolean | 'auto';
  worker: () => Worker | undefined;
}

function replayOnce(paths: DataDirPaths, opts: ReplayOptions, two: boolean | 'auto', worker: () => Worker | undefined): ReplayResult {
  const threads: Threads = { two, worker };
  if (opts.from !== 'db') {
    const whole = replayWholeLog(paths, opts, threads);
    if (whole) return whole;
    if (opts.from === 'wal') {
      throw new CodecError('REPLAY_RANGE', 'the WAL does not reach back to index 1 (older segments were purged, or this member joined from a snapshot); replay from the backend with --from db', { file: paths.walDir });
    }
  }
  return replayFromBackend(paths, opts, threads);
}

/**
 * The whole log from index 0, as etcd reads a log it never snapshotted: the
 * first segment and its empty snapshot record must still be there. Undefined
 * when they are not, or when the entries start later (a member that joined
 * from a leader's snapshot); other damage is thrown.
 */
function replayWholeLog(paths: DataDirPaths, opts: ReplayOptions, threads: Threads): ReplayResult | undefined {
  let segments: Segment[];
  try {
    segments = selectSegments(paths.walDir, 0n);
  } catch (e) {
    if (e instanceof CodecError && e.code === 'NO_SEGMENTS') return undefined;
    throw e;
  }
  const state = newState(opts);
  const run = feedLog(segments, { index: 0n, term: 0n }, undefined, state, opts, threads);
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
function replayFromBackend(paths: DataDirPaths, opts: ReplayOptions, threads: Threads): ReplayResult {
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
  return finish(feedLog(selectSegments(paths.walDir, start.index), start, snap?.snapshot, state, opts, threads), state, 'db');
}

function newState(opts: ReplayOptions): EtcdState {
  return new EtcdState({ keepHistory: opts.keepHistory ?? true, etcdVersion: opts.etcdVersion, maxLearners: opts.maxLearners, minLeaseTTL: opts.minLeaseTTL });
}

/** What a pass over the WAL found and applied. */
interface FeedRun extends FeedSummary {
  failure?: CodecError;
  /** Applies what is still queued; returns the last index applied. */
  flush(): bigint;
}

/** The pass over the WAL (raft-feed.ts feedWal), on this thread or, for a large log, with a worker. */
function feedLog(segments: Segment[], start: WalSnapshot, snapshot: Snapshot | undefined, state: EtcdState, opts: ReplayOptions, threads: Threads): FeedRun {
  const apply = (e: Entry): boolean => {
    const result = state.applyEntry(e);
    opts.onApplied?.(state, e, result);
    return result.kind === 'confChange' && result.error !== undefined;
  };
  const nodeId = memberOf(segments) ?? 1n;
  // On one CPU the worker would only take turns with this thread.
  if (threads.two === true || (threads.two === 'auto' && availableParallelism() > 1 && estimateEntries(segments) >= TWO_THREADS_MIN_ENTRIES)) {
    const r = feedOnTwoThreads({ segments, start, snapshot: snapshot?.metadata, nodeId, atIndex: opts.atIndex }, apply, threads.worker());
    if (!r) throw new StartOver();
    return { ...r, flush: () => r.applied };
  }
  const feed = new RaftFeed({ nodeId, snapshot }, apply, { atIndex: opts.atIndex });
  return {
    ...feedWal(segments, start, feed),
    flush: () => {
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
