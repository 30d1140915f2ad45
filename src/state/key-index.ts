/**
 * The revisions of one key (etcd mvcc/key_index.go keyIndex), with what was
 * written at each: etcd keeps the values in the backend, walt keeps them here.
 *
 * A key has generations: a put starts one when the last is empty, a delete
 * appends its tombstone revision to the current one and opens a new, empty
 * one. For put(1.0) put(2.0) delete(3.0) put(4.0) delete(5.0):
 *   {1.0, 2.0, 3.0(t)} {4.0, 5.0(t)} {}
 * Compacting at a revision drops every revision at or below it except the
 * latest, and a generation whose latest is its tombstone; a key left with one
 * empty generation is gone from the index.
 */
import { StateError } from './errors.js';
import type { KeyValue, Kv } from './kv.js';
import { ValueRef } from './value-slabs.js';

/**
 * One change of the key, and the value written (none for a delete, the
 * tombstone). The sub revision is a number: a txn's changes are counted in
 * an array, far below 2^53. The object is its own value reference, so a
 * revision costs one object on the heap. Only KeyIndex.overwrite changes a
 * revision once made.
 */
export class KeyRevision extends ValueRef {
  /** Compacted away: no longer in its key's generations. */
  dropped = false;

  constructor(
    public main: bigint,
    public sub: number,
    public lease: bigint,
    readonly tombstone: boolean,
  ) {
    super();
  }
}

/** A revision's place: main, then sub (revision.go GreaterThan). */
interface Rev {
  main: bigint;
  sub: number;
}

function compareRev(a: Rev, b: Rev): number {
  if (a.main !== b.main) return a.main > b.main ? 1 : -1;
  return a.sub - b.sub;
}

interface Generation {
  /** Puts in this generation since it was created, compacted ones included. */
  ver: bigint;
  created: Rev;
  revs: KeyRevision[];
}

const EMPTY = new Uint8Array(0);
const SHORT_REVS = 8;

const isEmptyGen = (g: Generation | undefined): boolean => g === undefined || g.revs.length === 0;

export interface KeyAt {
  rev: KeyRevision;
  created: Rev;
  version: bigint;
}

export class KeyIndex {
  /** The last change; every new one must be above it. */
  private modified: Rev = { main: 0n, sub: 0 };
  private generations: Generation[] = [];

  constructor(readonly key: string) {}

  put(change: KeyRevision): void {
    if (compareRev(change, this.modified) <= 0) {
      // keyIndex.put panics: the store hands out revisions in order.
      throw new StateError('ETCD_PANIC', `mvcc: put of ${JSON.stringify(this.key)} at ${change.main}.${change.sub}, not above ${this.modified.main}.${this.modified.sub}`);
    }
    if (this.generations.length === 0) this.generations = [{ ver: 0n, created: change, revs: [] }];
    const g = this.generations[this.generations.length - 1];
    if (g.revs.length === 0) g.created = change;
    // Most keys keep a few revisions: a short array is copied at its exact
    // size, as push would leave room for 16 more in each (a third of the
    // index's memory with history kept).
    if (g.revs.length < SHORT_REVS) g.revs = g.revs.concat(change);
    else g.revs.push(change);
    g.ver++;
    this.modified = change;
  }

  /**
   * The key's one revision, when it has just one and it is a put: what a
   * store without history keeps of a live key, and what its next put makes
   * the key's one revision again (overwrite).
   */
  sole(): KeyRevision | undefined {
    if (this.generations.length !== 1) return undefined;
    const revs = this.generations[0].revs;
    return revs.length === 1 && !revs[0].tombstone ? revs[0] : undefined;
  }

  /**
   * put() and then compact() at the put's revision, for a store without
   * history: the key's sole revision `r` becomes the put at main.sub, a main
   * revision above r's, in place (its value is the caller's to replace), so a
   * write makes no object that outlives it. The generation keeps its create
   * revision and counts the put.
   */
  overwrite(r: KeyRevision, main: bigint, sub: number, lease: bigint): void {
    const g = this.generations[0];
    if (g.created === r) g.created = { main: r.main, sub: r.sub };
    r.main = main;
    r.sub = sub;
    r.lease = lease;
    g.ver++;
  }

  /**
   * The first revision of a key read back from a backend (keyIndex.restore):
   * earlier ones may have been compacted away, so the generation's create
   * revision and version come from the stored KeyValue.
   */
  restore(createRevision: bigint, version: bigint, change: KeyRevision): void {
    this.modified = change;
    this.generations = [{ ver: version, created: { main: createRevision, sub: 0 }, revs: [change] }];
  }

  /** Appends the delete and opens a new generation; undefined when the key has no live generation (ErrRevisionNotFound). */
  tombstone(main: bigint, sub: number): KeyRevision | undefined {
    if (isEmptyGen(this.generations[this.generations.length - 1])) return undefined;
    const change = new KeyRevision(main, sub, 0n, true);
    this.put(change);
    this.generations = this.generations.concat({ ver: 0n, created: { main: 0n, sub: 0 }, revs: [] });
    return change;
  }

