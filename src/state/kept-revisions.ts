/**
 * Every revision the MVCC store keeps, in revision order, as etcd's `key`
 * bucket holds them after the same writes and compactions (mvcc/kvstore.go:
 * one row per change, `rev` → mvccpb.KeyValue; a delete's row is the
 * tombstone key with KeyValue{key} alone, kvstore_txn.go delete). The key
 * index holds every key with a kept revision, deleted ones included, until a
 * compaction empties it (key_index.go: so does etcd's treeIndex).
 */
import type { KeyValueFields } from '../codec/proto/key-value.js';
import type { KeyIndex } from './key-index.js';
import type { MvccStore } from './mvcc.js';

export interface KeptRevision {
  main: bigint;
  sub: bigint;
  tombstone: boolean;
  /** The stored KeyValue: for a tombstone, the key alone (no value; zero revisions, version and lease). */
  kv: KeyValueFields;
}

const EMPTY = new Uint8Array(0);

/**
 * The kept revisions of every key, in (main, sub) order, each as KeyIndex.keyValueAt
 * has it at its main revision. One object is filled in again for each (its value
 * a view), so it is valid until the next is yielded.
 */
export function* keptRevisions(store: MvccStore): Generator<KeptRevision> {
  const kv: KeyValueFields = { key: '', createRevision: 0n, modRevision: 0n, version: 0n, value: undefined, lease: 0n };
  const out: KeptRevision = { main: 0n, sub: 0n, tombstone: false, kv };
  for (const [ki, rev] of store.keptInOrder()) {
    out.main = rev.main;
    out.sub = BigInt(rev.sub);
    out.tombstone = rev.tombstone;
    kv.key = ki.key;
    if (rev.tombstone) {
      kv.createRevision = kv.modRevision = kv.version = kv.lease = 0n;
      kv.value = undefined;
    } else {
      const at = ki.get(rev.main)!;
      kv.createRevision = at.createRevision;
      kv.modRevision = at.rev.main;
      kv.version = at.version;
      kv.value = at.rev.tombstone ? EMPTY : at.rev.view();
      kv.lease = at.rev.lease;
    }
    yield out;
  }
}

/**
 * The keys live at the store's current revision, counted as etcd's range over
 * every key counts them: a key is live when its newest revision is a put, and
 * a live key's newest revision is always kept (a compaction keeps the newest
 * revision of a live generation), so the kept revisions name them all.
 */
export function liveKeyCount(store: MvccStore): number {
  const live = new Map<KeyIndex, boolean>();
  for (const [ki, rev] of store.keptInOrder()) live.set(ki, !rev.tombstone);
  let n = 0;
  for (const isLive of live.values()) if (isLive) n++;
  return n;
}
