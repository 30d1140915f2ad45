/**
 * A bbolt file opened read-only with positioned reads: pages are read when a
 * walk reaches them, so a large backend is never held in memory at once.
 * Opening follows bbolt's Open (db.go): the page size comes from meta page 0
 * when it validates, else the OS page size is assumed (4096 here); then the
 * valid meta with the higher txid wins, else the other one (DB.meta).
 */
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { CodecError } from '../errors.js';
import { BBOLT_MAGIC, META_SIZE, metaProblem, parseMeta, type Meta } from './meta.js';
import { PAGE_HEADER_SIZE, readU64, type PageRef } from './page.js';
import { Bucket } from './bucket.js';
import { NO_FREELIST, parseFreelist, type Freelist } from './freelist.js';
import { describeNonBbolt } from './not-bbolt.js';

export interface BboltOptions {
  /** The deepest B+tree walk accepted (nested buckets included); deeper means a cycle of page ids. */
  maxDepth?: number;
}

export const DEFAULT_MAX_DEPTH = 64;
/** bbolt falls back to the OS page size when meta page 0 does not validate. */
const FALLBACK_PAGE_SIZE = 4096;
const MIN_PAGE_SIZE = 512;
const MAX_PAGE_SIZE = 1 << 20;
/** eachPage reads this much at a time: a read per 4 KB page cost more than a check of it. */
const WINDOW_BYTES = 256 << 10;

/** One meta page as bbolt's meta.validate judges it. */
export interface MetaPage {
  page: 0 | 1;
  meta?: Meta;
  /** Why meta.validate refuses it (or why it could not be read); undefined when valid. */
  problem?: string;
}

export class BboltFile {
  /** The valid meta with the higher txid (bbolt's DB.meta). */
  readonly meta: Meta;
  /** Both meta pages: a refused one is a warning while the other holds (etcd and bbolt fall back to it). */
  readonly metas: [MetaPage, MetaPage];
  readonly pageSize: number;
  readonly size: number;
  readonly maxDepth: number;
  private fd: number | undefined;
  /** eachPage's buffer, kept for the next call: a walk calls it once a level. */
  private pageBuf: Buffer | undefined;

  private constructor(
    readonly path: string,
    fd: number,
    size: number,
    chosen: ChosenMeta,
    opts: BboltOptions,
  ) {
    this.fd = fd;
    this.size = size;
    this.meta = chosen.meta;
    this.metas = chosen.metas;
    this.pageSize = chosen.meta.pageSize;
    this.maxDepth = opts.maxDepth ?? DEFAULT_MAX_DEPTH;
  }

  static open(path: string, opts: BboltOptions = {}): BboltFile {
    const fd = openSync(path, 'r');
    try {
      const size = fstatSync(fd).size;
      return new BboltFile(path, fd, size, chooseMeta(path, fd, size), opts);
    } catch (e) {
      closeSync(fd);
      throw e;
    }
  }

  /** The root bucket, whose keys name etcd's buckets. */
  root(): Bucket {
    return new Bucket(this, this.meta.root, undefined, 0);
  }

  /** Reads page `id` and its overflow blocks, checking it lies inside what the meta says was written. */
  page(id: bigint): PageRef {
    const fd = this.open();
    this.checkId(id);
    return this.readPage(Number(id), (base, length) => readAt(this.path, fd, this.size, base, length));
  }

