/**
 * A bucket of a bbolt file (go.etcd.io/bbolt bucket.go, cursor.go): a B+tree
 * whose branch elements hold the first key of each child and whose leaf
 * elements hold keys and values in byte order. A leaf element flagged
 * BUCKET_LEAF_FLAG holds a nested bucket: a 16-byte header {root, sequence},
 * and when root is 0 the bucket is inline, its single leaf page following the
 * header inside the value (bucket.go openBucket).
 */
import { CodecError } from '../errors.js';
import type { BboltFile } from './file.js';
import { BUCKET_HEADER_SIZE, BUCKET_LEAF_FLAG, PAGE_HEADER_SIZE, PageFlag, branchElement, checkElementPage, elementKey, leafElement, type PageRef } from './page.js';

export interface BucketEntry {
  /** Views into the page read for this entry; they stay valid while referenced. */
  key: Buffer;
  value: Buffer;
  isBucket: boolean;
  /** File offset of the value, for errors about what it holds. */
  valueOffset: number;
}

export class Bucket {
  constructor(
    private readonly file: BboltFile,
    /** The root page id; 0 for an inline bucket. */
    readonly root: bigint,
    private readonly inline: PageRef | undefined,
    private readonly depth: number,
  ) {}

  /** Every key in byte order, as a bbolt Cursor walks them (First, then Next). */
  *entries(): Generator<BucketEntry> {
    yield* this.walk(this.rootPage(), this.depth);
  }

  /** The value at `key`; undefined when absent or when it is a nested bucket (bbolt's Get). */
  get(key: Uint8Array): Buffer | undefined {
    const e = this.find(key);
    return e && !e.isBucket ? e.value : undefined;
  }

  /** The nested bucket at `name`; undefined when absent or when it is a plain value (bbolt's Bucket). */
  bucket(name: Uint8Array): Bucket | undefined {
    const e = this.find(name);
    return e && e.isBucket ? this.open(e) : undefined;
  }

  /** Opens a nested bucket from its entry; throws when the entry holds a plain value. */
  open(e: BucketEntry): Bucket {
    if (!e.isBucket) throw new CodecError('BBOLT_NOT_A_BUCKET', `key ${JSON.stringify(e.key.toString('latin1'))} holds a value, not a bucket`, { file: this.file.path, offset: e.valueOffset });
    if (e.value.length < BUCKET_HEADER_SIZE) {
      throw new CodecError('BBOLT_BAD_PAGE', `a bucket header needs ${BUCKET_HEADER_SIZE} bytes, the value has ${e.value.length}`, { file: this.file.path, offset: e.valueOffset });
    }
    const root = e.value.readBigUInt64LE(0);
    if (root !== 0n) return new Bucket(this.file, root, undefined, this.depth + 1);
    if (e.value.length < BUCKET_HEADER_SIZE + PAGE_HEADER_SIZE) {
      throw new CodecError('BBOLT_BAD_PAGE', `an inline bucket of ${e.value.length} bytes has no room for its page`, { file: this.file.path, offset: e.valueOffset });
    }
    const page: PageRef = { file: this.file.path, buf: e.value, at: BUCKET_HEADER_SIZE, end: e.value.length, base: e.valueOffset, id: 0 };
    return new Bucket(this.file, 0n, page, this.depth + 1);
  }

  private rootPage(): PageRef {
    return this.inline ?? this.file.page(this.root);
  }

  private *walk(p: PageRef, depth: number): Generator<BucketEntry> {
    this.checkDepth(p, depth);
    const { flags, count } = checkElementPage(p);
    if (flags === PageFlag.branch) {
      for (let i = 0; i < count; i++) yield* this.walk(this.file.page(branchElement(p, i).child), depth + 1);
      return;
    }
    for (let i = 0; i < count; i++) {
      const e = leafElement(p, i);
      yield { key: e.key, value: e.value, isBucket: (e.flags & BUCKET_LEAF_FLAG) !== 0, valueOffset: e.valueOffset };
    }
  }

  /** Descends as cursor.search does: in a branch, the last element whose key is ≤ the target. */
  private find(key: Uint8Array): BucketEntry | undefined {
    let p = this.rootPage();
    for (let depth = this.depth; ; depth++) {
      this.checkDepth(p, depth);
      const { flags, count } = checkElementPage(p);
      // First index whose key is ≥ the target.
      let lo = 0;
      let hi = count;
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        if (Buffer.compare(elementKey(p, flags, mid), key) < 0) lo = mid + 1;
        else hi = mid;
      }
      if (flags === PageFlag.leaf) {
        if (lo === count) return undefined;
        const e = leafElement(p, lo);
        if (Buffer.compare(e.key, key) !== 0) return undefined;
        return { key: e.key, value: e.value, isBucket: (e.flags & BUCKET_LEAF_FLAG) !== 0, valueOffset: e.valueOffset };
      }
      if (count === 0) return undefined;
      const exact = lo < count && Buffer.compare(elementKey(p, flags, lo), key) === 0;
      p = this.file.page(branchElement(p, exact || lo === 0 ? lo : lo - 1).child);
    }
  }

  private checkDepth(p: PageRef, depth: number): void {
    if (depth > this.file.maxDepth) {
      throw new CodecError('BBOLT_TOO_DEEP', `a walk reached depth ${depth} at page ${p.id}, deeper than ${this.file.maxDepth}: a cycle of page ids?`, { file: p.file, offset: p.base + p.at });
    }
  }
}
