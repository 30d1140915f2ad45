/**
 * The v3 key space with etcd's MVCC semantics (mvcc/kvstore.go,
 * kvstore_txn.go, index.go): every write txn that changes something takes the
 * next main revision, each change in it the next sub revision; reads name a
 * revision and see the key space as it was, unless it was compacted away.
 *
 * History: etcd keeps every revision's value in its backend until a
 * compaction. With `keepHistory` (the default) walt keeps them in memory the
 * same way, so memory grows with the writes since the last compaction; without
 * it, each write txn compacts the keys it touched at its own revision, memory
 * stays proportional to the live key space, and reads of older revisions fail
 * with HISTORY_DROPPED. Either way the applied state is the same: nothing etcd
 * applies depends on an old value, only on the compaction revision.
 */
import { StateError } from './errors.js';
import { fail } from './etcd-errors.js';
import { KeyIndex, KeyRevision } from './key-index.js';
import { bytesOf, NO_LEASE, type Kv } from './kv.js';
import { ValueSlabs } from './value-slabs.js';
import { SortedKeys } from './sorted-keys.js';

/** The lessor's side of keys with leases (lease/lessor.go Attach, Detach, GetLease). */
export interface LeaseAttachments {
  leaseOf(key: string): bigint;
  /** False when the lease does not exist. */
  attach(lease: bigint, key: string): boolean;
  detach(lease: bigint, key: string): void;
}

export interface MvccOptions {
  keepHistory?: boolean;
  /** Keep the values in a temporary file in this directory, not in memory (value-slabs.ts). */
  spillDir?: string;
}

export interface RangeOptions {
  /** 0 or absent: no limit. */
  limit?: number;
  /** 0 or absent: the current revision. */
  rev?: bigint;
  countOnly?: boolean;
}

export interface RangeResult {
  kvs: Kv[];
  /** Every key in range at the revision, whatever the limit. */
  count: number;
  /** The store's revision when read (the header revision). */
  rev: bigint;
}

/** A revision read back from a backend's `key` bucket, in revision order. */
export interface StoredRevision {
  main: bigint;
  sub: bigint;
  tombstone: boolean;
  kv: Kv;
}

export type HistoryEvent = { type: 'put'; kv: Kv } | { type: 'delete'; key: string; modRevision: bigint };

export class MvccStore {
  /** The revision of the last write txn that changed something; a new store starts at 1 (NewStore). */
  currentRev = 1n;
  /** The last compaction's revision; -1 before any. */
  compactRev = -1n;
  readonly keepHistory: boolean;
  private readonly index = new Map<string, KeyIndex>();
  /** @internal The values of the revisions kept. */
  readonly values: ValueSlabs;
  private readonly dropRevision = (r: KeyRevision) => {
    r.dropped = true;
    if (!r.tombstone) this.values.release(r);
  };
  /**
   * With history: every revision with its key in the order written, which is
   * (main, sub) order, as etcd's `key` bucket holds them; the compacted ones
   * go at each compaction. Without history each write drops the last, and
   * keptInOrder sorts the few left.
   */
  private written: { revs: KeyRevision[]; keys: KeyIndex[] } | undefined;
  private readonly keys = new SortedKeys();

  constructor(
    readonly leases: LeaseAttachments,
    opts: MvccOptions = {},
  ) {
    this.keepHistory = opts.keepHistory ?? true;
    this.values = new ValueSlabs({ spillDir: opts.spillDir });
    if (this.keepHistory) this.written = { revs: [], keys: [] };
  }

  /** @internal A change just made to `ki`. */
  wrote(ki: KeyIndex, r: KeyRevision): void {
    if (this.written === undefined) return;
    this.written.revs.push(r);
    this.written.keys.push(ki);
  }