  /**
   * Each page of `ids` (in ascending order, for sequential reads) or why it
   * does not read, handed to `fn` with its position in `ids` and valid during
   * the call only: one buffer serves them all, and one PageRef points into it
   * (at the page's offset in the window), so a walk of every page makes no
   * object per page.
   */
  eachPage(ids: ArrayLike<number>, fn: (k: number, page: PageRef | CodecError) => void): void {
    const fd = this.open();
    const ref: PageRef = { file: this.path, buf: (this.pageBuf ??= Buffer.allocUnsafeSlow(WINDOW_BYTES)), at: 0, end: 0, base: 0, id: 0 };
    let to = 0;
    /** Makes [base, base + length) of the file lie in ref.buf; returns where it starts there. */
    const window = (base: number, length: number): number => {
      if (base < ref.base || base + length > to) {
        mustFit(this.path, this.size, base, length);
        if (length > ref.buf.length) ref.buf = this.pageBuf = Buffer.allocUnsafeSlow(length);
        const n = Math.min(ref.buf.length, this.size - base);
        readInto(this.path, fd, ref.buf, n, base);
        ref.base = base;
        to = base + n;
      }
      return base - ref.base;
    };
    for (let k = 0; k < ids.length; k++) {
      const id = ids[k];
      try {
        this.checkId(id);
        const base = id * this.pageSize;
        const overflow = this.checkHeader(id, ref.buf, window(base, this.pageSize), base);
        const length = (overflow + 1) * this.pageSize;
        ref.at = overflow === 0 ? base - ref.base : window(base, length);
        ref.end = ref.at + length;
        ref.id = id;
      } catch (e) {
        if (!(e instanceof CodecError)) throw e;
        fn(k, e);
        continue;
      }
      fn(k, ref);
    }
  }

  private open(): number {
    if (this.fd === undefined) throw new Error(`${this.path} is closed`);
    return this.fd;
  }

  /** Page `id` (checked to be a data page) and its overflow blocks from `blocks`, checked to lie inside what the meta says was written. */
  private readPage(id: number, blocks: (base: number, length: number) => Buffer): PageRef {
    const base = id * this.pageSize;
    // One read for the usual single-block page; a second only for overflow pages.
    const first = blocks(base, this.pageSize);
    const overflow = this.checkHeader(id, first, 0, base);
    const length = (overflow + 1) * this.pageSize;
    const buf = overflow === 0 ? first : blocks(base, length);
    return { file: this.path, buf, at: 0, end: length, base, id };
  }

  /** Page ids compare exactly whether number or bigint: a number id is exact (below 2^53) or past any high-water mark. */
  private checkId(id: number | bigint): void {
    if (id < 2 || id >= this.meta.pgid) {
      throw new CodecError('BBOLT_BAD_PAGE', `page id ${id} is outside the data pages 2..${this.meta.pgid - 1n} of meta page ${this.meta.page}`, { file: this.path });
    }
  }

  /** The overflow of the page header at buf[at] (file offset `base`), checked to name page `id` and to end below the high-water mark. */
  private checkHeader(id: number, buf: Buffer, at: number, base: number): number {
    if (readU64(buf, at) !== id) throw new CodecError('BBOLT_BAD_PAGE', `page ${id}'s header says it is page ${buf.readBigUInt64LE(at)}`, { file: this.path, offset: base });
    const overflow = buf.readUInt32LE(at + 12);
    if (id + overflow >= this.meta.pgid) {
      throw new CodecError('BBOLT_BAD_PAGE', `page ${id}'s ${overflow} overflow pages run past the high-water mark ${this.meta.pgid}`, { file: this.path, offset: base + 12 });
    }
    return overflow;
  }

  /** The synced freelist, or undefined when the meta has none (pgidNoFreelist: bbolt rebuilds it at Open). */
  freelist(): Freelist | undefined {
    if (this.meta.freelist === NO_FREELIST) return undefined;
    const p = this.page(this.meta.freelist);
    return parseFreelist(this.path, p.buf, this.meta.freelist, p.base);
  }

  close(): void {
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
  }
}

function readAt(path: string, fd: number, size: number, offset: number, length: number): Buffer {
  mustFit(path, size, offset, length);
  return readInto(path, fd, Buffer.allocUnsafe(length), length, offset);
}

/** BBOLT_TRUNCATED unless [offset, offset + length) lies inside a file of `size` bytes. */
function mustFit(path: string, size: number, offset: number, length: number): void {
  if (offset + length > size) {
    throw new CodecError('BBOLT_TRUNCATED', `needs ${length} bytes at ${offset} but the file ends at ${size}`, { file: path, offset }, { size });
  }
}

