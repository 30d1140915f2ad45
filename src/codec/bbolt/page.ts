/**
 * bbolt's page layout (go.etcd.io/bbolt page.go): a 16-byte header (id u64,
 * flags u16, count u16, overflow u32), then `count` fixed-size elements whose
 * `pos` field is relative to the element itself, then the keys and values.
 * A page with `overflow` n spans n + 1 page-size blocks.
 *
 * bbolt writes its structs in the machine's byte order; every etcd release is
 * built for little-endian machines except s390x, so walt reads little-endian
 * (meta.ts says so when a file looks big-endian).
 *
 * Free functions over a buffer and an offset: these run once per key when a
 * backend is loaded. The writer's side (writePageHeader, writeLeafElement,
 * writeBranchElement) serves tree-writer.ts, which lays pages out as bbolt's
 * node.write does: elements, then each key and value.
 */
import { CodecError } from '../errors.js';

export const PAGE_HEADER_SIZE = 16;
export const BRANCH_ELEMENT_SIZE = 16;
export const LEAF_ELEMENT_SIZE = 16;
/** bucket.go: `bucket{root pgid, sequence uint64}`, the head of a bucket's value. */
export const BUCKET_HEADER_SIZE = 16;

export const PageFlag = { branch: 0x01, leaf: 0x02, meta: 0x04, freelist: 0x10 } as const;
/** A leaf element with this flag holds a nested bucket, not a value. */
export const BUCKET_LEAF_FLAG = 0x01;

/**
 * A page held in memory: `buf` holds it from `at`, and nothing it points to may
 * lie at or past `end` (the page's blocks, or an inline bucket's value).
 * `base` is the file offset of buf[0], for error messages.
 */
export interface PageRef {
  file: string;
  buf: Buffer;
  at: number;
  end: number;
  base: number;
  /** The page id it was read as (below the high-water mark, so exact); 0 for an inline bucket's page. */
  id: number;
}

export interface PageHeader {
  id: bigint;
  flags: number;
  count: number;
  overflow: number;
}

export function readPageHeader(buf: Buffer, at: number): PageHeader {
  return { id: buf.readBigUInt64LE(at), flags: buf.readUInt16LE(at + 8), count: buf.readUInt16LE(at + 10), overflow: buf.readUInt32LE(at + 12) };
}

function badPage(p: PageRef, at: number, message: string): CodecError {
  return new CodecError('BBOLT_BAD_PAGE', `page ${p.id}: ${message}`, { file: p.file, offset: p.base + at });
}

/** The page's kind and element count, checked against the bytes it has (read without the header's id: no bigint per page). */
export function checkElementPage(p: PageRef): { flags: number; count: number } {
  const flags = p.buf.readUInt16LE(p.at + 8);
  const count = p.buf.readUInt16LE(p.at + 10);
  if (flags !== PageFlag.branch && flags !== PageFlag.leaf) {
    throw badPage(p, p.at + 8, `flags 0x${flags.toString(16)} where a branch (0x01) or leaf (0x02) page was expected`);
  }
  const size = flags === PageFlag.branch ? BRANCH_ELEMENT_SIZE : LEAF_ELEMENT_SIZE;
  if (p.at + PAGE_HEADER_SIZE + count * size > p.end) throw badPage(p, p.at + 10, `${count} elements do not fit in the page`);
  return { flags, count };
}

/** Where [elem + pos, elem + pos + size) of an element starts, once it is checked to lie inside the page. */
function fits(p: PageRef, elem: number, pos: number, size: number, what: string): number {
  const start = elem + pos;
  if (start + size > p.end) throw badPage(p, elem, `${what} of ${size} bytes at +${pos} runs past the page`);
  return start;
}

/** The bytes [elem + pos, elem + pos + size) of an element, bounds-checked. */
function slice(p: PageRef, elem: number, pos: number, size: number, what: string): Buffer {
  const start = fits(p, elem, pos, size, what);
  return p.buf.subarray(start, start + size);
}

export interface BranchElement {
  key: Buffer;
  child: bigint;
}

export function branchElement(p: PageRef, i: number): BranchElement {
  const elem = p.at + PAGE_HEADER_SIZE + i * BRANCH_ELEMENT_SIZE;
  const pos = p.buf.readUInt32LE(elem);
  const ksize = p.buf.readUInt32LE(elem + 4);
  return { key: slice(p, elem, pos, ksize, 'key'), child: p.buf.readBigUInt64LE(elem + 8) };
}

/**
 * Just the child of branch element i, its key checked to lie inside the page
 * as branchElement checks it: a number, exact below 2^53, so past any
 * high-water mark where it is not (branchElement gives it exactly).
 */
