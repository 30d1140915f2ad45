/**
 * One pass over the WAL with the checks of etcd's ReadAll (wal/wal.go): the
 * metadata must be the same in every segment, the snapshot the read starts
 * from must be found with its term, entry indexes must not skip, and a later
 * entry at an index replaces the earlier ones from there on (an overwritten,
 * uncommitted tail). It keeps a summary, not the entries, so its memory does
 * not grow with the log; `wal-entries.ts` then streams the entries that stand.
 */
import { CodecError, ProtoError } from './errors.js';
import { newSkim, RecordReader, type RawRecord, type ReadEnd, type RecordReaderOptions, type Skim } from './record-reader.js';
import { RecordType, decodeWalSnapshot, type WalSnapshot } from './proto/walpb.js';
import { decodeEntry, decodeHardState, type Entry, type HardState } from './proto/raftpb.js';
import { decodeMetadata, type WalMetadata } from './proto/metadata.js';
import type { Segment } from './segment-name.js';

/** Where a later entry replaced earlier ones: every entry before record `ordinal` with index ≥ `index` is gone. */
export interface Overwrite {
  ordinal: number;
  index: bigint;
  segment: string;
  offset: number;
}

export interface SegmentSummary {
  segment: Segment;
  records: number;
  entries: number;
  firstIndex?: bigint;
  lastIndex?: bigint;
  /** Bytes up to the end of the last valid record. */
  usedBytes: number;
}

export interface SnapshotMark extends WalSnapshot {
  segment: string;
  offset: number;
}

export interface WalScan {
  start: WalSnapshot;
  segments: SegmentSummary[];
  metadata?: WalMetadata;
  metadataBytes?: Uint8Array;
  hardState?: HardState;
  hardStateAt?: { segment: string; offset: number };
  snapshots: SnapshotMark[];
  /** The start is a snapshot whose record ReadAll must find (false for an arbitrary start index). */
  snapshotRequired: boolean;
  /** The start snapshot's record was found with the same term. */
  snapshotMatched: boolean;
  /** Records of unknown types in segments before the one ReadAll starts from (ScanOptions.historyBefore). */
  unknownInHistory: Array<{ segment: string; offset: number; type: number }>;
  /** Number of entry records read (the ordinals `Overwrite` refers to). */
  entryRecords: number;
  /** Entries after the start that stand once overwrites are applied. */
  entryCount: number;
  /** The last index that stands (start.index when there is none). */
  lastIndex: bigint;
  overwrites: Overwrite[];
  /** Where reading stopped cleanly: the segment, the offset after its last valid record, and the running CRC there. */
  endPosition: { segmentOrdinal: number; offset: number; crc: number };
  /** The first entry whose term is lower than the one before it (a log raft could not have written). */
  termDecrease?: { index: bigint; term: bigint; previousTerm: bigint; segment: string; offset: number };
  end: ReadEnd;
  /** An error of ReadAll's own checks (metadata conflict, index gap, snapshot mismatch, unknown record type). */
  error?: CodecError;
}

export interface ScanOptions extends RecordReaderOptions {
  /** Check the snapshot record at the start index, as ReadAll does (off when the start is not a snapshot). */
  matchSnapshot?: boolean;
  /** Called for each record before it is interpreted (for --raw and progress). */
  onRecord?: (rec: RawRecord) => void;
  /**
   * Called, in log order, for each entry after the start that passes ReadAll's
   * checks, overwritten ones included (a later call with a lower index is an
   * overwrite); its data is a view into the reader's buffer.
   */
  onEntry?: (e: Entry) => void;
  /** Called for each hard state record. */
  onHardState?: (hs: HardState) => void;
  /**
   * The first segment etcd's ReadAll reads (by name); segments before it are
   * read only by wal.ValidSnapshotEntries, which passes over record types it
   * does not know: there such a record is noted (unknownInHistory), not fatal.
   */
  historyBefore?: string;
}

const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);

