/**
 * `walt verify --compare`: the data dirs of members of one cluster, their
 * logs compared index by index. Raft guarantees that committed entries are
 * the same on every member; entries above a member's commit index may differ
 * (an uncommitted tail from an old leader that a new leader overwrites: etcd
 * raft/log.go findConflict and maybeAppend). A difference Raft cannot explain
 * is corruption. Each member's entries stream from its own reader, one entry
 * at a time, so memory does not grow with the logs.
 */
import type { DataDirPaths } from '../codec/data-dir.js';
import { RecordReader } from '../codec/record-reader.js';
import { listSegments, type Segment } from '../codec/segment-name.js';
import { RecordType } from '../codec/proto/walpb.js';
import { decodeEntry } from '../codec/proto/raftpb.js';
import { idHex } from '../codec/proto/metadata.js';
import { scanFailure } from '../codec/wal-scan.js';
import type { StandingEntry } from '../codec/wal-entries.js';
import { dumpEntries, planDump, type DumpPlan } from './dump.js';

export interface CompareMember {
  /** The data dir as given (the WAL dir when no data dir was). */
  dir: string;
  nodeID?: string;
  clusterID?: string;
  hardState?: { term: bigint; vote: string; commit: bigint };
  /** The first and last index read; firstIndex is absent when the WAL holds no entry. */
  firstIndex?: bigint;
  lastIndex: bigint;
  entries: number;
  /** How many entries its log is shorter than the longest log compared. */
  behind: bigint;
  /** How the read of its WAL ended: a torn tail is accepted, as etcd accepts it. */
  end: 'eof' | 'torn' | 'error';
  error?: { code: string; message: string; file?: string; offset?: number };
}

export interface EntryAt {
  term: bigint;
  segment: string;
  offset: number;
}

export interface Difference {
  index: bigint;
  a: EntryAt;
  b: EntryAt;
}

export interface PairResult {
  /** Positions in `members`. */
  a: number;
  b: number;
  /** The indexes both logs hold. */
  overlap?: { from: bigint; to: bigint };
  compared: number;
  differing: number;
  first?: Difference;
  /** The first difference that Raft cannot explain. */
  corrupt?: Difference;
  verdict: 'identical' | 'disjoint' | 'legal' | 'corruption';
  message: string;
}

export type CompareVerdict = 'consistent' | 'diverged' | 'corrupt' | 'different-clusters';

export interface CompareReport {
  ok: boolean;
  verdict: CompareVerdict;
  clusterID?: string;
  members: CompareMember[];
  pairs: PairResult[];
  problems: string[];
}

export function compareMembers(dirs: DataDirPaths[]): CompareReport {
  const plans = dirs.map(planMember);
  const members = plans.map(describeMember);
  const problems: string[] = [];
  for (const m of members) {
    if (m.error) problems.push(`${m.dir}: reading its WAL stopped at ${m.error.file ?? ''}${m.error.offset !== undefined ? ` byte ${m.error.offset}` : ''}: ${m.error.message} (walt verify ${m.dir} says more)`);
    else if (!m.clusterID) problems.push(`${m.dir}: its WAL has no metadata record`);
  }
  const clusters = new Set(members.flatMap((m) => (m.clusterID ? [m.clusterID] : [])));
  if (clusters.size > 1) {
    problems.unshift(`the members belong to different clusters: ${members.map((m) => `${m.dir} is in ${m.clusterID ?? 'no cluster'}`).join(', ')}`);
    return { ok: false, verdict: 'different-clusters', members, pairs: [], problems };
  }
  const longest = members.reduce((m, x) => (x.lastIndex > m ? x.lastIndex : m), 0n);
  for (const m of members) m.behind = longest - m.lastIndex;
  const pairs = compareLogs(plans, members);
  const verdict: CompareVerdict = problems.length || pairs.some((p) => p.verdict === 'corruption') ? 'corrupt' : pairs.some((p) => p.verdict === 'legal') ? 'diverged' : 'consistent';
  return { ok: verdict === 'consistent', verdict, clusterID: [...clusters][0], members, pairs, problems };
}

/**
 * Where a member's log is read from. Not after its snapshot, as etcd starts:
 * members snapshot at different indexes, and the entries below a snapshot are
 * still its committed log, worth comparing while the WAL keeps them. Not from
 * index 1 either: a member that joined from a leader's snapshot has no entries
 * below it, and ReadAll from 0 fails on the gap (ErrSliceOutOfRange). So: from
 * the first entry its WAL holds.
 */
function planMember(paths: DataDirPaths): DumpPlan {
  const segments = listSegments(paths.walDir);
  const first = firstEntryIndex(segments);
  if (first === undefined) return planDump(paths);
  // Reading from index i needs a segment named at or below i - 1 (wal/util.go searchIndex); where older
  // segments were purged, the first segment's first entry cannot be read, as etcd cannot read it either.
  return planDump(paths, first > segments[0].index ? first : segments[0].index + 1n);
}

function firstEntryIndex(segments: Segment[]): bigint | undefined {
  const reader = new RecordReader(segments, { chunkBytes: 64 << 10 });
  try {
    for (let rec = reader.next(); rec; rec = reader.next()) if (rec.type === RecordType.entry && rec.data) return decodeEntry(rec.data).index;
    return undefined;
  } finally {
    reader.close();
  }
}