  /** Every revision the store keeps, with its key, in (main, sub) order. */
  *keptInOrder(): Generator<[KeyIndex, KeyRevision]> {
    if (this.written) {
      const { revs, keys } = this.written;
      for (let i = 0; i < revs.length; i++) if (!revs[i].dropped) yield [keys[i], revs[i]];
      return;
    }
    const rows: Array<[KeyIndex, KeyRevision]> = [];
    for (const ki of this.index.values()) for (const r of ki.since(0n)) rows.push([ki, r]);
    rows.sort(([, a], [, b]) => (a.main !== b.main ? (a.main < b.main ? -1 : 1) : a.sub - b.sub));
    yield* rows;
  }

  /** Number of keys in the index, deleted ones whose history is kept included. */
  get indexedKeys(): number {
    return this.keys.size;
  }

  write(): TxnWrite {
    return new TxnWrite(this, this.currentRev);
  }

  /** A read at the current revision (storeTxnRead.Range). */
  range(key: string, end: string | undefined, opts: RangeOptions = {}): RangeResult {
    return this.rangeKeys(key, end, this.currentRev, opts);
  }

  /** storeTxnRead.rangeKeys: `end` undefined reads `key` alone, '' means every key from `key` on. */
  rangeKeys(key: string, end: string | undefined, curRev: bigint, opts: RangeOptions): RangeResult {
    const r = this.rangeLazy(key, end, curRev, opts);
    return { ...r, kvs: Array.from(r.kvs) };
  }

  /**
   * rangeKeys with the key-values made one at a time as `kvs` is iterated, so
   * a whole key space can be printed without being held twice. Iterate it
   * before the next write.
   */
  rangeLazy(key: string, end: string | undefined, curRev: bigint, opts: RangeOptions): { kvs: Iterable<Kv>; count: number; rev: bigint } {
    return this.rangeAs(key, end, curRev, opts, (ki, at) => ki.kvAt(at)!);
  }

  /** rangeLazy with each key-value made by `make` from its key's index, at the revision read. */
  rangeAs<T>(key: string, end: string | undefined, curRev: bigint, opts: RangeOptions, make: (ki: KeyIndex, atRev: bigint) => T): { kvs: Iterable<T>; count: number; rev: bigint } {
    let rev = opts.rev ?? 0n;
    if (rev > curRev) fail('ErrFutureRev');
    if (rev <= 0n) rev = curRev;
    if (rev < this.compactRev) fail('ErrCompacted');
    if (!this.keepHistory && rev < this.currentRev) {
      throw new StateError('HISTORY_DROPPED', `revision ${rev} is before the current revision ${this.currentRev}, and history is not kept`);
    }
    const live = this.liveAt(key, end, rev);
    const limit = opts.countOnly ? 0 : opts.limit && opts.limit > 0 && opts.limit < live.length ? opts.limit : live.length;
    const at = rev;
    function* kvs(): Generator<T> {
      for (let i = 0; i < limit; i++) yield make(live[i], at);
    }
    return { kvs: kvs(), count: live.length, rev: curRev };
  }

  /** `key` at the current revision, undefined where it is not live: rangeKeys of one key, without its lists. */
  kvNow(key: string, withValue = true): Kv | undefined {
    return this.index.get(key)?.kvAt(this.currentRev, withValue);
  }

  /** treeIndex.Range: the key indexes with a live key at `atRev`, in key order. */
  liveAt(key: string, end: string | undefined, atRev: bigint): KeyIndex[] {
    if (end === undefined) {
      const ki = this.index.get(key);
      return ki?.get(atRev) ? [ki] : [];
    }
    const out: KeyIndex[] = [];
    for (const k of this.keys.range(key, end)) {
      const ki = this.index.get(k)!;
      if (ki.get(atRev)) out.push(ki);
    }
    return out;
  }

