/**
 * `walt verify`: what etcd would refuse at start, and more. One pass reads
 * every record of every segment with etcd's ReadAll checks from the snapshot
 * etcd would start from; the rest compares what that pass found with the
 * .snap files and the hard state.
 */
import { CodecError } from '../codec/errors.js';
import { join } from 'node:path';
import { chooseStart, refusalAfterScan, trustedCrcs, type DataDirPaths, type StartPoint } from '../codec/data-dir.js';
import { listSegments, searchIndex, sequenceGap, type Segment } from '../codec/segment-name.js';
import { listSnapFiles, readSnapFile } from '../codec/snap-file.js';
import { scanWal, type WalScan } from '../codec/wal-scan.js';
import type { RawRecord } from '../codec/record-reader.js';
import { idHex } from '../codec/proto/metadata.js';
import { checkDataDirBackend, type BackendSummary, type DataDirBackend, type InspectedBackend } from './backend.js';
import { inspectOffThread } from './backend-thread.js';
import { brokenSnapSeverity } from './snap-list.js';
import { hiddenTailProblem } from './hidden-tail.js';
import { withNextStep } from './next-step.js';
import type { Problem, Verdict } from './problem.js';


export interface VerifyReport {
  ok: boolean;
  verdict: Verdict;
  walDir: string;
  snapDir?: string;
  nodeID?: string;
  clusterID?: string;
  segments: Array<{ name: string; records: number; entries: number; firstIndex?: bigint; lastIndex?: bigint; usedBytes: number }>;
  start: { index: bigint; term: bigint; snapFile?: string };
  hardState?: { term: bigint; vote: string; commit: bigint };
  lastIndex: bigint;
  entries: number;
  snapFiles: Array<{ name: string; ok: boolean; index?: bigint; term?: bigint; error?: string }>;
  /** The bbolt backend etcd opens at start (member/snap/db, or the .snap.db it swaps in). */
  backend?: BackendSummary & { replacedBy?: string };
  problems: Problem[];
}

const fromError = (e: CodecError, extra: Partial<Problem> = {}): Problem => ({
  severity: 'error',
  code: e.code,
  message: withNextStep(e.code, e.message),
  file: e.file,
  offset: e.offset,
  ...extra,
});

export interface VerifyOptions {
  onProgress?: (bytes: number) => void;
  /** Check the backend too (default); the WAL surgeons (repair-tail, cut) judge the log alone. */
  backend?: boolean;
  /** verifyDataDirThreaded: the smallest backend checked on a second thread (backend-thread.ts THREAD_MIN_BYTES). */
  threadMinBytes?: number;
}

export function verifyDataDir(paths: DataDirPaths, opts: VerifyOptions = {}): VerifyReport {
  const wal = readWal(paths, opts);
  return conclude(paths, wal, paths.snapDir && opts.backend !== false ? checkBackend(paths.snapDir, wal) : undefined);
}

/**
 * verifyDataDir, the same report, with the backend's bbolt check (a read of
 * every page) on a second thread while this one reads the WAL, where the
 * file is large enough to pay for the thread (backend-thread.ts).
 */
export async function verifyDataDirThreaded(paths: DataDirPaths, opts: VerifyOptions = {}): Promise<VerifyReport> {
  if (!paths.snapDir || opts.backend === false) return verifyDataDir(paths, opts);
  const job = inspectOffThread(join(paths.snapDir, 'db'), opts.threadMinBytes);
  let wal: WalPart;
  try {
    wal = readWal(paths, opts);
  } catch (e) {
    job?.cancel();
    throw e;
  }
  return conclude(paths, wal, checkBackend(paths.snapDir, wal, await job?.result));
}

/** What the WAL and the .snap files say, before the backend is judged against them. */
interface WalPart {
  problems: Problem[];
  start: StartPoint;
  segments: Segment[];
  scan: WalScan;
  snapFiles: VerifyReport['snapFiles'];
}

function checkBackend(snapDir: string, wal: WalPart, inspectedDb?: InspectedBackend): DataDirBackend {
  const { start, scan } = wal;
  return checkDataDirBackend({ snapDir, snapshot: { index: start.start.index, term: start.start.term, file: start.snap?.file.name }, lastIndex: scan.lastIndex, inspectedDb });
}

