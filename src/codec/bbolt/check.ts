/**
 * bbolt's consistency check (go.etcd.io/bbolt tx.go Tx.check, what `bbolt
 * check` prints): the freelist has no page twice; every page reachable from
 * the root bucket (nested buckets too; inline ones have no pages) is read
 * once, lies below the high-water mark and is a branch or leaf page that is
 * not also free; and every page below the high-water mark is a meta page,
 * the freelist, reachable, or free. Without a synced freelist (etcd 3.4 on
 * Linux), the free pages are by definition those the tree does not reach, as
 * bbolt's own check sees them after loadFreelist rebuilt the list.
 *
 * Findings are collected, not thrown: a report wants them all. Which of them
 * stop etcd is the report's judgement (src/report/backend.ts), not the format's.
 */
import { CodecError } from '../errors.js';
import type { BboltFile } from './file.js';
import { BUCKET_HEADER_SIZE, BUCKET_LEAF_FLAG, PageFlag, branchElement, branchElementChild, checkElementPage, leafElement, leafElementFlags, type PageRef } from './page.js';

export type CheckKind =
  /** tx.go "page N: already freed": the freelist lists a page twice. */
  | 'already-freed'
  /** The freelist page itself does not read (freelist.go read panics). */
  | 'bad-freelist'
  /** tx.go "out of bounds": a page id at or past the high-water mark, or past the file's end. */
  | 'out-of-bounds'
  /** tx.go "multiple references": two parents point at one page. */
  | 'multiple-references'
  /** tx.go "reachable freed": a page in the tree is also on the freelist. */
  | 'reachable-freed'
  /** tx.go "invalid type": a page in the tree is not a branch or leaf page, or its elements do not fit. */
  | 'invalid-type'
  /** A walk deeper than any file etcd writes: a cycle of page ids. */
  | 'too-deep'
  /** tx.go "unreachable unfreed": a page below the high-water mark nothing points to. */
  | 'unreachable-unfreed';

export interface CheckFinding {
  kind: CheckKind;
  page: bigint;
  message: string;
  offset?: number;
}

export interface CheckResult {
  findings: CheckFinding[];
  /** Pages below the high-water mark, and how many the tree, the freelist and the metas account for. */
  pages: number;
  reachable: number;
  free: number;
  /** The meta names no freelist page (pgidNoFreelist): bbolt rebuilds it at Open. */
  freelistSynced: boolean;
}

/** Findings of one kind past this many are counted, not listed. */
export const MAX_FINDINGS_PER_KIND = 20;

/**
 * The pages of one level of the walk in typed arrays, which the walk reuses
 * from level to level (fresh memory costs a page fault per 4 KB, and a level
 * can hold every leaf): each page's id, the page that points to it (a meta
 * page below 2), and, for a bucket's root, the bucket's name.
 */
class Level {
  length = 0;
  ids = new Float64Array(64);
  from = new Float64Array(64);
  /** byId's answer: positions, and the ids in that order. */
  private order = new Uint32Array(0);
  private sorted = new Float64Array(0);
  /** byId's counts, then where each id's run starts: one slot a page. */
  private starts = new Uint32Array(0);
  readonly buckets = new Map<number, string>();

  clear(): void {
    this.length = 0;
    this.buckets.clear();
  }

  add(id: number, from: number, bucket?: string): void {
    if (this.length === this.ids.length) {
      const ids = new Float64Array(this.length * 2);
      const froms = new Float64Array(this.length * 2);
      ids.set(this.ids);
      froms.set(this.from);
      this.ids = ids;
      this.from = froms;
    }
    if (bucket !== undefined) this.buckets.set(this.length, bucket);
    this.ids[this.length] = id;
    this.from[this.length++] = from;
  }

