/**
 * Edits of a real member's WAL that keep every CRC valid, so that `walt
 * verify` and etcd's wal.Verify accept the result and only a comparison with
 * the other members can tell: records are re-encoded with walt's
 * RecordEncoder (etcd wal/encoder.go) from the edited record on.
 */
import { appendFileSync, truncateSync } from 'node:fs';
import { RecordEncoder } from '../../src/codec/encoder.js';
import { RecordType } from '../../src/codec/proto/walpb.js';
import { decodeEntry, encodeEntry, type Entry } from '../../src/codec/proto/raftpb.js';
import { records } from '../helpers/corrupt.js';

const end = (r: { offset: number; recordBytes: number; padBytes: number }) => r.offset + 8 + r.recordBytes + r.padBytes;

/** The standing record of entry `index` (the last one written at that index) and everything after it. */
function fromEntry(walDir: string, index: bigint) {
  const recs = records(walDir);
  let at = -1;
  recs.forEach((r, i) => {
    if (r.type === RecordType.entry && decodeEntry(r.data!).index === index) at = i;
  });
  if (at < 1) throw new Error(`no entry ${index} in ${walDir}`);
  const tail = recs.slice(at);
  if (tail.some((r) => r.segment.path !== tail[0].segment.path)) throw new Error('the edit helpers handle a WAL whose tail is in one segment');
  return { before: recs[at - 1], tail };
}

/** Replaces entry `index` with `change(entry)` and re-encodes the records after it, CRC chain included. */
export function rewriteEntry(walDir: string, index: bigint, change: (e: Entry) => Entry): void {
  const { before, tail } = fromEntry(walDir, index);
  const enc = new RecordEncoder(before.crc);
  const bytes = tail.map((r, i) => enc.encode(r.type, i === 0 ? encodeEntry(change(decodeEntry(r.data!))) : r.data));
  truncateSync(tail[0].segment.path, tail[0].offset);
  appendFileSync(tail[0].segment.path, Buffer.concat(bytes));
}

/** Appends entries after the last record, continuing the CRC chain, as etcd's Save would (without a new hard state). */
export function appendEntries(walDir: string, entries: Entry[]): void {
  const recs = records(walDir);
  const last = recs[recs.length - 1];
  const enc = new RecordEncoder(last.crc);
  truncateSync(last.segment.path, end(last));
  appendFileSync(last.segment.path, Buffer.concat(entries.map((e) => enc.encode(RecordType.entry, encodeEntry(e)))));
}

/** Cuts the WAL after the record of entry `index`: the member stopped there. */
export function truncateAfterEntry(walDir: string, index: bigint): void {
  const { tail } = fromEntry(walDir, index);
  truncateSync(tail[0].segment.path, end(tail[0]));
}

/** The entry's data with one byte flipped, `fromEnd` bytes before its end (inside a put's value). */
export function flipDataByte(e: Entry, fromEnd = 1): Entry {
  const data = Uint8Array.from(e.data!);
  data[data.length - fromEnd] ^= 0x01;
  return { ...e, data };
}