function readWal(paths: DataDirPaths, opts: VerifyOptions): WalPart {
  const problems: Problem[] = [];
  const all = listSegments(paths.walDir);
  // Without a .snap file the start is index 0 whatever the read of every segment finds, so the scan below is that read too.
  const start = chooseStart(paths, { startOnly: true });

  // Segments etcd would read: from the one covering the start index on. Older ones are read too
  // (their CRCs still guard the history), unless a gap cuts them off from the rest.
  let first = 0;
  const gap = sequenceGap(all);
  const chosen = searchIndex(all, start.start.index);
  if (chosen < 0) {
    problems.push({ severity: 'error', code: 'NO_SEGMENTS', message: `no segment covers the start index ${start.start.index}`, file: paths.walDir });
  }
  if (gap >= 0) {
    const prob: Problem = { severity: 'error', code: 'SEGMENT_SEQUENCE', message: `segment sequence jumps from ${all[gap - 1].name} to ${all[gap].name}`, file: all[gap].path };
    if (chosen >= 0 && gap <= chosen) {
      prob.severity = 'warning';
      prob.message += ' (before the segment etcd starts from, so etcd does not read it)';
      first = gap;
    }
    problems.push(prob);
  }
  const segments: Segment[] = all.slice(first, gap > chosen && chosen >= 0 ? gap : undefined);

  let bytes = 0;
  const onProgress = opts.onProgress;
  const scan = scanWal(segments, start.start, {
    // The read that found the snapshot records checked these CRCs already.
    trustCrcBefore: trustedCrcs(start, segments),
    historyBefore: chosen > first ? all[chosen].name : undefined,
    onRecord: onProgress
      ? (rec: RawRecord) => {
          bytes += 8 + rec.recordBytes + rec.padBytes;
          onProgress(bytes);
        }
      : undefined,
  });
  checkScan(scan, segments, problems);
  for (const u of scan.unknownInHistory) {
    problems.push({ severity: 'warning', code: 'UNEXPECTED_RECORD_TYPE', message: `record type ${u.type} is unknown, in a segment before the one etcd starts from: its search for snapshot records passes over it, so etcd starts`, file: u.segment, offset: u.offset });
  }
  const td = scan.termDecrease;
  if (td) problems.push({ severity: 'error', code: 'TERM_DECREASES', message: `entry ${td.index} has term ${td.term}, lower than the term ${td.previousTerm} before it`, file: td.segment, offset: td.offset });
  checkHardState(scan, problems);
  const hidden = hiddenTailProblem(scan, segments);
  if (hidden) problems.push(hidden);
  const snapFiles = checkSnapFiles(paths, scan, start.snap?.file.name, problems);
  return { problems, start, segments, scan, snapFiles };
}

function conclude(paths: DataDirPaths, wal: WalPart, be: DataDirBackend | undefined): VerifyReport {
  const { problems, start, segments, scan, snapFiles } = wal;
  let backend: VerifyReport['backend'];
  if (be) {
    problems.push(...be.problems);
    if (be.backend) backend = { ...be.backend, replacedBy: be.replacedBy };
  }

  // etcd reads every segment from the first for its snapshot records before anything else; damage there
  // that the scan above did not reach (a stray or duplicated segment) keeps it from starting.
  const refused = refusalAfterScan(paths, start, segments, scan);
  if (refused && !problems.some((p) => p.severity === 'error' && p.file === refused.file && p.offset === refused.offset)) {
    problems.push({ severity: 'error', code: refused.code, message: `etcd reads every segment for its snapshot records (wal.ValidSnapshotEntries) and refuses to start: ${refused.message}`, file: refused.file, offset: refused.offset });
  }
  // Every error names its next step (report/next-step.ts), whichever check found it.
  for (const p of problems) if (p.severity === 'error') p.message = withNextStep(p.code, p.message);
  const errors = problems.filter((p) => p.severity === 'error');
  const verdict: Verdict = errors.length === 0 ? 'healthy' : errors.every((p) => p.repairable) ? 'torn-tail' : 'corrupt';
  return {
    ok: errors.length === 0,
    verdict,
    walDir: paths.walDir,
    snapDir: paths.snapDir,
    nodeID: scan.metadata && idHex(scan.metadata.nodeId),
    clusterID: scan.metadata && idHex(scan.metadata.clusterId),
    segments: scan.segments.map((s) => ({ name: s.segment.name, records: s.records, entries: s.entries, firstIndex: s.firstIndex, lastIndex: s.lastIndex, usedBytes: s.usedBytes })),
    start: { index: start.start.index, term: start.start.term, snapFile: start.snap?.file.name },
    hardState: scan.hardState && { term: scan.hardState.term, vote: idHex(scan.hardState.vote), commit: scan.hardState.commit },
    lastIndex: scan.lastIndex,
    entries: scan.entryCount,
    snapFiles,
    backend,
    problems,
  };
}

