/**
 * The background pass of `walt browse`: etcd's read of the WAL, the same scan
 * `walt dump` makes (wal-scan.ts, with ReadAll's checks), with a hook on every
 * record that fills an OffsetIndex and reports progress as it goes. It is
 * synchronous: browse runs it in a worker thread (index-worker.ts), the tests
 * call it directly.
 */
import type { DataDirPaths, StartPoint } from '../codec/data-dir.js';
import type { Segment } from '../codec/segment-name.js';
import { scanWal } from '../codec/wal-scan.js';
import { fileSize } from '../codec/snap-file.js';
import { RecordType } from '../codec/proto/walpb.js';
import { decodeEntry } from '../codec/proto/raftpb.js';
import type { RawRecord } from '../codec/record-reader.js';
import { dumpStart, type DumpPlan } from '../report/dump.js';
import { DEFAULT_EVERY, OffsetIndex, type CheckpointBatch } from './offset-index.js';

export interface BuildStart {
  startPoint: StartPoint;
  segments: Segment[];
  /** Bytes in the segments read (their file sizes, preallocated tails included). */
  totalBytes: number;
}

export interface BuildProgress {
  /** How far into the segments the pass is, in bytes of files. */
  bytes: number;
  totalBytes: number;
  /** The last index read so far; entries base+1 … lastIndex are known. */
  lastIndex: bigint;
  batch: CheckpointBatch;
}

export interface BuildOptions {
  /** As dump's --start-index: entries from it on; by default, after the snapshot etcd would load. */
  startIndex?: bigint;
  every?: number;
  onStart?: (s: BuildStart) => void;
  onProgress?: (p: BuildProgress) => void;
  /** Called once, right after the first report: enough is known for a first screen. */
  onFirstReport?: () => void;
  /** Least time between progress reports. */
  progressMs?: number;
}

/** Entries known before the first progress report: enough for a first screen, sent without waiting `progressMs`. */
const FIRST_REPORT_ENTRIES = 256;

export function buildIndex(paths: DataDirPaths, opts: BuildOptions = {}): { plan: DumpPlan; index: OffsetIndex } {
  // The first screen does not wait for etcd's read of every segment; the verify stage after this pass reports what it would refuse.
  const { startPoint, segments, matchSnapshot, fromIndex } = dumpStart(paths, opts.startIndex, { startOnly: true });
  const base = startPoint.start.index;
  const sizes = segments.map((s) => fileSize(s.path));
  const before = sizes.map((_, i) => sizes.slice(0, i).reduce((a, b) => a + b, 0));
  const totalBytes = sizes.reduce((a, b) => a + b, 0);
  opts.onStart?.({ startPoint, segments, totalBytes });

  const index = new OffsetIndex(base, opts.every ?? DEFAULT_EVERY);
  const progressMs = opts.progressMs ?? 50;
  let crcBefore = 0;
  let ordinal = 0;
  let lastIndex = base;
  let records = 0;
  let reported = Date.now();
  let firstSent = false;
  const report = (bytes: number) => {
    reported = Date.now();
    opts.onProgress?.({ bytes, totalBytes, lastIndex, batch: index.takeBatch() });
  };
  const onRecord = (rec: RawRecord) => {
    if (rec.type === RecordType.entry) {
      const e = decodeEntry(rec.data ?? new Uint8Array(0));
      // The scan stops at an index gap (etcd's ErrSliceOutOfRange); nothing past one is indexed.
      if (e.index > base && e.index <= lastIndex + 1n) {
        if (e.index <= lastIndex) index.truncateFrom(e.index);
        lastIndex = e.index;
        const k = index.slotOf(e.index);
        if (k >= 0) index.set(k, rec.segmentOrdinal, rec.offset, crcBefore, ordinal);
      }
      ordinal++;
    }
    // After any record that passed, the reader's running CRC is the one the record stores.
    crcBefore = rec.crc;
    if (++records % 512 === 0 || (!firstSent && lastIndex - base >= BigInt(FIRST_REPORT_ENTRIES))) {
      if (!firstSent || Date.now() - reported >= progressMs) {
        report(before[rec.segmentOrdinal] + rec.offset);
        if (!firstSent) opts.onFirstReport?.();
        firstSent = true;
      }
    }
  };
  const scan = scanWal(segments, startPoint.start, { matchSnapshot, onRecord });
  report(totalBytes);
  return { plan: { paths, segments, scan, startPoint, fromIndex }, index };
}
