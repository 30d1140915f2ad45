/**
 * The entries a screen shows, and no others: read from the nearest checkpoint
 * of the OffsetIndex with RecordReader's `resume`, so a screen deep in a
 * 2M-entry log costs at most `every` records of reading.
 *
 * Which records stand is etcd's overwrite rule as wal-scan.ts states it: an
 * entry record stands unless a later one (a higher ordinal) was written at its
 * index or below. The standing records are in index order in the file, so a
 * read can stop at the last index it wants.
 */
import { RecordReader } from '../codec/record-reader.js';
import { RecordType } from '../codec/proto/walpb.js';
import { decodeEntry, type Entry } from '../codec/proto/raftpb.js';
import type { Segment } from '../codec/segment-name.js';
import type { Overwrite } from '../codec/wal-scan.js';
import type { OffsetIndex } from './offset-index.js';

export interface BrowsedEntry {
  /** Its data is a copy, kept as long as the entry is. */
  entry: Entry;
  segment: Segment;
  segmentOrdinal: number;
  /** File offset of the record's length field. */
  offset: number;
  recordBytes: number;
  padBytes: number;
  /** The CRC the record stores and the one computed while reading it. */
  crc: number;
  computedCrc: number;
}

/** What is known of the log: grows while the index is built, final once the scan has ended. */
export interface LogShape {
  segments: Segment[];
  /** Entries start after this index. */
  base: bigint;
  lastIndex: bigint;
  overwrites: Overwrite[];
  /** Entry records the finished scan read; none past them stand (it stopped there). */
  entryRecords?: number;
}

/**
 * Entry data cached at most. A read passes a checkpoint's run of entries on
 * its way to a screen, and keeps them for the next; with entries of a
 * megabyte (etcd takes up to 10 MB) only those on screen are kept.
 */
const CACHE_BYTES = 32 << 20;
/** Bytes read from disk at a time for a screen, and for a search or filter going through the log. */
const WINDOW_CHUNK = 64 << 10;
const STREAM_CHUNK = 1 << 20;

interface Found {
  entry: Entry;
  rec: Omit<BrowsedEntry, 'entry'>;
}

export class EntryWindow {
  private cache = new Map<bigint, BrowsedEntry>();
  private cacheBytes = 0;
  /** laterMin[k]: the lowest index any overwrite from k on rewrites. */
  private laterMin: bigint[] = [];

  constructor(
    private shape: LogShape,
    private readonly index: OffsetIndex,
  ) {
    this.update(shape);
  }

  /** A new shape; entries already read stay valid unless the overwrites changed. */
  update(shape: LogShape): void {
    if (shape.overwrites.length !== this.shape.overwrites.length || shape.entryRecords !== this.shape.entryRecords) this.clearCache();
    this.shape = shape;
    const ow = shape.overwrites;
    this.laterMin = new Array(ow.length);
    for (let k = ow.length - 1; k >= 0; k--) this.laterMin[k] = k + 1 < ow.length && this.laterMin[k + 1] < ow[k].index ? this.laterMin[k + 1] : ow[k].index;
  }

  /** The entry at `index`, reading its checkpoint's run when it is not cached. */
  get(index: bigint): BrowsedEntry | undefined {
    return this.read(index, 1)[0];
  }

  /** Entries first … first+count-1 that the log has. */
  read(first: bigint, count: number): BrowsedEntry[] {
    const last = first + BigInt(count) - 1n < this.shape.lastIndex ? first + BigInt(count) - 1n : this.shape.lastIndex;
    const out: BrowsedEntry[] = [];
    let i = first;
    for (; i <= last && this.cache.has(i); i++) out.push(this.cache.get(i)!);
    if (i > last) return out;
    if (this.cacheBytes > CACHE_BYTES) this.clearCache();
    for (const { entry, rec } of this.scanFrom(i, true)) {
      const wanted = entry.index >= i;
      const bytes = entry.data?.length ?? 0;
      if (!wanted && this.cacheBytes + bytes > CACHE_BYTES) continue;
      const kept: BrowsedEntry = { entry: { ...entry, data: entry.data?.slice() }, ...rec };
      this.cache.set(entry.index, kept);
      this.cacheBytes += bytes;
      if (wanted) out.push(kept);
      if (entry.index >= last) break;
    }
    return out;
  }

  private clearCache(): void {
    this.cache.clear();
    this.cacheBytes = 0;
  }

  /**
   * Entries from `first` on, as long as the caller pulls, for search and
   * filter. Their data are views, valid until the next one; CRCs are not
   * computed again (the index pass checks them).
   */
  *stream(first: bigint): Generator<Entry> {
    for (const { entry } of this.scanFrom(first, false)) if (entry.index >= first) yield entry;
  }

  private *scanFrom(first: bigint, checkCrc: boolean): Generator<Found> {
    const { segments, base, overwrites, entryRecords } = this.shape;
    const cp = first > base ? this.index.nearest(first) : undefined;
    const segBase = cp?.segment ?? 0;
    // A screen needs one checkpoint's run of records: read it in small chunks, not the reader's default 4 MB.
    const chunkBytes = checkCrc ? WINDOW_CHUNK : STREAM_CHUNK;
    const reader = new RecordReader(segments.slice(segBase), { trustCrc: !checkCrc, chunkBytes, ...(cp ? { resume: { offset: cp.offset, crc: cp.crc } } : {}) });
    let ordinal = cp?.ordinal ?? 0;
    let ow = 0;
    while (ow < overwrites.length && overwrites[ow].ordinal <= ordinal) ow++;
    // Until the scan is final, entries past the known last index may still come: read on to the end of the files.
    const last = entryRecords === undefined ? undefined : this.shape.lastIndex;
    try {
      for (let rec = reader.next(); rec; rec = reader.next()) {
        if (rec.type !== RecordType.entry) continue;
        const me = ordinal++;
        if (entryRecords !== undefined && me >= entryRecords) return;
        while (ow < overwrites.length && overwrites[ow].ordinal <= me) ow++;
        const entry = decodeEntry(rec.data ?? new Uint8Array(0));
        if (entry.index <= base || (last !== undefined && entry.index > last)) continue;
        if (ow < overwrites.length && entry.index >= this.laterMin[ow]) continue;
        yield {
          entry,
          rec: {
            segment: rec.segment,
            segmentOrdinal: rec.segmentOrdinal + segBase,
            offset: rec.offset,
            recordBytes: rec.recordBytes,
            padBytes: rec.padBytes,
            crc: rec.crc,
            computedCrc: rec.computedCrc,
          },
        };
      }
    } finally {
      reader.close();
    }
  }
}