  /**
   * store.Compact: ErrCompacted at or below the last compaction, ErrFutureRev
   * above the current revision. `keepTombstone`: a tombstone exactly at `rev`
   * stays (3.4.34, 3.5.16, 3.6; version-rules.ts compaction-keeps-tombstone).
   */
  compact(rev: bigint, keepTombstone = true): void {
    if (rev <= this.compactRev) fail('ErrCompacted');
    if (rev > this.currentRev) fail('ErrFutureRev');
    this.compactRev = rev;
    for (const ki of [...this.index.values()]) this.compactKey(ki, rev, keepTombstone);
    if (this.written) {
      const { revs, keys } = this.written;
      const kept = { revs: [] as KeyRevision[], keys: [] as KeyIndex[] };
      for (let i = 0; i < revs.length; i++) {
        if (revs[i].dropped) continue;
        kept.revs.push(revs[i]);
        kept.keys.push(keys[i]);
      }
      this.written = kept;
    }
  }

  /** Every change of `key` still kept, oldest first (keyIndex.since). */
  history(key: string): HistoryEvent[] {
    const ki = this.index.get(key);
    if (ki === undefined) return [];
    return ki.since(0n).map((r): HistoryEvent => (r.tombstone ? { type: 'delete', key, modRevision: r.main } : { type: 'put', kv: ki.kvAt(r.main)! }));
  }

  /**
   * Rebuilds the index from a backend (kvstore.go restore): the first revision
   * of a key restores its generation from the stored KeyValue, later ones are
   * replayed, a key whose first revision is a delete is skipped; the leases of
   * the keys live at the end are attached; an unfinished scheduled compaction runs.
   */
  restore(revisions: Iterable<StoredRevision>, compaction: { finished?: bigint; scheduled?: bigint }, keepTombstone = true): void {
    if (this.index.size !== 0 || this.currentRev !== 1n) throw new Error('mvcc: restore into a store that is not new');
    const keyToLease = new Map<string, bigint>();
    let last = 1n;
    for (const r of revisions) {
      last = r.main;
      const key = r.kv.key;
      if (r.tombstone || r.kv.lease === NO_LEASE) keyToLease.delete(key);
      else keyToLease.set(key, r.kv.lease);
      const ki = this.index.get(key);
      const sub = Number(r.sub);
      const change = new KeyRevision(r.main, sub, r.tombstone ? NO_LEASE : r.kv.lease, r.tombstone);
      if (!r.tombstone) this.values.put(bytesOf(r.kv.value), change);
      let touched = ki;
      if (ki) {
        if (r.tombstone) {
          const t = ki.tombstone(r.main, sub);
          if (t) this.wrote(ki, t);
        } else {
          ki.put(change);
          this.wrote(ki, change);
        }
      } else if (!r.tombstone) {
        touched = new KeyIndex(key);
        touched.restore(r.kv.createRevision, r.kv.version, change);
        this.addKey(touched);
        this.wrote(touched, change);
      }
      // Without history the backend streams through: each key keeps only its
      // newest revision (what compacting every key at the end would keep).
      if (touched && !this.keepHistory) this.compactKey(touched, r.main);
    }
    this.compactRev = compaction.finished ?? -1n;
    // Compaction may have removed every revision up to it: the store is at least there.
    this.currentRev = last < this.compactRev ? this.compactRev : last;
    for (const [key, lease] of keyToLease) this.leases.attach(lease, key);
    const scheduled = compaction.scheduled ?? 0n;
    if (scheduled !== 0n && scheduled > this.compactRev) this.compact(scheduled, keepTombstone);
  }

  /** @internal TxnWrite's access to the index. */
  keyIndex(key: string): KeyIndex | undefined {
    return this.index.get(key);
  }

  /** @internal */
  addKey(ki: KeyIndex): void {
    this.index.set(ki.key, ki);
    this.keys.add(ki.key);
  }

  /**
   * @internal Without history, each write compacts what it touched at its own
   * revision, dropping its tombstones: only history could tell them apart.
   */
  compactKey(ki: KeyIndex, rev: bigint, keepTombstone = false): void {
    ki.compact(rev, this.dropRevision, keepTombstone);
    if (ki.isEmpty()) {
      this.index.delete(ki.key);
      this.keys.delete(ki.key);
    }
  }
}

