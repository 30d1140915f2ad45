/**
 * `walt restore`: the state at a point of the log, written as an etcd backend
 * snapshot that `etcdctl snapshot restore` (3.4) and `etcdutl snapshot
 * restore` (3.5) accept.
 *
 * A first replay to the commit index (replay.ts, as replay-to-state runs it,
 * with every revision kept) finds the point (restore-point.ts) and is the state the
 * plan compares with; a second replay stops at the point, unless the point is
 * the commit index itself. The kept revisions of that state (every one a
 * compaction left, so `--rev` reads and watches behave), its leases, auth,
 * membership, cluster version and alarms go into the file, and the point's
 * index is its consistent_index.
 */
import type { DataDirPaths } from '../codec/data-dir.js';
import { CodecError } from '../codec/errors.js';
import { replayDataDir, type ReplayResult, type ReplaySource } from '../replay/replay.js';
import type { EtcdState } from '../state/index.js';
import { keptRevisions, liveKeyCount } from '../state/kept-revisions.js';
import { writeBackend, type BackendWriteSummary } from '../state/backend-writer.js';
import { PointFinder, type EntryBefore, type RestorePoint } from './restore-point.js';

export interface RestoreOptions {
  point: RestorePoint;
  /** Where the replay starts; the apply rules are the log's cluster version's, as replay-to-state's default. */
  from: ReplaySource;
  /** An index past the commit index may be chosen: the entries up to it are applied as if committed (ReplayOptions.applyUncommitted). */
  allowUncommitted?: boolean;
  /** The etcd release whose apply rules hold, and etcd's minimum lease TTL (ReplayOptions). */
  etcdVersion?: string;
  minLeaseTTL?: bigint;
  /** Where the replays keep the values of every revision, in an unlinked temporary file: memory then holds the key index only. */
  spillDir?: string;
}

export interface RestorePlan {
  point: RestorePoint['kind'];
  /** The last entry applied, its term, and the revision the state is at. */
  index: bigint;
  term: bigint;
  revision: bigint;
  /** The first entry left out; undefined at the end of the committed log. */
  before?: EntryBefore;
  commitIndex: bigint;
  commitRevision: bigint;
  /** With allowUncommitted, the entries the state holds past the last hard state's commit index: no quorum may have had them. */
  uncommitted?: { from: bigint; to: bigint };
  /** Live keys at the point, and how they differ from the state at the commit index. */
  keys: number;
  differ: KeysDiffer;
  source: 'wal' | 'db';
}

/** From the commit index back to the point: keys deleted since that come back, keys written since that go back to their value then, keys created since that go. */
export interface KeysDiffer {
  restored: number;
  reverted: number;
  dropped: number;
}

export interface Restored {
  plan: RestorePlan;
  state: EtcdState;
  /** Lets the state's spilled values go, once written. */
  close(): void;
}

/** Every live key (latin1) and its mod revision (no value is read). */
function modRevisions(state: EtcdState): Map<string, bigint> {
  const s = state.store;
  return new Map(s.rangeAs('', '', s.currentRev, {}, (ki, at) => [ki.key, ki.get(at)!.rev.main] as const).kvs);
}

function compare(commit: Map<string, bigint>, point: Map<string, bigint>): KeysDiffer {
  const d: KeysDiffer = { restored: 0, reverted: 0, dropped: 0 };
  for (const [key, rev] of point) {
    const now = commit.get(key);
    if (now === undefined) d.restored++;
    else if (now !== rev) d.reverted++;
  }
  for (const key of commit.keys()) if (!point.has(key)) d.dropped++;
  return d;
}

function replay(paths: DataDirPaths, opts: RestoreOptions, atIndex: bigint | undefined, watch?: PointFinder, uncommitted = false): ReplayResult {
  return replayDataDir(paths, {
    from: opts.from,
    atIndex,
    keepHistory: true,
    etcdVersion: opts.etcdVersion,
    minLeaseTTL: opts.minLeaseTTL,
    spillDir: opts.spillDir,
    applyUncommitted: uncommitted,
    onApplied: watch && ((state, entry) => watch.applied(state, entry)),
  });
}

/** What the replay to the commit index leaves for the second: the point, and the commit state (whole, when the point is the commit index). */
interface CommitPass {
  index: bigint;
  before?: EntryBefore;
  commitIndex: bigint;
  commitRevision: bigint;
  /** The replay itself when the point is the commit index; else only the keys' mod revisions, so the state can go. */
  atCommit?: ReplayResult;
  commitKeys?: Map<string, bigint>;
}

