/**
 * What lies behind etcd's end of the log. etcd's decoder stops at a length
 * field of 0 (wal/decoder.go decodeRecord: "hit end of preallocated space"),
 * in the last segment for good; etcd 3.4 then zeroes everything after it
 * when it opens the WAL for writing (wal/wal.go ReadAll: fileutil.ZeroToEnd).
 * A zeroed sector or length field in the middle of the last segment thus
 * ends the log early and, at the next start, erases the records after it.
 *
 * This reads the rest of the last segment from that end: all zero is the
 * preallocated tail etcd left; anything else is looked at for records that
 * still pass their CRC. The first hidden record is checked against the
 * running CRC at the end of the log when it sits right there (only its
 * length field was zeroed); past a wider gap the running CRC is unknown, so a
 * run starts where two records in a row chain (the second's CRC is the
 * CRC-32C of its data from the first's stored CRC), and goes on record by
 * record as etcd's decoder would.
 */
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { crc32c } from './crc32c.js';
import { FRAME_HEADER_BYTES, MAX_RECORD_BYTES, framePadBytes, frameRecordBytes, padFor } from './frame.js';
import { RecordType } from './proto/walpb.js';
import { decodeEntry, decodeHardState } from './proto/raftpb.js';

export interface HiddenTail {
  file: string;
  /** Where etcd's log ends: the zero length field. */
  endOffset: number;
  /** The first non-zero byte after it. */
  firstNonZero: number;
  /** A run of records that pass their CRCs, when one is found. */
  records?: {
    /** The length field of the first record of the run (zeroed, when it sits at endOffset). */
    offset: number;
    /** Just past the last record of the run. */
    endOffset: number;
    /** The first record of the run whose length field is intact, and the running CRC before it (when known). */
    framedFrom: number;
    crcBefore?: number;
    count: number;
    entries?: { first: bigint; last: bigint; count: number };
    /** The highest commit index of the hard states in the run. */
    commit?: bigint;
  };
}

/**
 * Bytes read at a time while looking for the first non-zero byte: small enough
 * that the two buffers stay in the CPU's cache and cost few fresh pages, large
 * enough that a call reads much of etcd's preallocated tail.
 */
const CHUNK = 256 << 10;

interface Rec {
  type: number;
  crc: number;
  data: Uint8Array;
  /** Bytes of the marshalled record. */
  size: number;
}

/**
 * The rest of `file` from `endOffset` (a zero length field, or the end of the
 * file), when any of it is non-zero; `crcAtEnd` is the running CRC there.
 */
export function findHiddenTail(file: string, endOffset: number, crcAtEnd: number): HiddenTail | undefined {
  const fd = openSync(file, 'r');
  try {
    const size = fstatSync(fd).size;
    const firstNonZero = findNonZero(fd, endOffset, size);
    if (firstNonZero < 0) return undefined;
    const base = endOffset;
    const buf = Buffer.allocUnsafe(size - base);
    let got = 0;
    while (got < buf.length) {
      const n = readSync(fd, buf, got, buf.length - got, base + got);
      if (n === 0) break;
      got += n;
    }
    const tail: HiddenTail = { file, endOffset, firstNonZero };
    const run = findRun(buf.subarray(0, got), firstNonZero - base, crcAtEnd);
    if (run) tail.records = { ...run, offset: run.offset + base, endOffset: run.endOffset + base, framedFrom: run.framedFrom + base };
    return tail;
  } finally {
    closeSync(fd);
  }
}

function findNonZero(fd: number, from: number, size: number): number {
  const buf = Buffer.allocUnsafe(CHUNK);
  const zero = Buffer.alloc(CHUNK);
  for (let at = from; at < size; ) {
    const n = readSync(fd, buf, 0, Math.min(CHUNK, size - at), at);
    if (n === 0) break;
    // A whole zero chunk (etcd's preallocated tail) is one memcmp; only a chunk that differs is looked at byte by byte.
    if (!buf.subarray(0, n).equals(zero.subarray(0, n))) for (let i = 0; i < n; i++) if (buf[i] !== 0) return at + i;
    at += n;
  }
  return -1;
}

type Run = NonNullable<HiddenTail['records']>;