function checkScan(scan: WalScan, segments: Segment[], problems: Problem[]): void {
  if (scan.error) problems.push(fromError(scan.error));
  const end = scan.end;
  if (end.kind === 'error') problems.push(fromError(end.error));
  if (end.kind === 'torn') {
    const last = end.segmentOrdinal === segments.length - 1;
    problems.push({
      severity: 'error',
      code: last ? 'TORN_TAIL' : 'TRUNCATED_SEGMENT',
      message: last
        ? `torn write at the end of the last segment: ${end.reason}`
        : `segment ends early: ${end.reason}, and later segments follow (not a torn tail: data is missing mid-log)`,
      file: end.segment.path,
      offset: end.offset,
      repairable: last,
    });
  }
  if (scan.snapshotRequired && !scan.snapshotMatched && !scan.error && scan.end.kind !== 'error') {
    problems.push({ severity: 'error', code: 'SNAPSHOT_NOT_FOUND', message: `no snapshot record at index ${scan.start.index} term ${scan.start.term} in the WAL`, file: segments[0]?.path });
  }
}

function checkHardState(scan: WalScan, problems: Problem[]): void {
  const hs = scan.hardState;
  if (!hs || scan.error || scan.end.kind === 'error') return;
  // raft refuses to start unless start index ≤ commit ≤ last index (raft.go loadState).
  if (hs.commit > scan.lastIndex) {
    problems.push({ severity: 'error', code: 'COMMIT_BEYOND_LOG', message: `hard state commits index ${hs.commit} but the log ends at ${scan.lastIndex}`, file: scan.hardStateAt && scan.segments.find((s) => s.segment.name === scan.hardStateAt!.segment)?.segment.path, offset: scan.hardStateAt?.offset });
  }
  if (hs.commit < scan.start.index) {
    problems.push({ severity: 'error', code: 'COMMIT_BEFORE_SNAPSHOT', message: `hard state commits index ${hs.commit}, below the snapshot at ${scan.start.index}`, file: scan.hardStateAt && scan.segments.find((s) => s.segment.name === scan.hardStateAt!.segment)?.segment.path, offset: scan.hardStateAt?.offset });
  }
}

function checkSnapFiles(paths: DataDirPaths, scan: WalScan, loaded: string | undefined, problems: Problem[]): VerifyReport['snapFiles'] {
  if (!paths.snapDir) return [];
  const out: VerifyReport['snapFiles'] = [];
  const walSnaps = new Set(scan.snapshots.map((s) => `${s.term}/${s.index}`));
  for (const f of listSnapFiles(paths.snapDir)) {
    if (f.kind !== 'snap') continue;
    try {
      const s = readSnapFile(f.path).snapshot.metadata;
      out.push({ name: f.name, ok: true, index: s.index, term: s.term });
      if (s.index !== f.index || s.term !== f.term) {
        problems.push({ severity: 'error', code: 'SNAP_NAME_MISMATCH', message: `file name says term ${f.term} index ${f.index}, its metadata term ${s.term} index ${s.index}`, file: f.path });
      }
      // Only the WAL segments read are known here; a record in an older purged segment cannot be checked.
      if (s.index >= scan.start.index && !walSnaps.has(`${s.term}/${s.index}`) && !scan.error && scan.end.kind === 'eof') {
        problems.push({ severity: 'warning', code: 'SNAP_NOT_IN_WAL', message: `no WAL snapshot record for this snapshot (term ${s.term} index ${s.index}); etcd will not load it`, file: f.path });
      }
    } catch (e) {
      if (!(e instanceof CodecError)) throw e;
      out.push({ name: f.name, ok: false, error: e.message });
      problems.push({ ...fromError(e), severity: brokenSnapSeverity(loaded), message: `${e.message}${loaded ? ` (etcd falls back to ${loaded})` : ''}` });
    }
  }
  return out;
}