function commitPass(paths: DataDirPaths, opts: RestoreOptions): CommitPass {
  const finder = new PointFinder(opts.point);
  const first = replay(paths, opts, undefined, finder);
  try {
    return pointOf(paths, opts, finder, first);
  } catch (e) {
    first.state.store.values.close();
    throw e;
  }
}

function pointOf(paths: DataDirPaths, opts: RestoreOptions, finder: PointFinder, first: ReplayResult): CommitPass {
  const { appliedIndex, state } = first;
  const p = opts.point;
  const where = { file: paths.walDir };
  if (p.kind === 'index' && p.index > appliedIndex && !opts.allowUncommitted) {
    throw new CodecError('REPLAY_RANGE', `index ${p.index} is past the commit index ${appliedIndex}: entries after it were never committed (--allow-uncommitted includes them)`, where);
  }
  if (p.kind === 'index' && p.index > first.lastIndex) {
    throw new CodecError('REPLAY_RANGE', `index ${p.index} is past the end of the log, entry ${first.lastIndex}`, where);
  }
  if (p.kind === 'revision' && p.revision > state.store.currentRev) {
    throw new CodecError('REPLAY_RANGE', `revision ${p.revision} is past the revision at the commit index, ${state.store.currentRev}`, where);
  }
  if ((p.kind === 'before-delete' || p.kind === 'before-delete-prefix') && finder.index === undefined) {
    const what = p.kind === 'before-delete' ? `key ${JSON.stringify(Buffer.from(p.key).toString('utf8'))}` : `a key under ${JSON.stringify(Buffer.from(p.prefix).toString('utf8'))}`;
    throw new CodecError('REPLAY_RANGE', `no committed entry deletes ${what}; \`walt replay-to-state --history KEY\` shows a key's changes`, where);
  }
  const index = finder.index ?? appliedIndex;
  const pass: CommitPass = { index, before: finder.before, commitIndex: appliedIndex, commitRevision: state.store.currentRev };
  if (index === appliedIndex) pass.atCommit = first;
  else {
    pass.commitKeys = modRevisions(state);
    state.store.values.close();
  }
  return pass;
}

/** Replays to the point; throws REPLAY_RANGE (a usage error) for a point the committed log does not hold. */
export function replayToPoint(paths: DataDirPaths, opts: RestoreOptions): Restored {
  const pass = commitPass(paths, opts);
  const { index } = pass;
  const atPoint = pass.atCommit ?? replay(paths, opts, index, undefined, index > pass.commitIndex);
  const state = atPoint.state;
  try {
    return restoredAt(paths, opts, pass, atPoint);
  } catch (e) {
    state.store.values.close();
    throw e;
  }
}

function restoredAt(paths: DataDirPaths, opts: RestoreOptions, pass: CommitPass, atPoint: ReplayResult): Restored {
  const { index } = pass;
  const p = opts.point;
  const state = atPoint.state;
  const where = { file: paths.walDir };
  if (state.appliedIndex !== index) {
    throw new CodecError('REPLAY_RANGE', `the replay could not stop after entry ${index} (it applied up to ${state.appliedIndex})`, where);
  }
  if (p.kind === 'revision' && state.store.currentRev !== p.revision) {
    throw new CodecError('REPLAY_RANGE', `revision ${p.revision} is not in the log: the state goes from revision ${state.store.currentRev} to the next with entry ${index + 1n} (compacted away, or before the backend the replay starts from)`, where);
  }
  const plan: RestorePlan = {
    point: p.kind,
    index,
    term: state.term,
    revision: state.store.currentRev,
    before: pass.before,
    commitIndex: pass.commitIndex,
    commitRevision: pass.commitRevision,
    ...(index > pass.commitIndex ? { uncommitted: { from: pass.commitIndex + 1n, to: index } } : {}),
    keys: liveKeyCount(state.store),
    differ: pass.commitKeys === undefined ? { restored: 0, reverted: 0, dropped: 0 } : compare(pass.commitKeys, modRevisions(state)),
    source: atPoint.source,
  };
  return { plan, state, close: () => state.store.values.close() };
}

/** Writes the restored state as a backend snapshot file (with the SHA-256 trailer) at `out`, which must not exist. */
export function writeSnapshotFile(r: Restored, out: string, opts: { bcryptCost?: number } = {}): BackendWriteSummary {
  return writeBackend(out, r.state, keptRevisions(r.state.store), { consistentIndex: r.plan.index, sha256Trailer: true, bcryptCost: opts.bcryptCost });
}
