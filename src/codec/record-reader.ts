/**
 * The streaming WAL decoder (etcd wal/decoder.go): reads records in order
 * across segments with one reusable buffer, so memory stays flat whatever the
 * size of the WAL, and carries the rolling CRC-32C across segments.
 *
 * Unlike etcd's decoder it tells why it stopped (a clean end, a torn tail, or
 * which error at which byte) and can keep going past a CRC mismatch, so that
 * forensic commands can show what follows the damage.
 */
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { CodecError, ProtoError } from './errors.js';
import { crc32c } from './crc32c.js';
import { FRAME_HEADER_BYTES, MAX_RECORD_BYTES, framePadBytes, frameRecordBytes, isZeroLengthField } from './frame.js';
import { hasZeroedSector } from './torn.js';
import { decodeRecord, readPlainRecord, RecordType, type PlainRecord } from './proto/walpb.js';
import { isPlainHardState, readPlainEntry, type PlainEntry } from './proto/raftpb.js';
import { view } from './proto/wire.js';
import type { Segment } from './segment-name.js';

export interface RawRecord {
  segment: Segment;
  /** Position of the segment among those being read. */
  segmentOrdinal: number;
  /** File offset of the record's length field. */
  offset: number;
  recordBytes: number;
  padBytes: number;
  type: number;
  /** The CRC stored in the record. */
  crc: number;
  /** The running CRC the reader computed: after this record, or for a crc record the value before it. */
  computedCrc: number;
  /** False where the stored CRC disagrees (only reported when reading with `continueOnCrcError`). */
  crcOk: boolean;
  /** A view into the reader's buffer, valid until the next call to `next()`. */
  data?: Uint8Array;
}

export type ReadEnd =
  | { kind: 'eof' }
  /** io.ErrUnexpectedEOF in etcd: a record cut short, or a torn write in the last segment. */
  | { kind: 'torn'; segment: Segment; segmentOrdinal: number; offset: number; reason: string }
  | { kind: 'error'; error: CodecError; segmentOrdinal: number };

export interface RecordReaderOptions {
  /** Records at least this large are refused (etcd 3.4: 10 MiB). */
  maxRecordBytes?: number;
  /** Report CRC mismatches on records and carry on from the stored value instead of stopping. */
  continueOnCrcError?: boolean;
  /** Bytes read from disk at a time. */
  chunkBytes?: number;
  /**
   * Skip computing CRCs: for a second pass over records a first pass has
   * already checked (it stops where the first pass stopped).
   */
  trustCrc?: boolean;
  /** Per segment, the offset before which records' CRCs were checked by an earlier read of the same bytes (its `segmentEnds`): trusted here. */
  trustCrcBefore?: number[];
  /** Resume inside the first segment: its byte offset (at a record boundary) and the running CRC there. */
  resume?: { offset: number; crc: number };
}

/**
 * What RecordReader.skim takes and gives: the log so far as numbers (exact
 * below 2^53), and what the skimmed records add to it.
 */
export interface Skim {
  /** Entries at this index or below come before the start, and may be anything. */
  startIndex: number;
  /** In: the index an entry past the start must carry to extend the log; out: the one after the last skimmed. */
  next: number;
  /** In: the last entry's term, below which a term stops the skim; out: the last skimmed entry's. */
  term: number;
  /** Out: records skimmed, entries among them, the first and last entry's index, and how many extended the log. */
  records: number;
  entries: number;
  firstIndex: number;
  lastIndex: number;
  extended: number;
  /** Out: the offset of the last hard state record skimmed (-1 for none), and where its data lies in `buffer`. */
  stateOffset: number;
  stateStart: number;
  stateEnd: number;
}

export function newSkim(): Skim {
  return { startIndex: 0, next: 0, term: 0, records: 0, entries: 0, firstIndex: 0, lastIndex: 0, extended: 0, stateOffset: -1, stateStart: 0, stateEnd: 0 };
}