/** Scans with etcd's ReadAll checks. */
export function scanWal(segments: Segment[], start: WalSnapshot, opts: ScanOptions = {}): WalScan {
  const reader = new RecordReader(segments, opts);
  const scan: WalScan = {
    start,
    segments: segments.map((segment) => ({ segment, records: 0, entries: 0, usedBytes: 0 })),
    snapshots: [],
    unknownInHistory: [],
    snapshotRequired: opts.matchSnapshot !== false,
    snapshotMatched: false,
    entryRecords: 0,
    entryCount: 0,
    lastIndex: start.index,
    overwrites: [],
    endPosition: { segmentOrdinal: 0, offset: 0, crc: 0 },
    end: { kind: 'eof' },
  };
  let lastTerm = 0n;
  /** The index that extends the log; a lower one overwrites. */
  let next = start.index + 1n;
  const fail = (rec: RawRecord, code: CodecError['code'], message: string, data: Record<string, unknown> = {}) => {
    scan.error = new CodecError(code, message, { file: rec.segment.path, offset: rec.offset }, data);
  };
  // Hooks see every record as it is: only a scan without them can skim.
  const skim = opts.onRecord || opts.onEntry || opts.onHardState ? undefined : newSkim();
  // Closed however the scan ends, a hook's failure too.
  try {
    while (!scan.error) {
      if (skim && skimmed(skim)) continue;
      const rec = reader.next();
      if (!rec) break;
      opts.onRecord?.(rec);
      const end = scan.endPosition;
      end.segmentOrdinal = rec.segmentOrdinal;
      end.offset = reader.lastValidOffset;
      end.crc = reader.crc;
      const seg = scan.segments[rec.segmentOrdinal];
      seg.records++;
      seg.usedBytes = reader.lastValidOffset;
      try {
        interpret(rec);
      } catch (e) {
        // Failures of the caller's hooks are theirs to report.
        if (!(e instanceof ProtoError)) throw e;
        // etcd panics here (pbutil.MustUnmarshal); walt names the record instead.
        fail(rec, 'CORRUPT_RECORD', `${RecordType[rec.type] ?? 'unknown'} record passes its CRC but does not decode: ${(e as Error).message}`);
      }
    }
  } finally {
    reader.close();
  }
  scan.end = reader.end ?? { kind: 'eof' };
  return scan;

  /** Lets the reader skim what needs only counting (RecordReader.skim), and counts it; false when it took nothing. */
  function skimmed(s: Skim): boolean {
    const ordinal = reader.segmentOrdinal;
    // Numbers past 2^53 are for the record-by-record path.
    if (ordinal < 0 || next > MAX_SAFE || lastTerm > MAX_SAFE) return false;
    // next is past the start, so the start is a safe number too.
    s.startIndex = Number(start.index);
    s.next = Number(next);
    s.term = Number(lastTerm);
    reader.skim(s);
    if (s.records === 0) return false;
    const seg = scan.segments[ordinal];
    seg.records += s.records;
    seg.usedBytes = reader.lastValidOffset;
    if (s.entries > 0) {
      seg.entries += s.entries;
      seg.firstIndex ??= BigInt(s.firstIndex);
      seg.lastIndex = BigInt(s.lastIndex);
      scan.entryRecords += s.entries;
      lastTerm = BigInt(s.term);
    }
    if (s.extended > 0) {
      scan.entryCount += s.extended;
      next = BigInt(s.next);
      scan.lastIndex = next - 1n;
    }
    if (s.stateOffset >= 0) {
      scan.hardState = decodeHardState(reader.buffer.subarray(s.stateStart, s.stateEnd));
      scan.hardStateAt = { segment: seg.segment.name, offset: s.stateOffset };
    }
    const end = scan.endPosition;
    end.segmentOrdinal = ordinal;
    end.offset = reader.lastValidOffset;
    end.crc = reader.crc;
    return true;
  }

  function interpret(rec: RawRecord): void {
    const data = rec.data ?? new Uint8Array(0);
    const seg = scan.segments[rec.segmentOrdinal];
    switch (rec.type) {
      case RecordType.entry: {
        // Only a hook looks at the entry's data.
        const e = decodeEntry(data, 0, data.length, opts.onEntry !== undefined);
        if (e.term < lastTerm && !scan.termDecrease) scan.termDecrease = { index: e.index, term: e.term, previousTerm: lastTerm, segment: rec.segment.path, offset: rec.offset };
        lastTerm = e.term;
        const ordinal = scan.entryRecords++;
        seg.entries++;
        seg.firstIndex ??= e.index;
        seg.lastIndex = e.index;
        if (e.index > start.index) {
          if (e.index > next) {
            fail(rec, 'SLICE_OUT_OF_RANGE', `entry ${e.index} follows entry ${next - 1n}: the log skips ${e.index - next} index(es)`, { index: e.index, expected: next });
            return;
          }
          if (e.index === next) {
            scan.entryCount++;
          } else {
            scan.overwrites.push({ ordinal, index: e.index, segment: rec.segment.name, offset: rec.offset });
            scan.entryCount = Number(e.index - start.index);
          }
          scan.lastIndex = e.index;
          next = e.index + 1n;
          opts.onEntry?.(e);
        }
        break;
      }
      case RecordType.state:
        scan.hardState = decodeHardState(data);
        opts.onHardState?.(scan.hardState);
        scan.hardStateAt = { segment: rec.segment.name, offset: rec.offset };
        break;
      case RecordType.metadata:
        if (scan.metadataBytes && !Buffer.from(scan.metadataBytes).equals(data)) {
          fail(rec, 'METADATA_CONFLICT', 'metadata differs from the metadata of the first segment read');
          break;
        }
        if (!scan.metadataBytes) {
          scan.metadataBytes = data.slice();
          scan.metadata = decodeMetadata(data);
        }
        break;
      case RecordType.crc:
        break;
      case RecordType.snapshot: {
        const s = decodeWalSnapshot(data);
        scan.snapshots.push({ ...s, segment: rec.segment.name, offset: rec.offset });
        if (s.index === start.index && opts.matchSnapshot !== false) {
          if (s.term !== start.term) {
            fail(rec, 'SNAPSHOT_MISMATCH', `snapshot record at index ${s.index} has term ${s.term}, expected ${start.term}`, { index: s.index, term: s.term, expectedTerm: start.term });
            break;
          }
          scan.snapshotMatched = true;
        }
        break;
      }
      default:
        if (opts.historyBefore !== undefined && rec.segment.name < opts.historyBefore) scan.unknownInHistory.push({ segment: rec.segment.path, offset: rec.offset, type: rec.type });
        else fail(rec, 'UNEXPECTED_RECORD_TYPE', `unexpected record type ${rec.type}`, { type: rec.type });
    }
  }
}

/** What stopped the scan, as one error; undefined for a clean end or a torn tail in the last segment. */
export function scanFailure(scan: WalScan): CodecError | undefined {
  if (scan.error) return scan.error;
  if (scan.end.kind === 'error') return scan.end.error;
  return undefined;
}
