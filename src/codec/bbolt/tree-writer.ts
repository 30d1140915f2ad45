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
 *
 * A node is held as its page lays it out: its elements' sizes, and their keys
 * and values back to back in one buffer, which goes into the page whole. So an
 * element's bytes are copied once on the way in, or written there by a
 * ValueWriter, and never held as objects of their own.
 */
import {
  BRANCH_ELEMENT_SIZE,
  LEAF_ELEMENT_SIZE,
  MAX_PAGE_ELEMENTS,
  PAGE_HEADER_SIZE,
  PageFlag,
  pageBlocks,
  writeBranchElement,
  writeLeafElement,
  writePageHeader,
} from './page.js';

/** Where finished pages go: page ids handed out in file order, and each page's bytes. */
export interface PageSink {
  readonly pageSize: number;
  /** The first id of `blocks` consecutive pages. */
  allocate(blocks: number): bigint;
  /** Writes page `id`; `page` may be reused once this returns. */
  write(id: bigint, page: Buffer): void;
}

/** A value its maker writes into the page itself (the `key` bucket's KeyValues), rather than making it first to be copied. */
export interface ValueWriter {
  readonly size: number;
  /** Writes the value's `size` bytes at buf[at]. */
  writeTo(buf: Buffer, at: number): void;
}

/** The node a level is filling. */
class Node {
  count = 0;
  /** The page's bytes so far: header, elements, keys and values. */
  bytes = PAGE_HEADER_SIZE;
  /** Per element: its key's size, and a leaf's value size and flags, or a branch's child page. */
  readonly keySizes: number[] = [];
  readonly valueSizes: number[] = [];
  readonly flags: number[] = [];
  readonly children: bigint[] = [];
  /** The elements' keys and values, back to back: data[0, used). */
  data: Buffer;
  used = 0;
  /** Pages this level has written out: none means it is the top so far. */
  written = 0;

  constructor(pageSize: number) {
    this.data = Buffer.allocUnsafe(pageSize);
  }

  /** Room for `n` more bytes of keys and values; returns where they go. */
  reserve(n: number): number {
    const at = this.used;
    if (at + n > this.data.length) {
      const grown = Buffer.allocUnsafe(Math.max(at + n, this.data.length * 2));
      this.data.copy(grown, 0, 0, at);
      this.data = grown;
    }
    this.used = at + n;
    return at;
  }

  reset(): void {
    this.count = 0;
    this.bytes = PAGE_HEADER_SIZE;
    this.used = 0;
    this.written++;
  }
}

export class TreeWriter {
  /** levels[0] holds leaves, the others branches. */
  private readonly levels: Node[];
  /** The last key added, last[0, lastSize), for the order check; lastSize -1 before the first. */
  private last = Buffer.alloc(64);
  private lastSize = -1;
  /** The page being written out, reused. */
  private page: Buffer;

  constructor(private readonly sink: PageSink) {
    this.levels = [new Node(sink.pageSize)];
    this.page = Buffer.allocUnsafe(sink.pageSize);
  }

  /** Adds a key above every key added before; key and value are copied (or written, by a ValueWriter) before this returns. */
  add(key: Uint8Array, value: Uint8Array | ValueWriter, flags = 0): void {
    this.follows(key);
    const size = value instanceof Uint8Array ? value.length : value.size;
    const node = this.room(0, LEAF_ELEMENT_SIZE + key.length + size);
    const at = node.reserve(key.length + size);
    node.data.set(key, at);
    if (value instanceof Uint8Array) node.data.set(value, at + key.length);
    else value.writeTo(node.data, at + key.length);
    const i = node.count++;
    node.keySizes[i] = key.length;
    node.valueSizes[i] = size;
    node.flags[i] = flags;
  }

  /** Writes the nodes still open; returns the root page id. */
  finish(): bigint {
    for (let l = 0; ; l++) {
      const node = this.levels[l];
      if (l === this.levels.length - 1 && node.written === 0) return this.writeNode(l);
      if (node.count > 0) this.flush(l);
    }
  }

  private follows(key: Uint8Array): void {
    if (this.lastSize >= 0 && this.last.compare(key, 0, key.length, 0, this.lastSize) >= 0) {
      throw new RangeError(`bbolt keys must be added in increasing order: 0x${Buffer.from(key).toString('hex')} after 0x${this.last.toString('hex', 0, this.lastSize)}`);
    }
    if (this.last.length < key.length) this.last = Buffer.alloc(Math.max(key.length, this.last.length * 2));
    this.last.set(key);
    this.lastSize = key.length;
  }

  /** Level l's node, written out first if it cannot take an element of `n` bytes (a leaf takes one at least, a branch two). */
  private room(l: number, n: number): Node {
    const node = this.levels[l];
    const full = node.bytes + n > this.sink.pageSize || node.count === MAX_PAGE_ELEMENTS;
    if (full && node.count >= (l === 0 ? 1 : 2)) this.flush(l);
    node.bytes += n;
    return node;
  }

  /** Writes level `l`'s node out and links it into the level above. */
  private flush(l: number): void {
    const node = this.levels[l];
    const keySize = node.keySizes[0];
    const child = this.writeNode(l);
    if (l + 1 === this.levels.length) this.levels.push(new Node(this.sink.pageSize));
    const up = this.room(l + 1, BRANCH_ELEMENT_SIZE + keySize);
    // The first key is still at the start of the node's data: nothing is added to the node before it is copied.
    const at = up.reserve(keySize);
    node.data.copy(up.data, at, 0, keySize);
    const i = up.count++;
    up.keySizes[i] = keySize;
    up.children[i] = child;
  }

  private writeNode(l: number): bigint {
    const node = this.levels[l];
    const { pageSize } = this.sink;
    const blocks = pageBlocks(node.bytes, pageSize);
    const id = this.sink.allocate(blocks);
    if (this.page.length < blocks * pageSize) this.page = Buffer.allocUnsafe(blocks * pageSize);
    const page = this.page.subarray(0, blocks * pageSize);
    const leaf = l === 0;
    writePageHeader(page, id, leaf ? PageFlag.leaf : PageFlag.branch, node.count, blocks);
    const data = PAGE_HEADER_SIZE + node.count * (leaf ? LEAF_ELEMENT_SIZE : BRANCH_ELEMENT_SIZE);
    let at = data;
    for (let i = 0; i < node.count; i++) {
      if (leaf) {
        writeLeafElement(page, i, node.flags[i], at, node.keySizes[i], node.valueSizes[i]);
        at += node.keySizes[i] + node.valueSizes[i];
      } else {
        writeBranchElement(page, i, at, node.keySizes[i], node.children[i]);
        at += node.keySizes[i];
      }
    }
    node.data.copy(page, data, 0, node.used);
    page.fill(0, data + node.used);
    this.sink.write(id, page);
    node.reset();
    return id;
  }
}