  isEmpty(): boolean {
    return this.generations.length === 0 || (this.generations.length === 1 && isEmptyGen(this.generations[0]));
  }

  /** The key's state at `atRev` (keyIndex.get); undefined where it did not exist. */
  get(atRev: bigint): KeyAt | undefined {
    const g = this.findGeneration(atRev);
    if (g === undefined || g.revs.length === 0) return undefined;
    for (let n = g.revs.length - 1; n >= 0; n--) {
      if (g.revs[n].main <= atRev) return { rev: g.revs[n], created: g.created, version: g.ver - BigInt(g.revs.length - n - 1) };
    }
    return undefined;
  }

  /** Whether the key exists at `atRev`: get(atRev) without building its answer (a put asks this of every key it writes). */
  has(atRev: bigint): boolean {
    const g = this.findGeneration(atRev);
    return g !== undefined && g.revs.length > 0;
  }

  /** The key-value at `atRev`; without `withValue` its value is left '' unread (a compare of revisions, versions or leases). */
  kvAt(atRev: bigint, withValue = true): Kv | undefined {
    const at = this.get(atRev);
    if (at === undefined) return undefined;
    return { key: this.key, createRevision: at.created.main, modRevision: at.rev.main, version: at.version, value: at.rev.tombstone || !withValue ? '' : at.rev.latin1(), lease: at.rev.lease };
  }

  /** kvAt as bytes, the value a view of the store's copy: valid until the store's next write. */
  keyValueAt(atRev: bigint): KeyValue | undefined {
    const at = this.get(atRev);
    if (at === undefined) return undefined;
    return { key: Buffer.from(this.key, 'latin1'), createRevision: at.created.main, modRevision: at.rev.main, version: at.version, value: at.rev.tombstone ? EMPTY : at.rev.view(), lease: at.rev.lease };
  }

  /**
   * The changes at or after main revision `rev`, oldest first, one per main
   * revision (the highest sub: the others were never visible; keyIndex.since).
   */
  since(rev: bigint): KeyRevision[] {
    const since: Rev = { main: rev, sub: 0 };
    let gi = this.generations.length - 1;
    for (; gi > 0; gi--) {
      const g = this.generations[gi];
      if (!isEmptyGen(g) && compareRev(since, g.created) > 0) break;
    }
    const out: KeyRevision[] = [];
    let last = -1n;
    for (gi = Math.max(gi, 0); gi < this.generations.length; gi++) {
      for (const r of this.generations[gi].revs) {
        if (compareRev(since, r) > 0) continue;
        if (r.main === last) out[out.length - 1] = r;
        else out.push(r);
        last = r.main;
      }
    }
    return out;
  }

  /**
   * keyIndex.compact: drops what no read at or above `atRev` can see; `dropped`
   * is told of each revision that goes. `keepTombstone` (etcd 3.4.34, 3.5.16,
   * 3.6: key_index.go doCompact breaks at `tomb >= atRev`, and the "remove any
   * tombstone" step is gone) keeps a generation whose tombstone is exactly at
   * atRev, as that tombstone alone; before, it went.
   */
  compact(atRev: bigint, dropped: (r: KeyRevision) => void, keepTombstone = false): void {
    if (this.isEmpty()) return;
    let genIdx = 0;
    // The first generation that holds atRev or was created after it.
    while (genIdx < this.generations.length - 1) {
      const revs = this.generations[genIdx].revs;
      const tomb = revs[revs.length - 1].main;
      if (keepTombstone ? tomb >= atRev : tomb > atRev) break;
      genIdx++;
    }
    const g = this.generations[genIdx];
    if (g.revs.length > 0) {
      let revIndex = -1;
      for (let i = g.revs.length - 1; i >= 0; i--) {
        if (g.revs[i].main <= atRev) {
          revIndex = i;
          break;
        }
      }
      if (revIndex > 0) {
        // In place: without history every write compacts its key, and a new array each time would outlive the young generation.
        for (const r of g.revs.splice(0, revIndex)) dropped(r);
      }
      // A generation left with only its tombstone is gone (before 3.4.34/3.5.16).
      if (!keepTombstone && g.revs.length === 1 && genIdx !== this.generations.length - 1) {
        dropped(g.revs[0]);
        genIdx++;
      }
    }
    if (genIdx === 0) return;
    for (let i = 0; i < genIdx; i++) if (this.generations[i] !== g) this.generations[i].revs.forEach(dropped);
    this.generations = this.generations.slice(genIdx);
  }

  /** keyIndex.findGeneration: the generation `rev` falls in, or undefined in the gap after a delete. */
  private findGeneration(rev: bigint): Generation | undefined {
    const lastg = this.generations.length - 1;
    for (let cg = lastg; cg >= 0; cg--) {
      const g = this.generations[cg];
      if (g.revs.length === 0) continue;
      if (cg !== lastg && g.revs[g.revs.length - 1].main <= rev) return undefined;
      if (g.revs[0].main <= rev) return g;
    }
    return undefined;
  }
}