  /**
   * The ids in ascending order, and the position of each in `positions`: valid until the next byId.
   * A counting sort over the ids (each below `pages`, the high-water mark): a comparator sort of a
   * level of 65,000 leaves took 15 ms. An id met twice (a multiple reference) keeps both places.
   */
  byId(pages: number): { sorted: Float64Array; positions: Uint32Array } {
    const n = this.length;
    if (this.order.length < n) {
      this.order = new Uint32Array(this.ids.length);
      this.sorted = new Float64Array(this.ids.length);
    }
    if (this.starts.length < pages + 1) this.starts = new Uint32Array(pages + 1);
    const ids = this.ids;
    const starts = this.starts.subarray(0, pages + 1);
    starts.fill(0);
    for (let k = 0; k < n; k++) starts[ids[k] + 1]++;
    for (let id = 0; id < pages; id++) starts[id + 1] += starts[id];
    const positions = this.order.subarray(0, n);
    const sorted = this.sorted.subarray(0, n);
    for (let k = 0; k < n; k++) {
      const at = starts[ids[k]]++;
      positions[at] = k;
      sorted[at] = ids[k];
    }
    return { sorted, positions };
  }

  /** Who points to page k, for findings only. */
  parentOf(k: number): string {
    return parentName(this.from[k], this.buckets.get(k));
  }
}

/** Who points to a page: page `from` (a meta page below 2), through `bucket` when the page is a bucket's root. */
const parentName = (from: number, bucket: string | undefined): string =>
  bucket !== undefined ? `bucket ${bucket} on page ${from}` : from < 2 ? `meta page ${from}` : `branch page ${from}`;

