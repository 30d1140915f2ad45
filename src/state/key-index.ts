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

/** A generation the key's current one followed: a put after a delete. */
interface Generation {
  /** Puts in this generation since it was created, compacted ones included. */
  ver: bigint;
  created: Rev;
  revs: KeyRevision[];
}

const EMPTY = new Uint8Array(0);
const SHORT_REVS = 8;
const NO_REVS: readonly KeyRevision[] = Object.freeze([]);
const NO_GENERATIONS: readonly Generation[] = Object.freeze([]);
const ZERO_REV: Rev = Object.freeze({ main: 0n, sub: 0 });

const isEmptyGen = (g: Generation | undefined): boolean => g === undefined || g.revs.length === 0;

export interface KeyAt {
  rev: KeyRevision;
  /** The main revision of the put that created the key's generation. */
  createRevision: bigint;
  version: bigint;
}

/**
 * etcd's keyIndex keeps a list of generations, the last one current. Here the
 * current generation's fields live on the KeyIndex itself and only the
 * generations before it (keys deleted and written again, while history keeps
 * them) in a list: most keys have one generation, and a replay holds an index
 * entry per key, each object of it copied by the young-generation collector.
 */
export class KeyIndex {
  /** The last change; every new one must be above it. */
  private modified: Rev = ZERO_REV;
  /** Generations before the current one, oldest first. */
  private older: readonly Generation[] = NO_GENERATIONS;
  /** The current generation: puts since it was created, its create revision, and its revisions (none before a put). */
  private ver = 0n;
  private createdMain = 0n;
  private createdSub = 0;
  private revs: readonly KeyRevision[] = NO_REVS;

  constructor(readonly key: string) {}

  put(change: KeyRevision): void {
    if (compareRev(change, this.modified) <= 0) {
      // keyIndex.put panics: the store hands out revisions in order.
      throw new StateError('ETCD_PANIC', `mvcc: put of ${JSON.stringify(this.key)} at ${change.main}.${change.sub}, not above ${this.modified.main}.${this.modified.sub}`);
    }
    if (this.revs.length === 0) {
      this.createdMain = change.main;
      this.createdSub = change.sub;
    }
    // Most keys keep a few revisions: a short array is copied at its exact
    // size, as push would leave room for 16 more in each (a third of the
    // index's memory with history kept).
    if (this.revs.length < SHORT_REVS) this.revs = this.revs.concat(change);
    else (this.revs as KeyRevision[]).push(change);
    this.ver++;
    this.modified = change;
  }

  /**
   * The key's one revision, when it has just one and it is a put: what a
   * store without history keeps of a live key, and what its next put makes
   * the key's one revision again (overwrite).
   */
  sole(): KeyRevision | undefined {
    return this.older.length === 0 && this.revs.length === 1 && !this.revs[0].tombstone ? this.revs[0] : undefined;
  }

  /**
   * put() and then compact() at the put's revision, for a store without
   * history: the key's sole revision `r` becomes the put at main.sub, a main
   * revision above r's, in place (its value is the caller's to replace), so a
   * write makes no object that outlives it. The generation keeps its create
   * revision and counts the put.
   */
  overwrite(r: KeyRevision, main: bigint, sub: number, lease: bigint): void {
    r.main = main;
    r.sub = sub;
    r.lease = lease;
    this.ver++;
  }

  /**
   * The first revision of a key read back from a backend (keyIndex.restore):
   * earlier ones may have been compacted away, so the generation's create
   * revision and version come from the stored KeyValue.
   */
  restore(createRevision: bigint, version: bigint, change: KeyRevision): void {
    this.modified = change;
    this.older = NO_GENERATIONS;
    this.ver = version;
    this.createdMain = createRevision;
    this.createdSub = 0;
    this.revs = [change];
  }

  /** Appends the delete and opens a new generation; undefined when the key has no live generation (ErrRevisionNotFound). */
  tombstone(main: bigint, sub: number): KeyRevision | undefined {
    if (this.revs.length === 0) return undefined;
    const change = new KeyRevision(main, sub, 0n, true);
    this.put(change);
    this.older = this.older.concat(this.current());
    this.ver = 0n;
    this.createdMain = 0n;
    this.createdSub = 0;
    this.revs = NO_REVS;
    return change;
  }

  isEmpty(): boolean {
    return this.older.length === 0 && this.revs.length === 0;
  }

  /** The key's state at `atRev` (keyIndex.get); undefined where it did not exist. */
  get(atRev: bigint): KeyAt | undefined {
    if (this.currentHolds(atRev)) return at(this.revs, atRev, this.ver, this.createdMain);
    const g = this.findOlder(atRev);
    return g === undefined ? undefined : at(g.revs, atRev, g.ver, g.created.main);
  }

  /** Whether the key exists at `atRev`: get(atRev) without building its answer (a put asks this of every key it writes). */
  has(atRev: bigint): boolean {
    return this.currentHolds(atRev) || this.findOlder(atRev) !== undefined;
  }

