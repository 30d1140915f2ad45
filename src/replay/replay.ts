/**
 * `walt replay-to-state`: the state a data dir holds, rebuilt as etcd
 * rebuilds it. Entries come from the WAL (codec), go through an in-process
 * Raft node (raft-feed.ts) and are applied in the order it commits them to
 * etcd's state machines (src/state).
 *
 * Two starting points, as etcd has: the whole log from index 1 (`wal`), or
 * the backend file with its consistent index plus the WAL after the snapshot
 * etcd loads (`db`), the way etcd restarts. `auto` takes the WAL when it
 * still reaches back to index 1.
 */
import { join } from 'node:path';
import { existsSync } from 'node:fs';
import { CodecError } from '../codec/errors.js';
import { chooseStart, openWal, type DataDirPaths } from '../codec/data-dir.js';
import { scanFailure } from '../codec/wal-scan.js';
import type { Entry } from '../codec/proto/raftpb.js';
import { dumpEntries, planDump, type DumpPlan } from '../report/dump.js';
import { EtcdState, type ApplyResult } from '../state/index.js';
import { RaftFeed } from './raft-feed.js';

export type ReplaySource = 'wal' | 'db' | 'auto';

export interface ReplayOptions {
  from: ReplaySource;
  /** Apply nothing past this index. */
  atIndex?: bigint;
  /** Keep every revision (for --history and --at-revision); off, memory follows the live key space only. */
  keepHistory?: boolean;
  /** Called after each applied entry. */
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
 * The WAL read from index 0, as etcd reads a log it never snapshotted: the
 * first segment and its empty snapshot record must still be there (not
 * purged) and nothing may be missing after them. Undefined when they are not;
 * damage that a backend could not replace either is thrown.
 */
function wholeLog(paths: DataDirPaths): DumpPlan | undefined {
  let opened;
  try {
    opened = openWal(paths, { index: 0n, term: 0n });
  } catch (e) {
    if (e instanceof CodecError && e.code === 'NO_SEGMENTS') return undefined;
    throw e;
  }
  const failure = scanFailure(opened.scan);
  // A member that joined from a leader's snapshot has a gap after index 0: its log starts later.
  if (failure?.code === 'SLICE_OUT_OF_RANGE' || (!failure && !opened.scan.snapshotMatched)) return undefined;
  if (failure) throw failure;
  return { ...opened, startPoint: { start: opened.scan.start, tried: [] }, fromIndex: 1n };
}

export function replayDataDir(paths: DataDirPaths, opts: ReplayOptions): ReplayResult {
  const fromWal = opts.from === 'db' ? undefined : wholeLog(paths);
  if (opts.from === 'wal' && !fromWal) {
    throw new CodecError('NO_SEGMENTS', 'the WAL does not reach back to index 1 (older segments were purged, or this member joined from a snapshot); replay from the backend with --from db', { file: paths.walDir });
  }
  const plan = fromWal ?? planDump(paths);
  const meta = plan.scan.metadata;
  const state = new EtcdState({ clusterId: meta?.clusterId, memberId: meta?.nodeId, keepHistory: opts.keepHistory ?? true });
  if (!fromWal) loadBackend(paths, plan, state);
  if (opts.atIndex !== undefined && opts.atIndex < state.consistentIndex) {
    throw new CodecError('REPLAY_RANGE', `the backend has already applied index ${state.consistentIndex}, past ${opts.atIndex}; use --from wal (the WAL must reach back to index 1)`, { file: paths.snapDir });
  }
  const failure = scanFailure(plan.scan);
  if (failure) throw failure;
  const hardState = plan.scan.hardState ?? { term: 0n, vote: 0n, commit: 0n };
  const snapshot = fromWal ? undefined : plan.startPoint.snap?.snapshot;
  const feed = new RaftFeed({ nodeId: meta?.nodeId ?? 1n, snapshot, hardState }, (e) => {
    const result = state.applyEntry(e);
    opts.onApplied?.(state, e, result);
    return result.kind === 'confChange' && result.error !== undefined;
  }, { atIndex: opts.atIndex });
  for (const { entry } of dumpEntries(plan)) feed.push(entry);
  feed.flush();
  return { state, source: fromWal ? 'wal' : 'db', appliedIndex: feed.applied, commitIndex: hardState.commit, lastIndex: plan.scan.lastIndex };
}

/** etcd's restart: the v2 store and membership from the .snap it loads, the v3 state from the backend. */
function loadBackend(paths: DataDirPaths, plan: DumpPlan, state: EtcdState): void {
  const db = paths.snapDir && join(paths.snapDir, 'db');
  if (!db || !existsSync(db)) throw new CodecError('NOT_A_DATA_DIR', 'no backend file (member/snap/db) to replay from, and the WAL does not reach back to index 1', { file: paths.snapDir ?? paths.walDir });
  const snap = plan.startPoint.snap ?? chooseStart(paths).snap;
  if (snap?.snapshot.data) state.loadV2Snapshot(snap.snapshot.data);
  state.loadBackend(db);
}