export class RecordReader {
  private readonly segments: Segment[];
  private readonly maxRecordBytes: number;
  private readonly continueOnCrcError: boolean;
  private readonly chunkBytes: number;
  private readonly trustCrc: boolean;
  private readonly trustCrcBefore?: number[];
  /** In the current segment, records before this offset are trusted. */
  private trustUntil = 0;
  private readonly resume?: { offset: number; crc: number };

  private ordinal = -1;
  private fd = -1;
  private fileSize = 0;
  private buf: Uint8Array;
  /** File offset of buf[0]. */
  private bufFileOff = 0;
  private bufLen = 0;
  /** File offset of the next length field. */
  private pos = 0;

  /** The running CRC-32C. */
  crc = 0;
  /** File offset just past the last valid record of the current segment (etcd's lastValidOff). */
  lastValidOffset = 0;
  /** Per segment read to its end (a clean end, the next segment opened or none left), the offset after its last record. */
  readonly segmentEnds: number[] = [];
  end: ReadEnd | undefined;

  constructor(segments: Segment[], opts: RecordReaderOptions = {}) {
    this.segments = segments;
    this.maxRecordBytes = opts.maxRecordBytes ?? MAX_RECORD_BYTES;
    this.continueOnCrcError = opts.continueOnCrcError ?? false;
    this.chunkBytes = opts.chunkBytes ?? 1 << 20;
    // Sized to the files when they are opened: many readers of small WALs (a simulation's restarts) need little.
    this.buf = new Uint8Array(0);
    this.trustCrc = opts.trustCrc ?? false;
    this.trustCrcBefore = opts.trustCrcBefore;
    this.resume = opts.resume;
    if (this.resume) this.crc = this.resume.crc;
  }

  /** The buffer records are read into (a skim's hard state lies in it). */
  get buffer(): Uint8Array {
    return this.buf;
  }

  get currentSegment(): Segment | undefined {
    return this.segments[this.ordinal];
  }

  close(): void {
    if (this.fd >= 0) closeSync(this.fd);
    this.fd = -1;
  }

  private openNext(): boolean {
    this.close();
    if (this.ordinal >= 0) this.segmentEnds[this.ordinal] = this.lastValidOffset;
    this.ordinal++;
    if (this.ordinal >= this.segments.length) return false;
    const seg = this.segments[this.ordinal];
    this.fd = openSync(seg.path, 'r');
    this.fileSize = fstatSync(this.fd).size;
    const want = Math.min(this.chunkBytes, Math.max(this.fileSize, 4096));
    if (this.buf.length < want) this.buf = new Uint8Array(want);
    const start = this.ordinal === 0 && this.resume ? this.resume.offset : 0;
    this.bufFileOff = start;
    this.bufLen = 0;
    this.pos = start;
    this.lastValidOffset = start;
    this.trustUntil = this.trustCrc ? Infinity : (this.trustCrcBefore?.[this.ordinal] ?? 0);
    return true;
  }

  /** Makes bytes [pos, pos+n) available in buf; returns how many of them the file has. */
  private fill(n: number): number {
    const want = Math.min(n, this.fileSize - this.pos);
    const have = this.bufFileOff + this.bufLen - this.pos;
    if (have >= want) return want;
    const start = this.pos - this.bufFileOff;
    if (want > this.buf.length) {
      const bigger = new Uint8Array(Math.max(want, this.buf.length * 2));
      bigger.set(this.buf.subarray(start, this.bufLen));
      this.buf = bigger;
    } else if (start > 0) {
      this.buf.copyWithin(0, start, this.bufLen);
    }
    this.bufLen -= start;
    this.bufFileOff = this.pos;
    while (this.bufLen < want) {
      const n = readSync(this.fd, this.buf, this.bufLen, this.buf.length - this.bufLen, this.bufFileOff + this.bufLen);
      if (n === 0) break;
      this.bufLen += n;
    }
    return Math.min(want, this.bufLen);
  }

  private stop(end: ReadEnd): undefined {
    this.end = end;
    this.close();
    return undefined;
  }