/**
 * A write txn (storeTxnWrite): its changes share main revision beginRev + 1,
 * which becomes the store's revision at end() if anything changed.
 */
export class TxnWrite {
  private changes = 0;
  /** The keys changed, to compact at the end when history is not kept (compacting one twice is harmless). */
  private readonly touched: KeyIndex[] = [];
  /** The revision its changes take. */
  private readonly rev: bigint;

  constructor(
    private readonly store: MvccStore,
    readonly beginRev: bigint,
  ) {
    this.rev = beginRev + 1n;
  }

  get changed(): boolean {
    return this.changes > 0;
  }

  /** Reads see this txn's own changes. */
  range(key: string, end: string | undefined, opts: RangeOptions = {}): RangeResult {
    return this.store.rangeKeys(key, end, this.changes > 0 ? this.rev : this.beginRev, opts);
  }

  /** Returns the revision of the write. */
  put(key: string, value: Uint8Array, lease: bigint): bigint {
    const rev = this.rev;
    let ki = this.store.keyIndex(key);
    // A key that exists keeps its create revision and loses its old lease (storeTxnWrite.put).
    const oldLease = ki?.has(rev) ? this.store.leases.leaseOf(key) : NO_LEASE;
    if (ki === undefined) {
      ki = new KeyIndex(key);
      this.store.addKey(ki);
    }
    // A lease of 0 decoded from a request is a bigint of its own; the revision keeps the shared one.
    const leased = lease === NO_LEASE ? NO_LEASE : lease;
    // Without history, end() would compact the key's last revision away: the put takes its place
    // (one written earlier in this txn, at this revision, keeps its own and takes the usual path).
    const sole = this.store.keepHistory ? undefined : ki.sole();
    if (sole !== undefined && sole.main < rev) {
      this.store.values.release(sole);
      ki.overwrite(sole, rev, this.changes, leased);
      this.store.values.put(value, sole);
    } else {
      const change = this.store.values.put(value, new KeyRevision(rev, this.changes, leased, false));
      ki.put(change);
      this.store.wrote(ki, change);
    }
    this.changes++;
    this.touched.push(ki);
    if (oldLease !== NO_LEASE) this.store.leases.detach(oldLease, key);
    // etcd panics here; every caller checks the lease exists first (apply.go checkRequestPut).
    if (lease !== NO_LEASE && !this.store.leases.attach(lease, key)) throw new StateError('ETCD_PANIC', `mvcc: put of ${JSON.stringify(key)} with lease ${lease}, which does not exist`);
    return rev;
  }

  /** Deletes the keys live in [key, end) (or `key` alone); returns how many and the revision (storeTxnWrite.DeleteRange). */
  deleteRange(key: string, end: string | undefined): { deleted: number; rev: bigint } {
    const live = this.store.liveAt(key, end, this.changes > 0 ? this.rev : this.beginRev);
    for (const ki of live) {
      const t = ki.tombstone(this.rev, this.changes);
      if (t === undefined) throw new StateError('ETCD_PANIC', `mvcc: cannot tombstone ${JSON.stringify(ki.key)}`);
      this.store.wrote(ki, t);
      this.changes++;
      this.touched.push(ki);
      const lease = this.store.leases.leaseOf(ki.key);
      if (lease !== NO_LEASE) this.store.leases.detach(lease, ki.key);
    }
    if (live.length !== 0 || this.changes > 0) return { deleted: live.length, rev: this.rev };
    return { deleted: 0, rev: this.beginRev };
  }

  end(): void {
    if (this.changes === 0) return;
    this.store.currentRev = this.rev;
    if (!this.store.keepHistory) for (const ki of this.touched) this.store.compactKey(ki, this.rev);
  }
}
