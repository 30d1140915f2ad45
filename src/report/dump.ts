/**
 * `walt dump`: what a data dir holds, in etcd's own reading order. The plan
 * holds the header (start snapshot, metadata, hard state) from a first pass;
 * entries then stream from a second pass, so memory stays flat.
 */
import { chooseStart, openWal, type DataDirPaths, type OpenedWal, type StartPoint } from '../codec/data-dir.js';
import { selectSegments } from '../codec/segment-name.js';
import { scanWal } from '../codec/wal-scan.js';
import { standingEntries, type StandingEntry } from '../codec/wal-entries.js';

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
export function planDump(paths: DataDirPaths, startIndex?: bigint): DumpPlan {
  if (startIndex === undefined) {
    const startPoint = chooseStart(paths);
    return { ...openWal(paths, startPoint.start), startPoint, fromIndex: startPoint.start.index + 1n };
  }
  const base = startIndex > 0n ? startIndex - 1n : 0n;
  const segments = selectSegments(paths.walDir, base);
  // The start is not a snapshot here: no snapshot record has to match it.
  const scan = scanWal(segments, { index: base, term: 0n }, { matchSnapshot: false });
  return { paths, segments, scan, startPoint: { start: { index: base, term: 0n }, tried: [] }, fromIndex: startIndex };
}

export function* dumpEntries(plan: DumpPlan): Generator<StandingEntry> {
  for (const e of standingEntries(plan.segments, plan.scan)) if (e.entry.index >= plan.fromIndex) yield e;
}
