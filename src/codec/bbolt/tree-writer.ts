/**
 * One bucket's B+tree, built bottom-up from keys given in order (a bulk load):
 * each level holds one node being filled; a node that cannot take the next
 * element is written out as a page, and its first key and page id go up into
 * the level above, as bbolt's node.spill links a split node into its parent.
 * Memory is one node per level, so the page size times the tree's height.
 *
 * A node is filled to the page size (a single element larger than a page makes
 * an overflow page); bbolt reads any fill, and splits a page only when a later
 * txn writes into it. A branch node is written out only with two children or
 * more (a long key makes it an overflow page), so the levels above a long key
 * end; a level that was never written out is the root.
 */
import { MAX_PAGE_ELEMENTS, branchInputSize, encodeBranchPage, encodeLeafPage, leafInputSize, PAGE_HEADER_SIZE, pageBlocks, type BranchInput, type LeafInput } from './page.js';

/** Where finished pages go: page ids handed out in file order, and each page's bytes. */
export interface PageSink {
  readonly pageSize: number;
  /** The first id of `blocks` consecutive pages. */
  allocate(blocks: number): bigint;
  write(id: bigint, page: Buffer): void;
}

interface Level {
  items: Array<LeafInput | BranchInput>;
  bytes: number;
  /** Pages this level has written out: none means it is the top so far. */
  written: number;
}

export class TreeWriter {
  /** levels[0] holds leaves, the others branches. */
  private readonly levels: Level[] = [newLevel()];
  private last: Buffer | undefined;

  constructor(private readonly sink: PageSink) {}

  /** Adds a key above every key added before; key and value are copied. */
  add(key: Uint8Array, value: Uint8Array, flags = 0): void {
    if (this.last !== undefined && Buffer.compare(this.last, key) >= 0) {
      throw new RangeError(`bbolt keys must be added in increasing order: 0x${Buffer.from(key).toString('hex')} after 0x${this.last.toString('hex')}`);
    }
    this.last = Buffer.from(key);
    this.push(0, { key: this.last, value: Buffer.from(value), flags }, leafInputSize);
  }

  /** Writes the nodes still open; returns the root page id. */
  finish(): bigint {
    for (let l = 0; ; l++) {
      const level = this.levels[l];
      if (l === this.levels.length - 1 && level.written === 0) return this.writeNode(l);
      if (level.items.length > 0) this.flush(l);
    }
  }

  private push<T extends LeafInput | BranchInput>(l: number, item: T, size: (e: T) => number): void {
    const level = this.levels[l];
    const n = size(item);
    const full = level.bytes + n > this.sink.pageSize || level.items.length === MAX_PAGE_ELEMENTS;
    if (full && level.items.length >= (l === 0 ? 1 : 2)) this.flush(l);
    level.items.push(item);
    level.bytes += n;
  }

  /** Writes level `l`'s node out and links it into the level above. */
  private flush(l: number): void {
    const key = this.levels[l].items[0].key;
    const child = this.writeNode(l);
    if (l + 1 === this.levels.length) this.levels.push(newLevel());
    this.push(l + 1, { key, child }, branchInputSize);
  }

  private writeNode(l: number): bigint {
    const level = this.levels[l];
    const id = this.sink.allocate(pageBlocks(level.bytes, this.sink.pageSize));
    const page = l === 0 ? encodeLeafPage(id, level.items as LeafInput[], this.sink.pageSize) : encodeBranchPage(id, level.items as BranchInput[], this.sink.pageSize);
    this.sink.write(id, page);
    level.items = [];
    level.bytes = PAGE_HEADER_SIZE;
    level.written++;
    return id;
  }
}

function newLevel(): Level {
  return { items: [], bytes: PAGE_HEADER_SIZE, written: 0 };
}
