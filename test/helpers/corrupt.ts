/**
 * Damaged copies of real data dirs, made the ways disks and crashes damage
 * them. Record positions come from walt's reader; whether the result is torn
 * or corrupt is for etcd's oracle and walt to say.
 */
import { closeSync, openSync, readFileSync, readSync, statSync, truncateSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { listSegments } from '../../src/codec/segment-name.js';
import { RecordReader, type RawRecord } from '../../src/codec/record-reader.js';
import { walOf, type Scratch } from './fixtures.js';

export function records(walDir: string): RawRecord[] {
  const segs = listSegments(walDir);
  const out: RawRecord[] = [];
  // Copies, since the reader reuses its buffer.
  for (const r of new RecordReader(segs)) out.push({ ...r, data: r.data?.slice() });
  return out;
}

export function lastSegmentPath(walDir: string): string {
  const segs = listSegments(walDir);
  return segs[segs.length - 1].path;
}

/** Cuts the last segment inside its last record, leaving `keep` bytes of the record's body. */
export function cutInsideLastRecord(walDir: string, keep = 5): { path: string; at: number } {
  const recs = records(walDir);
  const last = recs[recs.length - 1];
  const at = last.offset + 8 + keep;
  truncateSync(last.segment.path, at);
  return { path: last.segment.path, at };
}

/** Cuts the last segment inside the length field of its last record. */
export function cutInsideLengthField(walDir: string, keep = 3): { path: string; at: number } {
  const recs = records(walDir);
  const last = recs[recs.length - 1];
  truncateSync(last.segment.path, last.offset + keep);
  return { path: last.segment.path, at: last.offset + keep };
}

/**
 * Zeroes the first sector-bounded piece of the last record's body: a whole
 * 512-byte sector where the record spans one, else the part of the body
 * before the next sector boundary, as a disk that lost that sector would.
 */
export function zeroSectorInLastRecord(walDir: string): { path: string; record: RawRecord; from: number; to: number } {
  const recs = records(walDir);
  const r = recs[recs.length - 1];
  const bodyStart = r.offset + 8;
  const bodyEnd = bodyStart + r.recordBytes + r.padBytes;
  const aligned = Math.ceil(bodyStart / 512) * 512;
  const [from, to] = aligned + 512 <= bodyEnd ? [aligned, aligned + 512] : [bodyStart, Math.min(bodyEnd, aligned === bodyStart ? bodyStart + 512 : aligned)];
  const fd = openSync(r.segment.path, 'r+');
  writeSync(fd, new Uint8Array(to - from), 0, to - from, from);
  closeSync(fd);
  return { path: r.segment.path, record: r, from, to };
}

/** Flips one bit in the data of the entry record at `fraction` of the way through the log. */
export function flipBitMidLog(walDir: string, fraction = 0.5): RawRecord {
  const entries = records(walDir).filter((r) => r.type === 2 && r.data && r.data.length > 8);
  const r = entries[Math.floor(entries.length * fraction)];
  const fd = openSync(r.segment.path, 'r+');
  const at = r.offset + 8 + r.recordBytes - 2; // inside the data field, before the padding
  const b = new Uint8Array(1);
  readSync(fd, b, 0, 1, at);
  b[0] ^= 0x10;
  writeSync(fd, b, 0, 1, at);
  closeSync(fd);
  return r;
}

/** Truncates a file to half its size. */
export function truncateHalf(path: string): void {
  truncateSync(path, Math.floor(statSync(path).size / 2));
}

export const fileBytes = (p: string): Buffer => readFileSync(p);
export const writeBytes = (p: string, b: Uint8Array): void => writeFileSync(p, b);

/** Three dirs a multi-dir command meets: a copy of `dataDir` with a torn tail, one with a bit flipped mid-log, and a path that does not exist. */
export function tornCorruptMissing(scratch: Scratch, dataDir: string): { torn: string; corrupt: string; missing: string } {
  const torn = scratch.copyOf(dataDir);
  cutInsideLastRecord(walOf(torn));
  const corrupt = scratch.copyOf(dataDir);
  flipBitMidLog(walOf(corrupt));
  return { torn, corrupt, missing: join(scratch.dir, 'no-such-dir') };
}
