/**
 * The ordered set of keys the MVCC index holds (etcd keeps them in a B-tree,
 * mvcc/index.go treeIndex): a sorted list cut into blocks, so an insert moves
 * at most one block's worth of entries and a range starts with a binary
 * search. Keys are latin1 strings, whose `<` is byte order (kv.ts).
 */
const BLOCK_MAX = 1024;

export class SortedKeys {
  private blocks: string[][] = [];
  /** The last key of each block: where a binary search finds a key's block. */
  private lasts: string[] = [];
  private count = 0;

  get size(): number {
    return this.count;
  }

  /** Adds a key that is not yet present. */
  add(key: string): void {
    if (this.blocks.length === 0) {
      this.blocks.push([key]);
      this.lasts.push(key);
      this.count++;
      return;
    }
    let b = this.blockFor(key);
    if (b === this.blocks.length) b--;
    const block = this.blocks[b];
    block.splice(lowerBound(block, key), 0, key);
    this.lasts[b] = block[block.length - 1];
    this.count++;
    if (block.length > BLOCK_MAX) {
      const tail = block.splice(block.length >>> 1);
      this.blocks.splice(b + 1, 0, tail);
      this.lasts.splice(b, 1, block[block.length - 1], tail[tail.length - 1]);
    }
  }

  delete(key: string): boolean {
    const b = this.blockFor(key);
    if (b === this.blocks.length) return false;
    const block = this.blocks[b];
    const i = lowerBound(block, key);
    if (block[i] !== key) return false;
    block.splice(i, 1);
    this.count--;
    if (block.length === 0) {
      this.blocks.splice(b, 1);
      this.lasts.splice(b, 1);
    } else {
      this.lasts[b] = block[block.length - 1];
    }
    return true;
  }

  /** Keys in [from, to) in order; `to` undefined or '' means no upper bound (etcd's empty range end). */
  *range(from: string, to?: string): Generator<string> {
    const bounded = to !== undefined && to !== '';
    for (let b = this.blockFor(from), first = true; b < this.blocks.length; b++, first = false) {
      const block = this.blocks[b];
      for (let i = first ? lowerBound(block, from) : 0; i < block.length; i++) {
        if (bounded && block[i] >= to) return;
        yield block[i];
      }
    }
  }

  /** Index of the first block whose last key is ≥ key; blocks.length when none is. */
  private blockFor(key: string): number {
    return lowerBound(this.lasts, key);
  }
}

/** First index whose element is ≥ key. */
function lowerBound(a: string[], key: string): number {
  let lo = 0;
  let hi = a.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (a[mid] < key) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