  private torn(offset: number, reason: string): undefined {
    return this.stop({ kind: 'torn', segment: this.segments[this.ordinal], segmentOrdinal: this.ordinal, offset, reason });
  }

  private fail(code: CodecError['code'], message: string, offset: number, data: Record<string, unknown> = {}): undefined {
    const seg = this.segments[this.ordinal];
    return this.stop({ kind: 'error', segmentOrdinal: this.ordinal, error: new CodecError(code, message, { file: seg.path, offset }, data) });
  }

  /** etcd's torn-write test for the record body at buf[at, at+n): only in the last segment. */
  private tornAt(at: number, n: number): boolean {
    return this.ordinal === this.segments.length - 1 && hasZeroedSector(this.buf.subarray(at, at + n), this.bufFileOff + at);
  }

  /** Position of the segment being read among those given (-1 before the first). */
  get segmentOrdinal(): number {
    return this.ordinal;
  }

  /**
   * Consumes, from the bytes already read of the current segment, the run of
   * records that need no more than counting: entries and hard states in
   * etcd's own layout whose CRCs hold (or are trusted), each entry either
   * before the start or extending the log by one with a term no lower than
   * the last. It stops at anything else, which `next()` then reads: a scan
   * without hooks skips the records, views and numbers it would make for each
   * (most of a warm scan's time). Says what it consumed in `s`.
   */
  skim(s: Skim): void {
    s.records = s.entries = s.extended = 0;
    s.stateOffset = -1;
    if (this.end || this.fd < 0) return;
    const buf = this.buf;
    const base = this.bufFileOff;
    const buffered = base + this.bufLen;
    const rec = skimRecord;
    const ent = skimEntry;
    let pos = this.pos;
    let crc = this.crc;
    while (pos + FRAME_HEADER_BYTES <= buffered) {
      const at = pos - base;
      const recordBytes = frameRecordBytes(buf, at);
      const padBytes = framePadBytes(buf, at);
      const next = pos + FRAME_HEADER_BYTES + recordBytes + padBytes;
      if (recordBytes === 0 || recordBytes >= this.maxRecordBytes - padBytes || next > buffered) break;
      const bodyAt = at + FRAME_HEADER_BYTES;
      const bodyEnd = bodyAt + recordBytes;
      if (!readPlainRecord(buf, bodyAt, bodyEnd, rec) || rec.dataStart < 0) break;
      if (pos >= this.trustUntil && crc32c(view(buf, rec.dataStart, bodyEnd), crc) !== rec.crc) break;
      if (rec.type === RecordType.entry) {
        if (!readPlainEntry(buf, rec.dataStart, bodyEnd, ent)) break;
        if (ent.index > s.startIndex) {
          if (ent.index !== s.next || ent.term < s.term) break;
          s.next++;
          s.extended++;
        } else if (ent.term < s.term) break;
        if (s.entries++ === 0) s.firstIndex = ent.index;
        s.lastIndex = ent.index;
        s.term = ent.term;
      } else if (rec.type === RecordType.state && isPlainHardState(buf, rec.dataStart, bodyEnd, ent)) {
        s.stateOffset = pos;
        s.stateStart = rec.dataStart;
        s.stateEnd = bodyEnd;
      } else break;
      crc = rec.crc;
      pos = next;
      s.records++;
    }
    if (s.records === 0) return;
    this.pos = pos;
    this.crc = crc;
    this.lastValidOffset = pos;
  }

