/**
 * bbolt's meta page (go.etcd.io/bbolt db.go `meta`): after the 16-byte page
 * header, magic u32, version u32, pageSize u32, flags u32, the root bucket
 * {root pgid u64, sequence u64}, freelist pgid u64, pgid u64 (the high-water
 * mark: pages at or above it were never written), txid u64, and an FNV-64a
 * checksum of the 56 bytes before it. Pages 0 and 1 are meta pages; a commit
 * writes the one its txid selects, so after a torn write the other is still whole.
 */
import { PAGE_HEADER_SIZE, PageFlag } from './page.js';

export const BBOLT_MAGIC = 0xed0cdaed;
export const BBOLT_VERSION = 2;
/** The meta fields the checksum covers: everything before `checksum`. */
export const META_CHECKED_SIZE = 56;
export const META_SIZE = META_CHECKED_SIZE + 8;

export interface Meta {
  /** 0 or 1: which meta page this is. */
  page: number;
  magic: number;
  version: number;
  pageSize: number;
  flags: number;
  root: bigint;
  sequence: bigint;
  freelist: bigint;
  /** High-water mark: the number of pages the file had at this commit. */
  pgid: bigint;
  txid: bigint;
  checksum: bigint;
}

/** Parses the meta at `at` (the start of its page). `buf` must hold PAGE_HEADER_SIZE + META_SIZE bytes from there. */
export function parseMeta(buf: Buffer, at: number, page: number): Meta {
  const m = at + PAGE_HEADER_SIZE;
  return {
    page,
    magic: buf.readUInt32LE(m),
    version: buf.readUInt32LE(m + 4),
    pageSize: buf.readUInt32LE(m + 8),
    flags: buf.readUInt32LE(m + 12),
    root: buf.readBigUInt64LE(m + 16),
    sequence: buf.readBigUInt64LE(m + 24),
    freelist: buf.readBigUInt64LE(m + 32),
    pgid: buf.readBigUInt64LE(m + 40),
    txid: buf.readBigUInt64LE(m + 48),
    checksum: buf.readBigUInt64LE(m + 56),
  };
}

const FNV64_OFFSET = 0xcbf29ce484222325n;
const FNV64_PRIME = 0x100000001b3n;
const U64 = (1n << 64n) - 1n;

/** FNV-1a, 64-bit (Go's hash/fnv New64a), as meta.sum64 computes it. */
export function fnv64a(bytes: Uint8Array): bigint {
  let h = FNV64_OFFSET;
  for (const b of bytes) h = ((h ^ BigInt(b)) * FNV64_PRIME) & U64;
  return h;
}

/**
 * Why meta.validate would refuse this meta, or undefined when it accepts it.
 * A zero checksum is not checked, as in bbolt.
 */
export function metaProblem(buf: Buffer, at: number, meta: Meta): string | undefined {
  if (meta.magic !== BBOLT_MAGIC) {
    const swapped = buf.readUInt32BE(at + PAGE_HEADER_SIZE) === BBOLT_MAGIC;
    return swapped ? 'written by a big-endian machine (bbolt stores native byte order); walt reads little-endian files' : `magic is 0x${meta.magic.toString(16)}, not 0x${BBOLT_MAGIC.toString(16)}`;
  }
  if (meta.version !== BBOLT_VERSION) return `version is ${meta.version}, not ${BBOLT_VERSION}`;
  if (meta.checksum !== 0n) {
    const start = at + PAGE_HEADER_SIZE;
    const sum = fnv64a(buf.subarray(start, start + META_CHECKED_SIZE));
    if (sum !== meta.checksum) return `checksum is 0x${meta.checksum.toString(16)} but the meta computes 0x${sum.toString(16)}`;
  }
  return undefined;
}

/** What a writer chooses of a meta; magic, version and checksum follow from the format. */
export type MetaFields = Pick<Meta, 'pageSize' | 'root' | 'freelist' | 'pgid' | 'txid'>;

/** Meta page `page` (0 or 1) as bbolt's meta.write lays it out, flags 0, root sequence 0, with its checksum. */
export function encodeMetaPage(page: 0 | 1, m: MetaFields): Buffer {
  const buf = Buffer.alloc(m.pageSize);
  buf.writeBigUInt64LE(BigInt(page), 0);
  buf.writeUInt16LE(PageFlag.meta, 8);
  const at = PAGE_HEADER_SIZE;
  buf.writeUInt32LE(BBOLT_MAGIC, at);
  buf.writeUInt32LE(BBOLT_VERSION, at + 4);
  buf.writeUInt32LE(m.pageSize, at + 8);
  buf.writeBigUInt64LE(m.root, at + 16);
  buf.writeBigUInt64LE(m.freelist, at + 32);
  buf.writeBigUInt64LE(m.pgid, at + 40);
  buf.writeBigUInt64LE(m.txid, at + 48);
  buf.writeBigUInt64LE(fnv64a(buf.subarray(at, at + META_CHECKED_SIZE)), at + META_CHECKED_SIZE);
  return buf;
}
