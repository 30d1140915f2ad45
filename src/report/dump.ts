/**
 * `walt dump`: what a data dir holds, in etcd's own reading order. The plan
 * holds the header (start snapshot, metadata, hard state) from a first pass;
 * entries then stream from a second pass, so memory stays flat.
 */
import { chooseStart, refusalAfterScan, trustedCrcs, type DataDirPaths, type OpenedWal, type StartPoint } from '../codec/data-dir.js';
import { listSegments, selectSegments, type Segment } from '../codec/segment-name.js';
import { scanFailure, scanWal, type ScanOptions } from '../codec/wal-scan.js';
import { CodecError } from '../codec/errors.js';
import { standingEntries, type StandingEntry } from '../codec/wal-entries.js';
import { hiddenTailProblem } from './hidden-tail.js';
import { withNextStep } from './next-step.js';

export interface DumpPlan extends OpenedWal {
  startPoint: StartPoint;
  /** The first index printed (inclusive). */
  fromIndex: bigint;
}

/**
 * Without `startIndex`, starts after the snapshot etcd would load, as etcd
 * does; with it, reads the segments that cover `startIndex` and prints entries
 * from it on (inclusive, unlike etcd-dump-logs).
 */
export interface DumpStart {
  startPoint: StartPoint;
  segments: Segment[];
  /** Whether a snapshot record must match the start (only when it is a snapshot etcd loads). */
  matchSnapshot: boolean;
  fromIndex: bigint;
}

/** Where a dump starts reading, and which segments it reads. */
export function dumpStart(paths: DataDirPaths, startIndex?: bigint, opts: { startOnly?: boolean } = {}): DumpStart {
  // A segment read alone starts at its first entry, which its name gives (0 for the first segment: index 1).
  if (startIndex === undefined && paths.segmentFile) {
    const segments = listSegments(paths.walDir);
    const first = segments[0].index > 0n ? segments[0].index : 1n;
    return { startPoint: { start: { index: first - 1n, term: 0n }, tried: [] }, segments, matchSnapshot: false, fromIndex: first };
  }
  if (startIndex === undefined) {
    const startPoint = chooseStart(paths, opts);
    return { startPoint, segments: selectSegments(paths.walDir, startPoint.start.index), matchSnapshot: true, fromIndex: startPoint.start.index + 1n };
  }
  const base = startIndex > 0n ? startIndex - 1n : 0n;
  return { startPoint: { start: { index: base, term: 0n }, tried: [] }, segments: selectSegments(paths.walDir, base), matchSnapshot: false, fromIndex: startIndex };
}

/**
 * Why the dump's reading ends in an error, if it does: the scan's, a
 * snapshot etcd loads whose record the WAL lacks (ErrSnapshotNotFound), or
 * etcd's refusal to start on the segments (chooseStart). The one answer for
 * the message, the exit status and the NDJSON end record.
 */
export function dumpFailure(plan: DumpPlan): CodecError | undefined {
  const s = plan.scan;
  const failure = scanFailure(s);
  if (failure) return failure;
  if (s.snapshotRequired && !s.snapshotMatched) {
    return new CodecError('SNAPSHOT_NOT_FOUND', `no WAL snapshot record at index ${s.start.index} term ${s.start.term} (etcd's ErrSnapshotNotFound)`, { file: plan.paths.walDir });
  }
  return plan.startPoint.refused;
}

export function planDump(paths: DataDirPaths, startIndex?: bigint, opts: ScanOptions = {}): DumpPlan {
  const chosen = dumpStart(paths, startIndex, { startOnly: true });
  const { segments, matchSnapshot, fromIndex } = chosen;
  const scan = scanWal(segments, chosen.startPoint.start, { trustCrcBefore: trustedCrcs(chosen.startPoint, segments), ...opts, matchSnapshot });
  const startPoint: StartPoint = { ...chosen.startPoint, refused: refusalAfterScan(paths, chosen.startPoint, segments, scan), refusalDeferred: undefined };
  return { paths, segments, scan, startPoint, fromIndex };
}

/** Entries that stand, from `fromIndex` on. */
export function dumpEntries(plan: DumpPlan): Generator<StandingEntry> {
  return standingEntries(plan.segments, plan.scan, plan.fromIndex);
}

/**
 * How the read ended, once, for both the `end` record and the exit code
 * (cli/errors.ts): `eof` exit 0, `torn` (a torn tail in the last segment,
 * which etcd repairs at start) exit 3, `error` exit 1: a scan stopped by
 * corruption, the snapshot record etcd needs missing (ErrSnapshotNotFound),
 * or records hidden behind the end of the log.
 */
export interface DumpOutcome {
  status: 'eof' | 'torn' | 'error';
  error?: { code: string; message: string };
}

export function dumpOutcome(plan: DumpPlan): DumpOutcome {
  const failure = dumpFailure(plan);
  if (failure) return { status: 'error', error: { code: failure.code, message: withNextStep(failure.code, failure.describe()) } };
  if (plan.scan.end.kind === 'torn') return { status: 'torn' };
  const hidden = hiddenTailProblem(plan.scan, plan.segments);
  if (hidden?.severity === 'error') return { status: 'error', error: { code: hidden.code, message: `${hidden.file} at byte ${hidden.offset}: ${hidden.message}` } };
  return { status: 'eof' };
}