  /** The next record, or undefined at the end (then `end` says why). */
  next(): RawRecord | undefined {
    if (this.end) return undefined;
    if (this.ordinal < 0 && !this.openNext()) return this.stop({ kind: 'eof' });
    for (;;) {
      const got = this.fill(FRAME_HEADER_BYTES);
      const off = this.pos;
      const at = off - this.bufFileOff;
      if (got === 0 || (got === FRAME_HEADER_BYTES && isZeroLengthField(this.buf, at))) {
        // End of file or of the written part: the next segment carries on.
        if (!this.openNext()) return this.stop({ kind: 'eof' });
        continue;
      }
      if (got < FRAME_HEADER_BYTES) return this.torn(off, `the file ends inside a length field (${got} of 8 bytes)`);
      const recordBytes = frameRecordBytes(this.buf, at);
      const padBytes = framePadBytes(this.buf, at);
      if (recordBytes >= this.maxRecordBytes - padBytes) {
        return this.fail('RECORD_TOO_LARGE', `length field says ${recordBytes} bytes, over the ${this.maxRecordBytes}-byte limit etcd accepts`, off, { recordBytes });
      }
      const bodyBytes = recordBytes + padBytes;
      const gotBody = this.fill(FRAME_HEADER_BYTES + bodyBytes) - FRAME_HEADER_BYTES;
      if (gotBody < bodyBytes) {
        return this.torn(off, `the record is cut short by the end of the file (${gotBody} of ${bodyBytes} bytes)`);
      }
      this.pos = off + FRAME_HEADER_BYTES;
      const bodyAt = this.pos - this.bufFileOff;
      let rec;
      try {
        rec = decodeRecord(this.buf, bodyAt, bodyAt + recordBytes);
      } catch (e) {
        if (this.tornAt(bodyAt, bodyBytes)) return this.torn(off, 'the record does not decode and has a zeroed sector');
        // wal/decoder.go passes on Unmarshal's io.ErrUnexpectedEOF as it comes: etcd reads it as a torn write.
        if (e instanceof ProtoError && e.truncated) return this.torn(off, `the record's protobuf ends inside a field (${e.message}), which etcd reads as a torn write`);
        return this.fail('CORRUPT_RECORD', `record does not decode: ${(e as Error).message}`, off);
      }
      let crcOk = true;
      let computed: number;
      if (rec.type === RecordType.crc) {
        // The chain check that etcd does in ReadAll/Verify/Repair: 0 means nothing was read before.
        computed = this.crc;
        if (this.crc !== 0 && this.crc !== rec.crc) {
          crcOk = false;
          if (!this.continueOnCrcError) {
            return this.fail('CRC_MISMATCH', `crc record stores ${hex32(rec.crc)} but the chain so far computes ${hex32(this.crc)}`, off, { expected: rec.crc, actual: this.crc });
          }
        }
        this.crc = rec.crc;
      } else {
        computed = off < this.trustUntil ? rec.crc : rec.data ? crc32c(rec.data, this.crc) : this.crc;
        if (computed !== rec.crc) {
          if (this.tornAt(bodyAt, bodyBytes)) return this.torn(off, 'the record fails its CRC and has a zeroed sector');
          crcOk = false;
          if (!this.continueOnCrcError) {
            return this.fail('CRC_MISMATCH', `${recordTypeLabel(rec.type)} record stores CRC ${hex32(rec.crc)} but its data computes ${hex32(computed)}`, off, {
              expected: rec.crc,
              actual: computed,
            });
          }
          this.crc = rec.crc;
        } else {
          this.crc = computed;
        }
      }
      this.pos += bodyBytes;
      if (crcOk) this.lastValidOffset = this.pos;
      return {
        segment: this.segments[this.ordinal],
        segmentOrdinal: this.ordinal,
        offset: off,
        recordBytes,
        padBytes,
        type: rec.type,
        crc: rec.crc,
        computedCrc: computed,
        crcOk,
        data: rec.data,
      };
    }
  }

  *[Symbol.iterator](): Generator<RawRecord> {
    for (let r = this.next(); r; r = this.next()) yield r;
  }
}

const skimRecord: PlainRecord = { pos: 0, type: 0, crc: 0, dataStart: -1 };
const skimEntry: PlainEntry = { pos: 0, term: 0, index: 0 };

export const hex32 = (n: number): string => '0x' + (n >>> 0).toString(16).padStart(8, '0');

function recordTypeLabel(t: number): string {
  return RecordType[t] ?? `type-${t}`;
}
