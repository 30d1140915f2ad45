/**
 * A new bbolt file written in one pass, as one committed txn leaves it: pages
 * 0 and 1 are the meta pages, then each top-level bucket's tree (tree-writer.ts)
 * in the order the buckets are given, then the root bucket naming them (in
 * key order: a leaf element per bucket, flagged BUCKET_LEAF_FLAG, whose value
 * is the bucket header {root, sequence 0}), then an empty freelist page, whose
 * pages are all in use. Both metas describe that tree, with txids 0 and 1 as
 * bbolt's init writes them, so either one opens it.
 *
 * Buckets are streamed: their entries come from an iterable, in key order,
 * and only the nodes being filled are held. The file is written beside its
 * path and swapped in by commit (atomic-file.ts).
 */
import { AtomicFileWriter } from '../atomic-file.js';
import { encodeFreelist } from './freelist.js';
import { encodeMetaPage } from './meta.js';
import { BUCKET_HEADER_SIZE, BUCKET_LEAF_FLAG } from './page.js';
import { TreeWriter, type PageSink, type ValueWriter } from './tree-writer.js';

export const DEFAULT_PAGE_SIZE = 4096;

export class BboltWriter implements PageSink {
  /** The next page id to hand out: pages 0 and 1 are the metas. */
  private next = 2n;
  private readonly buckets = new Map<string, bigint>();

  constructor(
    private readonly out: AtomicFileWriter,
    readonly pageSize = DEFAULT_PAGE_SIZE,
  ) {}

  allocate(blocks: number): bigint {
    const id = this.next;
    this.next += BigInt(blocks);
    return id;
  }

  write(id: bigint, page: Buffer): void {
    this.out.write(page, Number(id) * this.pageSize);
  }

  /** Writes top-level bucket `name` with `entries` (keys increasing; each may be reused once the next is asked for); returns how many entries it holds. */
  bucket(name: Uint8Array, entries: Iterable<readonly [Uint8Array, Uint8Array | ValueWriter]>): number {
    const hex = Buffer.from(name).toString('hex');
    if (this.buckets.has(hex)) throw new RangeError(`bucket ${JSON.stringify(Buffer.from(name).toString('latin1'))} was written already`);
    const tree = new TreeWriter(this);
    let n = 0;
    for (const [k, v] of entries) {
      tree.add(k, v);
      n++;
    }
    this.buckets.set(hex, tree.finish());
    return n;
  }

  /** Writes the root bucket, the freelist and both metas; returns the size of the file (pgid × page size). */
  finish(): number {
    const root = new TreeWriter(this);
    for (const hex of [...this.buckets.keys()].sort()) {
      const header = Buffer.alloc(BUCKET_HEADER_SIZE);
      header.writeBigUInt64LE(this.buckets.get(hex)!, 0);
      root.add(Buffer.from(hex, 'hex'), header, BUCKET_LEAF_FLAG);
    }
    const rootId = root.finish();
    const freelist = this.allocate(1);
    this.write(freelist, encodeFreelist(freelist, [], this.pageSize));
    const pgid = this.next;
    for (const page of [0, 1] as const) this.write(BigInt(page), encodeMetaPage(page, { pageSize: this.pageSize, root: rootId, freelist, pgid, txid: BigInt(page) }));
    return Number(pgid) * this.pageSize;
  }
}