/** Fills buf[0, length) from `offset`. */
function readInto(path: string, fd: number, buf: Buffer, length: number, offset: number): Buffer {
  let done = 0;
  while (done < length) {
    const n = readSync(fd, buf, done, length - done, offset + done);
    if (n === 0) throw new CodecError('BBOLT_TRUNCATED', `the file ended while reading ${length} bytes`, { file: path, offset: offset + done });
    done += n;
  }
  return buf;
}

interface ChosenMeta {
  meta: Meta;
  metas: [MetaPage, MetaPage];
}

function chooseMeta(path: string, fd: number, size: number): ChosenMeta {
  const metaBytes = PAGE_HEADER_SIZE + META_SIZE;
  if (size < metaBytes) {
    const head = size > 0 ? readAt(path, fd, size, 0, size) : Buffer.alloc(0);
    if (size >= PAGE_HEADER_SIZE + 4 && head.readUInt32LE(PAGE_HEADER_SIZE) === BBOLT_MAGIC) {
      throw new CodecError('BBOLT_TRUNCATED', `a bbolt file cut short: ${size} bytes, too short for its first meta page`, { file: path, offset: 0 }, { size });
    }
    throw new CodecError('BBOLT_NOT_BBOLT', `not a bbolt backend: ${describeNonBbolt(head, size)}, too short for a meta page`, { file: path, offset: 0 }, { size });
  }
  const first = readAt(path, fd, size, 0, metaBytes);
  const meta0 = parseMeta(first, 0, 0);
  const problem0 = metaProblem(first, 0, meta0) ?? pageSizeProblem(meta0);
  const pageSize = problem0 === undefined ? meta0.pageSize : FALLBACK_PAGE_SIZE;
  const second = size >= pageSize + metaBytes ? readAt(path, fd, size, pageSize, metaBytes) : undefined;
  const meta1 = second && parseMeta(second, 0, 1);
  const problem1 = second && meta1 ? (metaProblem(second, 0, meta1) ?? pageSizeProblem(meta1)) : `the file ends before meta page 1 at ${pageSize}`;
  const valid = [problem0 === undefined ? meta0 : undefined, problem1 === undefined ? meta1 : undefined].filter((m): m is Meta => m !== undefined);
  const magicAt = (buf: Buffer | undefined) => buf !== undefined && (buf.readUInt32LE(PAGE_HEADER_SIZE) === BBOLT_MAGIC || buf.readUInt32BE(PAGE_HEADER_SIZE) === BBOLT_MAGIC);
  if (valid.length === 0 && !magicAt(first) && !magicAt(second)) {
    const head = readAt(path, fd, size, 0, Math.min(size, 64));
    throw new CodecError('BBOLT_NOT_BBOLT', `not a bbolt backend: ${describeNonBbolt(head, size)}; neither meta page has bbolt's magic`, { file: path, offset: 0 }, { size });
  }
  if (valid.length === 0) {
    throw new CodecError('BBOLT_BAD_META', `no valid meta page: page 0: ${problem0}; page 1: ${problem1}`, { file: path, offset: 0 }, { problem0, problem1 });
  }
  valid.sort((a, b) => (a.txid > b.txid ? -1 : a.txid < b.txid ? 1 : 0));
  const meta = valid[0];
  if (meta.root < 2n || meta.root >= meta.pgid) {
    throw new CodecError('BBOLT_BAD_META', `meta page ${meta.page}'s root bucket page ${meta.root} is not below its high-water mark ${meta.pgid}`, { file: path, offset: meta.page * pageSize });
  }
  const metas: [MetaPage, MetaPage] = [
    { page: 0, meta: meta0, problem: problem0 },
    { page: 1, meta: meta1, problem: problem1 },
  ];
  return { meta, metas };
}

function pageSizeProblem(m: Meta): string | undefined {
  const ok = m.pageSize >= MIN_PAGE_SIZE && m.pageSize <= MAX_PAGE_SIZE && (m.pageSize & (m.pageSize - 1)) === 0;
  return ok ? undefined : `page size ${m.pageSize} is not a power of two between ${MIN_PAGE_SIZE} and ${MAX_PAGE_SIZE}`;
}
