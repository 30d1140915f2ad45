/**
 * bbolt's freelist page (go.etcd.io/bbolt freelist.go read): flags 0x10, then
 * `count` page ids (u64) after the 16-byte header; a count of 0xFFFF means the
 * real count is the first u64 and the ids follow it. A meta whose freelist is
 * 0xFFFF_FFFF_FFFF_FFFF (pgidNoFreelist) has no synced freelist: bbolt opened
 * with NoFreelistSync (etcd 3.4 on Linux, mvcc/backend/config_linux.go)
 * rebuilds it at Open by walking every bucket (db.go freepages).
 */
import { CodecError } from '../errors.js';
import { PAGE_HEADER_SIZE, PageFlag, pageBlocks, readPageHeader } from './page.js';

export const NO_FREELIST = 0xffff_ffff_ffff_ffffn;
const OVERFLOW_COUNT = 0xffff;

export interface Freelist {
  /** The freelist page's id and its overflow pages: reachable, not free. */
  pages: bigint[];
  /** The page ids it lists as free, in file order (duplicates kept: the check reports them). */
  ids: bigint[];
}

/**
 * Reads the freelist page at `id` from `buf` (its page and overflow blocks).
 * Throws BBOLT_BAD_PAGE where bbolt's freelist.read would panic.
 */
export function parseFreelist(file: string, buf: Buffer, id: bigint, base: number): Freelist {
  const h = readPageHeader(buf, 0);
  if ((h.flags & PageFlag.freelist) === 0) {
    throw new CodecError('BBOLT_BAD_PAGE', `page ${id}: flags 0x${h.flags.toString(16)} where the meta names a freelist page (0x10)`, { file, offset: base + 8 });
  }
  let at = PAGE_HEADER_SIZE;
  let count = h.count;
  if (count === OVERFLOW_COUNT) {
    count = Number(buf.readBigUInt64LE(at));
    at += 8;
  }
  if (at + count * 8 > buf.length) {
    throw new CodecError('BBOLT_BAD_PAGE', `page ${id}: a freelist of ${count} ids does not fit in its ${h.overflow + 1} page(s)`, { file, offset: base + 10 });
  }
  const ids: bigint[] = [];
  for (let i = 0; i < count; i++) ids.push(buf.readBigUInt64LE(at + i * 8));
  const pages: bigint[] = [];
  for (let i = 0; i <= h.overflow; i++) pages.push(id + BigInt(i));
  return { pages, ids };
}

/** Freelist page `id` listing `free` (sorted ids), as freelist.write lays it out, over as many blocks as it needs. */
export function encodeFreelist(id: bigint, free: bigint[], pageSize: number): Buffer {
  const long = free.length >= OVERFLOW_COUNT;
  const at = PAGE_HEADER_SIZE + (long ? 8 : 0);
  const blocks = pageBlocks(at + free.length * 8, pageSize);
  const buf = Buffer.alloc(blocks * pageSize);
  buf.writeBigUInt64LE(id, 0);
  buf.writeUInt16LE(PageFlag.freelist, 8);
  buf.writeUInt16LE(long ? OVERFLOW_COUNT : free.length, 10);
  buf.writeUInt32LE(blocks - 1, 12);
  if (long) buf.writeBigUInt64LE(BigInt(free.length), PAGE_HEADER_SIZE);
  free.forEach((x, i) => buf.writeBigUInt64LE(x, at + i * 8));
  return buf;
}