  /** The key-value at `atRev`; without `withValue` its value is left '' unread (a compare of revisions, versions or leases). */
  kvAt(atRev: bigint, withValue = true): Kv | undefined {
    const at = this.get(atRev);
    if (at === undefined) return undefined;
    return { key: this.key, createRevision: at.createRevision, modRevision: at.rev.main, version: at.version, value: at.rev.tombstone || !withValue ? '' : at.rev.latin1(), lease: at.rev.lease };
  }

  /** kvAt as bytes, the value a view of the store's copy: valid until the store's next write. */
  keyValueAt(atRev: bigint): KeyValue | undefined {
    const at = this.get(atRev);
    if (at === undefined) return undefined;
    return { key: Buffer.from(this.key, 'latin1'), createRevision: at.createRevision, modRevision: at.rev.main, version: at.version, value: at.rev.tombstone ? EMPTY : at.rev.view(), lease: at.rev.lease };
  }

  /**
   * The changes at or after main revision `rev`, oldest first, one per main
   * revision (the highest sub: the others were never visible; keyIndex.since).
   */
  since(rev: bigint): KeyRevision[] {
    const gens = this.generations();
    const since: Rev = { main: rev, sub: 0 };
    let gi = gens.length - 1;
    for (; gi > 0; gi--) {
      const g = gens[gi];
      if (!isEmptyGen(g) && compareRev(since, g.created) > 0) break;
    }
    const out: KeyRevision[] = [];
    let last = -1n;
    for (gi = Math.max(gi, 0); gi < gens.length; gi++) {
      for (const r of gens[gi].revs) {
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
    if (this.older.length === 0) {
      // The current generation alone, the usual key: its revisions below the newest at or below atRev go.
      dropBelow(this.revs as KeyRevision[], atRev, dropped);
      return;
    }
    const gens = this.generations();
    let genIdx = 0;
    // The first generation that holds atRev or was created after it.
    while (genIdx < gens.length - 1) {
      const revs = gens[genIdx].revs;
      const tomb = revs[revs.length - 1].main;
      if (keepTombstone ? tomb >= atRev : tomb > atRev) break;
      genIdx++;
    }
    const g = gens[genIdx];
    if (g.revs.length > 0) {
      dropBelow(g.revs, atRev, dropped);
      // A generation left with only its tombstone is gone (before 3.4.34/3.5.16).
      if (!keepTombstone && g.revs.length === 1 && genIdx !== gens.length - 1) {
        dropped(g.revs[0]);
        genIdx++;
      }
    }
    if (genIdx === 0) return;
    for (let i = 0; i < genIdx; i++) if (gens[i] !== g) gens[i].revs.forEach(dropped);
    // The generations before genIdx go; the current one (last in gens, genIdx at most its place) stays in its fields.
    this.older = gens.slice(genIdx, gens.length - 1);
  }

  /** Every generation, the current one last, as etcd's keyIndex lists them (for the rarer walks). */
  private generations(): Generation[] {
    return [...this.older, this.current()];
  }

  /** The current generation as a Generation of its own (its revisions the same array). */
  private current(): Generation {
    return { ver: this.ver, created: { main: this.createdMain, sub: this.createdSub }, revs: this.revs as KeyRevision[] };
  }

  /** keyIndex.findGeneration's first question: the current generation began at or before `rev`. */
  private currentHolds(rev: bigint): boolean {
    return this.revs.length > 0 && this.revs[0].main <= rev;
  }

  /**
   * keyIndex.findGeneration past the current generation, for a `rev` it does
   * not hold (currentHolds false): the older generation `rev` falls in, or
   * undefined in the gap after a delete.
   */
  private findOlder(rev: bigint): Generation | undefined {
    for (let cg = this.older.length - 1; cg >= 0; cg--) {
      const g = this.older[cg];
      if (g.revs.length === 0) continue;
      if (g.revs[g.revs.length - 1].main <= rev) return undefined;
      if (g.revs[0].main <= rev) return g;
    }
    return undefined;
  }
}

/** The state at `atRev` in a generation whose first revision is at or below it. */
function at(revs: readonly KeyRevision[], atRev: bigint, ver: bigint, createRevision: bigint): KeyAt | undefined {
  for (let n = revs.length - 1; n >= 0; n--) {
    if (revs[n].main <= atRev) return { rev: revs[n], createRevision, version: ver - BigInt(revs.length - n - 1) };
  }
  return undefined;
}

/** Drops, in place, the revisions before the newest one at or below `atRev` (without history every write compacts its key, and a new array each time would outlive the young generation). */
function dropBelow(revs: KeyRevision[], atRev: bigint, dropped: (r: KeyRevision) => void): void {
  let revIndex = -1;
  for (let i = revs.length - 1; i >= 0; i--) {
    if (revs[i].main <= atRev) {
      revIndex = i;
      break;
    }
  }
  if (revIndex > 0) for (const r of revs.splice(0, revIndex)) dropped(r);
}