function findRun(buf: Uint8Array, firstNonZero: number, crcAtEnd: number): Run | undefined {
  // Only the length field zeroed: the record itself delimits its length, and the running CRC is known.
  const own = readBody(buf, FRAME_HEADER_BYTES, buf.length);
  if (own && crc32c(own.data, crcAtEnd) === own.crc && own.type !== RecordType.crc) {
    const next = FRAME_HEADER_BYTES + own.size + padFor(own.size);
    return { ...follow(buf, 0, own, next), framedFrom: next, crcBefore: own.crc };
  }
  for (let pos = firstNonZero & ~7; pos + FRAME_HEADER_BYTES <= buf.length; pos += 8) {
    const first = framed(buf, pos);
    if (!first) continue;
    const next = pos + FRAME_HEADER_BYTES + first.size + padFor(first.size);
    const second = framed(buf, next);
    if (second && chains(first.crc, second)) return { ...follow(buf, pos, first, next), framedFrom: pos };
  }
  return undefined;
}

/** From a first record whose CRC holds, on through every record that chains. */
function follow(buf: Uint8Array, offset: number, first: Rec, next: number): Omit<Run, 'framedFrom'> {
  const run: Omit<Run, 'framedFrom'> = { offset, endOffset: next, count: 0 };
  let crc = first.crc;
  for (let rec: Rec | undefined = first, pos = next; rec; ) {
    run.count++;
    run.endOffset = pos;
    note(run, rec);
    crc = rec.crc;
    rec = framed(buf, pos);
    if (!rec || !chains(crc, rec)) break;
    pos += FRAME_HEADER_BYTES + rec.size + padFor(rec.size);
  }
  return run;
}

/** etcd's chain: a crc record stores the running value; any other stores it after its data. */
const chains = (prev: number, rec: Rec): boolean => (rec.type === RecordType.crc ? rec.crc === prev : rec.crc === crc32c(rec.data, prev));

function note(run: Omit<Run, 'framedFrom'>, rec: Rec): void {
  try {
    if (rec.type === RecordType.entry) {
      const { index } = decodeEntry(rec.data);
      const e = (run.entries ??= { first: index, last: index, count: 0 });
      e.last = index;
      e.count++;
    } else if (rec.type === RecordType.state) {
      const { commit } = decodeHardState(rec.data);
      if (run.commit === undefined || commit > run.commit) run.commit = commit;
    }
  } catch {
    // A record whose CRC holds but whose data does not decode is counted, not described.
  }
}

/** The record framed at `pos`, when its length field is one etcd writes and its bytes are a walpb.Record. */
function framed(buf: Uint8Array, pos: number): Rec | undefined {
  if (pos + FRAME_HEADER_BYTES > buf.length) return undefined;
  const size = frameRecordBytes(buf, pos);
  const top = buf[pos + 7];
  if (size === 0 || size >= MAX_RECORD_BYTES || (top & 0x7f & ~7) !== 0 || framePadBytes(buf, pos) !== padFor(size) || ((top & 0x80) === 0) !== (padFor(size) === 0)) return undefined;
  const start = pos + FRAME_HEADER_BYTES;
  if (start + size > buf.length) return undefined;
  const rec = readBody(buf, start, start + size);
  return rec && rec.size === size ? rec : undefined;
}

/**
 * A walpb.Record as etcd's encoder lays it out (gogoproto: type, crc, then
 * data when present) from `start`, delimiting itself; undefined otherwise.
 */
function readBody(buf: Uint8Array, start: number, end: number): Rec | undefined {
  let p = start;
  const varint = (): number | undefined => {
    let v = 0;
    for (let shift = 0; shift < 35; shift += 7) {
      if (p >= end) return undefined;
      const b = buf[p++];
      v += (b & 0x7f) * 2 ** shift;
      if ((b & 0x80) === 0) return v;
    }
    return undefined;
  };
  if (buf[p++] !== 0x08) return undefined;
  const type = varint();
  if (type === undefined || type < RecordType.metadata || type > RecordType.snapshot) return undefined;
  if (buf[p++] !== 0x10) return undefined;
  const crc = varint();
  if (crc === undefined || crc > 0xffffffff) return undefined;
  let data = new Uint8Array(0);
  if (p < end && buf[p] === 0x1a) {
    p++;
    const len = varint();
    if (len === undefined || p + len > end) return undefined;
    data = buf.subarray(p, p + len);
    p += len;
  }
  return { type, crc, data, size: p - start };
}