export function checkBbolt(db: BboltFile): CheckResult {
  const findings: CheckFinding[] = [];
  const perKind = new Map<CheckKind, number>();
  const add = (f: CheckFinding) => {
    const n = (perKind.get(f.kind) ?? 0) + 1;
    perKind.set(f.kind, n);
    if (n <= MAX_FINDINGS_PER_KIND) findings.push(f);
  };
  const pgid = db.meta.pgid;
  const pages = Number(pgid);
  // One byte a page below the high-water mark: bigint sets cost more than the reads.
  const freed = new Uint8Array(pages);
  const reachable = new Uint8Array(pages);
  reachable[0] = reachable[1] = 1;
  let reachableCount = 2;
  /** Marks a page reached; false when it already was. Every id given is below the high-water mark (BboltFile checks it, overflow pages too). */
  const reach = (id: number): boolean => {
    if (reachable[id] === 1) return false;
    reachable[id] = 1;
    reachableCount++;
    return true;
  };

  let freelistSynced = false;
  try {
    const fl = db.freelist();
    if (fl) {
      freelistSynced = true;
      for (const id of fl.pages) reach(Number(id));
      for (const id of fl.ids) {
        if (id < pgid && freed[Number(id)] === 1) add({ kind: 'already-freed', page: id, message: `page ${id} is on the freelist twice` });
        if (id < pgid) freed[Number(id)] = 1;
      }
    }
  } catch (e) {
    if (!(e instanceof CodecError)) throw e;
    freelistSynced = true;
    add({ kind: 'bad-freelist', page: db.meta.freelist, message: `the freelist page ${db.meta.freelist} does not read: ${e.message}`, offset: e.offset });
  }

  /** A pointer from page `from` (through `bucket`, to its root) to page `id`, outside the data pages. */
  const outOfBounds = (id: bigint, from: number, bucket?: string): void => {
    add({ kind: 'out-of-bounds', page: id, message: `${parentName(from, bucket)} points at page ${id}, outside the data pages 2..${pgid - 1n}` });
  };

  /** Checks page k of `level`, and adds the pages it points to (a branch's children, a leaf's buckets with pages) to `below`. */
  const visit = (level: Level, k: number, p: PageRef | CodecError, below: Level): void => {
    const id = level.ids[k];
    if (p instanceof CodecError) {
      add({ kind: p.code === 'BBOLT_TRUNCATED' ? 'out-of-bounds' : 'invalid-type', page: BigInt(id), message: `${level.parentOf(k)} points at page ${id}: ${p.message}`, offset: p.offset });
      return;
    }
    const blocks = (p.end - p.at) / db.pageSize;
    let seen = false;
    for (let i = 0; i < blocks; i++) {
      if (!reach(id + i)) {
        add({ kind: 'multiple-references', page: BigInt(id + i), message: `page ${id + i} is reached twice (again from ${level.parentOf(k)})`, offset: p.base + p.at });
        seen = true;
      }
    }
    // Walked once: a second parent is the finding, and descending again could loop.
    if (seen) return;
    if (freed[id] === 1) add({ kind: 'reachable-freed', page: BigInt(id), message: `page ${id} is in the tree (from ${level.parentOf(k)}) and on the freelist`, offset: p.base + p.at });
    let flags: number;
    let count: number;
    try {
      ({ flags, count } = checkElementPage(p));
    } catch (e) {
      if (!(e instanceof CodecError)) throw e;
      add({ kind: 'invalid-type', page: BigInt(id), message: `${e.message} (reached from ${level.parentOf(k)})`, offset: e.offset });
      return;
    }
    try {
      if (flags === PageFlag.branch) {
        for (let i = 0; i < count; i++) {
          const child = branchElementChild(p, i);
          if (child >= 2 && child < pages) below.add(child, id);
          else outOfBounds(branchElement(p, i).child, id);
        }
        return;
      }
      for (let i = 0; i < count; i++) {
        if ((leafElementFlags(p, i) & BUCKET_LEAF_FLAG) === 0) continue;
        const e = leafElement(p, i);
        const name = JSON.stringify(e.key.toString('latin1'));
        if (e.value.length < BUCKET_HEADER_SIZE) {
          add({ kind: 'invalid-type', page: BigInt(id), message: `page ${id}: bucket ${name} has a ${e.value.length}-byte header`, offset: e.valueOffset });
          continue;
        }
        const root = e.value.readBigUInt64LE(0);
        // Inline buckets (root 0) live inside the value and own no pages (tx.go checkBucket).
        if (root === 0n) continue;
        if (root >= 2n && root < pgid) below.add(Number(root), id, name);
        else outOfBounds(root, id, name);
      }
    } catch (e) {
      if (!(e instanceof CodecError)) throw e;
      add({ kind: 'invalid-type', page: BigInt(id), message: e.message, offset: e.offset });
    }
  };
  // Level by level from the root, each level in page order (BboltFile.eachPage reads them in large
  // sequential reads): a walk in tree order meets the pages of a long-lived etcd backend in no
  // order at all. What each page must satisfy is the same in any order.
  let level = new Level();
  let below = new Level();
  // The meta's root lies inside the data pages (BboltFile refuses a meta whose root does not).
  level.add(Number(db.meta.root), db.meta.page);
  for (let depth = 0; level.length > 0; depth++) {
    if (depth > db.maxDepth) {
      for (let k = 0; k < level.length; k++) add({ kind: 'too-deep', page: BigInt(level.ids[k]), message: `page ${level.ids[k]} is ${depth} levels down (${level.parentOf(k)}): a cycle of page ids?` });
      break;
    }
    below.clear();
    const { sorted, positions } = level.byId(pages);
    const current = level;
    const next = below;
    db.eachPage(sorted, (k, p) => visit(current, positions[k], p, next));
    [level, below] = [below, level];
  }

  let free = 0;
  for (let n = 2; n < pages; n++) {
    // Without a synced freelist, bbolt's freelist is every page the tree does not reach (db.go freepages).
    if (freed[n] === 1 || (!freelistSynced && reachable[n] === 0)) free++;
    else if (reachable[n] === 0) {
      const id = BigInt(n);
      add({ kind: 'unreachable-unfreed', page: id, message: `page ${id} is neither in the tree nor on the freelist`, offset: n * db.pageSize });
    }
  }
  for (const [kind, n] of perKind) {
    if (n > MAX_FINDINGS_PER_KIND) findings.push({ kind, page: -1n, message: `and ${n - MAX_FINDINGS_PER_KIND} more pages with the same finding` });
  }
  return { findings, pages, reachable: reachableCount, free, freelistSynced };
}
