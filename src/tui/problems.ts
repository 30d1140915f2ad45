/**
 * Where the log goes wrong, for marking it where it is: `walt verify`'s
 * problems by file and byte offset, and how etcd's read of the log ended.
 */
import { scanFailure, type WalScan } from '../codec/wal-scan.js';
import type { Segment } from '../codec/segment-name.js';
import type { Problem } from '../report/problem.js';

export const problemsAt = (problems: Problem[], file: string | undefined, offset: number | undefined): Problem[] =>
  problems.filter((p) => p.file === file && p.offset === offset);

export interface ReadEndInfo {
  reason: string;
  file?: string;
  offset?: number;
}

/** Why the read stopped short of a clean end (corruption, a failed check, a torn tail), or undefined. */
export function endOfRead(scan: WalScan): ReadEndInfo | undefined {
  const failure = scanFailure(scan);
  if (failure) return { reason: `${failure.code}: ${failure.message}`, file: failure.file, offset: failure.offset };
  const end = scan.end;
  if (end.kind === 'torn') return { reason: `torn write: ${end.reason}`, file: end.segment.path, offset: end.offset };
  return undefined;
}

export interface SegmentStatus {
  text: string;
  bad: boolean;
}

/**
 * A segment's line in the segments pane: the first problem verify found in
 * it, else whether the read covers it (etcd does not read segments wholly
 * before the snapshot it starts from) and has finished with it.
 */
export function segmentStatus(seg: Segment, problems: Problem[], read: Segment[] | undefined, scan: WalScan | 'reading' | 'failed'): SegmentStatus {
  const p = problems.find((x) => x.file === seg.path);
  if (p) return { text: `${p.code}${p.offset !== undefined ? ` @${p.offset}` : ''}`, bad: p.severity === 'error' };
  if (typeof scan === 'string') return { text: scan === 'reading' ? 'reading' : '', bad: false };
  const end = endOfRead(scan);
  if (end && end.file === seg.path) return { text: `stopped @${end.offset ?? '?'}`, bad: true };
  if (read && !read.some((s) => s.path === seg.path)) return { text: 'not read', bad: false };
  return { text: 'ok', bad: false };
}