function describeMember(plan: DumpPlan): CompareMember {
  const { scan } = plan;
  const failure = scanFailure(scan);
  const hs = scan.hardState;
  return {
    dir: plan.paths.dataDir ?? plan.paths.walDir,
    nodeID: scan.metadata && idHex(scan.metadata.nodeId),
    clusterID: scan.metadata && idHex(scan.metadata.clusterId),
    hardState: hs && { term: hs.term, vote: idHex(hs.vote), commit: hs.commit },
    firstIndex: scan.entryCount > 0 ? plan.fromIndex : undefined,
    lastIndex: scan.lastIndex,
    entries: scan.entryCount,
    behind: 0n,
    end: failure ? 'error' : scan.end.kind === 'torn' ? 'torn' : 'eof',
    error: failure && { code: failure.code, message: failure.message, file: failure.file, offset: failure.offset },
  };
}

/** Advances every member's stream in step: at each index, the members holding it are compared pairwise. */
function compareLogs(plans: DumpPlan[], members: CompareMember[]): PairResult[] {
  const pairs: PairResult[] = [];
  const pairOf: PairResult[][] = members.map(() => []);
  for (let a = 0; a < members.length; a++) {
    for (let b = a + 1; b < members.length; b++) {
      const p: PairResult = { a, b, overlap: overlap(members[a], members[b]), compared: 0, differing: 0, verdict: 'identical', message: '' };
      pairs.push(p);
      pairOf[a][b] = p;
    }
  }
  const commits = members.map((m) => m.hardState?.commit ?? 0n);
  const streams = plans.map((p) => dumpEntries(p));
  const pull = (i: number): StandingEntry | undefined => {
    const r = streams[i].next();
    return r.done ? undefined : r.value;
  };
  const cur = streams.map((_, i) => pull(i));
  const here: number[] = [];
  for (;;) {
    let index: bigint | undefined;
    for (const c of cur) if (c && (index === undefined || c.entry.index < index)) index = c.entry.index;
    if (index === undefined) break;
    here.length = 0;
    cur.forEach((c, i) => c?.entry.index === index && here.push(i));
    for (let x = 0; x < here.length; x++) {
      for (let y = x + 1; y < here.length; y++) compareAt(pairOf[here[x]][here[y]], cur[here[x]]!, cur[here[y]]!, commits[here[x]], commits[here[y]]);
    }
    for (const i of here) cur[i] = pull(i);
  }
  for (const p of pairs) conclude(p, members);
  return pairs;
}

function overlap(a: CompareMember, b: CompareMember): PairResult['overlap'] {
  if (a.firstIndex === undefined || b.firstIndex === undefined) return undefined;
  const from = a.firstIndex > b.firstIndex ? a.firstIndex : b.firstIndex;
  const to = a.lastIndex < b.lastIndex ? a.lastIndex : b.lastIndex;
  return from <= to ? { from, to } : undefined;
}

const EMPTY = new Uint8Array(0);
const bytesOf = (e: StandingEntry) => {
  const d = e.record.data ?? EMPTY;
  return Buffer.from(d.buffer, d.byteOffset, d.length);
};
const at = (e: StandingEntry): EntryAt => ({ term: e.entry.term, segment: e.record.segment.path, offset: e.record.offset });

/** Compares the raw entry records (term, index, type and data) of two members at one index. */
function compareAt(p: PairResult, x: StandingEntry, y: StandingEntry, commitX: bigint, commitY: bigint): void {
  p.compared++;
  if (bytesOf(x).equals(bytesOf(y))) return;
  p.differing++;
  const index = x.entry.index;
  const d: Difference = { index, a: at(x), b: at(y) };
  p.first ??= d;
  // Log Matching: a leader writes one entry per index in its term, so the same index and term
  // means the same entry; raft's findConflict compares terms only and would never mend the bytes.
  const sameTerm = x.entry.term === y.entry.term;
  const committedOnBoth = index <= commitX && index <= commitY;
  if (sameTerm || committedOnBoth) p.corrupt ??= d;
}

function conclude(p: PairResult, members: CompareMember[]): void {
  const [a, b] = [members[p.a], members[p.b]];
  const names = `${label(a)} and ${label(b)}`;
  if (!p.overlap) {
    p.verdict = 'disjoint';
    p.message = `${names} hold no index in common`;
  } else if (!p.first) {
    p.message = `${names}: indexes ${p.overlap.from}–${p.overlap.to} identical (${p.compared} entries)`;
  } else if (p.corrupt) {
    p.verdict = 'corruption';
    const c = p.corrupt;
    const why =
      c.a.term === c.b.term
        ? `with the same term (${c.a.term}) but different bytes: Raft writes one entry per index and term`
        : `(term ${c.a.term} vs ${c.b.term}) at or below both commit indexes (${a.hardState?.commit ?? 0n}, ${b.hardState?.commit ?? 0n}): committed entries must be identical`;
    p.message = `${names} differ at index ${c.index} ${why} — corruption (${p.differing} differing entr${p.differing === 1 ? 'y' : 'ies'} in ${p.overlap.from}–${p.overlap.to})`;
  } else {
    p.verdict = 'legal';
    const f = p.first;
    const above = [a, b].filter((m) => f.index > (m.hardState?.commit ?? 0n));
    const commits = above.map((m) => m.hardState?.commit ?? 0n).join(', ');
    const whose = above.length === 2 ? `both commit indexes (${commits})` : `the commit index of ${above[0].nodeID ?? above[0].dir} (${commits})`;
    p.message = `${names} differ from index ${f.index} (term ${f.a.term} vs ${f.b.term}), above ${whose}: an uncommitted tail a new leader overwrites — legal in Raft`;
  }
}

const label = (m: CompareMember): string => (m.nodeID ? `${m.nodeID} (${m.dir})` : m.dir);