export function branchElementChild(p: PageRef, i: number): number {
  const elem = p.at + PAGE_HEADER_SIZE + i * BRANCH_ELEMENT_SIZE;
  fits(p, elem, p.buf.readUInt32LE(elem), p.buf.readUInt32LE(elem + 4), 'key');
  return readU64(p.buf, elem + 8);
}

/** The u64 at buf[at] as a number: exact below 2^53. */
export const readU64 = (buf: Buffer, at: number): number => buf.readUInt32LE(at) + buf.readUInt32LE(at + 4) * 2 ** 32;

export interface LeafElement {
  flags: number;
  key: Buffer;
  value: Buffer;
  /** File offset of the value, for errors about what it holds. */
  valueOffset: number;
}

export function leafElement(p: PageRef, i: number): LeafElement {
  const elem = p.at + PAGE_HEADER_SIZE + i * LEAF_ELEMENT_SIZE;
  const flags = p.buf.readUInt32LE(elem);
  const pos = p.buf.readUInt32LE(elem + 4);
  const ksize = p.buf.readUInt32LE(elem + 8);
  const vsize = p.buf.readUInt32LE(elem + 12);
  const key = slice(p, elem, pos, ksize, 'key');
  const value = slice(p, elem, pos + ksize, vsize, 'value');
  return { flags, key, value, valueOffset: p.base + elem + pos + ksize };
}

/** Just the flags of leaf element i, its key and value checked to lie inside the page as leafElement checks them: a walk over every value without a view of each. */
export function leafElementFlags(p: PageRef, i: number): number {
  const elem = p.at + PAGE_HEADER_SIZE + i * LEAF_ELEMENT_SIZE;
  const pos = p.buf.readUInt32LE(elem + 4);
  const ksize = p.buf.readUInt32LE(elem + 8);
  fits(p, elem, pos, ksize, 'key');
  fits(p, elem, pos + ksize, p.buf.readUInt32LE(elem + 12), 'value');
  return p.buf.readUInt32LE(elem);
}

/** Just the key of element i, for binary search without touching values. */
export function elementKey(p: PageRef, flags: number, i: number): Buffer {
  if (flags === PageFlag.branch) {
    const elem = p.at + PAGE_HEADER_SIZE + i * BRANCH_ELEMENT_SIZE;
    return slice(p, elem, p.buf.readUInt32LE(elem), p.buf.readUInt32LE(elem + 4), 'key');
  }
  const elem = p.at + PAGE_HEADER_SIZE + i * LEAF_ELEMENT_SIZE;
  return slice(p, elem, p.buf.readUInt32LE(elem + 4), p.buf.readUInt32LE(elem + 8), 'key');
}

/** The most elements a page holds: the header's count is a u16. */
export const MAX_PAGE_ELEMENTS = 0xffff;

/** The page-size blocks `bytes` of page need: the page's overflow is one less. */
export function pageBlocks(bytes: number, pageSize: number): number {
  return Math.max(1, Math.ceil(bytes / pageSize));
}

/** A page's header at buf[0]: `blocks` page-size blocks make `blocks - 1` overflow pages. */
export function writePageHeader(buf: Buffer, id: bigint, flags: number, count: number, blocks: number): void {
  if (count > MAX_PAGE_ELEMENTS) throw new RangeError(`a page holds at most ${MAX_PAGE_ELEMENTS} elements, not ${count}`);
  buf.writeBigUInt64LE(id, 0);
  buf.writeUInt16LE(flags, 8);
  buf.writeUInt16LE(count, 10);
  buf.writeUInt32LE(blocks - 1, 12);
}

/** Leaf element `i`, its key and value at buf[at] (leafPageElement, whose pos counts from the element; `flags` BUCKET_LEAF_FLAG marks a nested bucket). */
export function writeLeafElement(buf: Buffer, i: number, flags: number, at: number, ksize: number, vsize: number): void {
  const elem = PAGE_HEADER_SIZE + i * LEAF_ELEMENT_SIZE;
  buf.writeUInt32LE(flags, elem);
  buf.writeUInt32LE(at - elem, elem + 4);
  buf.writeUInt32LE(ksize, elem + 8);
  buf.writeUInt32LE(vsize, elem + 12);
}

/** Branch element `i`, its key at buf[at], pointing at page `child` (branchPageElement, whose pos counts from the element). */
export function writeBranchElement(buf: Buffer, i: number, at: number, ksize: number, child: bigint): void {
  const elem = PAGE_HEADER_SIZE + i * BRANCH_ELEMENT_SIZE;
  buf.writeUInt32LE(at - elem, elem);
  buf.writeUInt32LE(ksize, elem + 4);
  buf.writeBigUInt64LE(child, elem + 8);
}
