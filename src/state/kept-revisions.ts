/**
 * Every revision the MVCC store keeps, in revision order, as etcd's `key`
 * bucket holds them after the same writes and compactions (mvcc/kvstore.go:
 * one row per change, `rev` → mvccpb.KeyValue; a delete's row is the
 * tombstone key with KeyValue{key} alone, kvstore_txn.go delete). The key
 * index holds every key with a kept revision, deleted ones included, until a
 * compaction empties it (key_index.go: so does etcd's treeIndex).
 */
import type { KeyValue } from './kv.js';
import type { MvccStore } from './mvcc.js';

export interface KeptRevision {
  main: bigint;
  sub: bigint;
  tombstone: boolean;
  /** The stored KeyValue: for a tombstone, the key alone (zero revisions, version and lease, empty value). */
  kv: KeyValue;
}

/** The kept revisions of every key, in (main, sub) order; each value a view, valid until the next is yielded. */
export function* keptRevisions(store: MvccStore): Generator<KeptRevision> {
  for (const [ki, rev] of store.keptInOrder()) {
    const sub = BigInt(rev.sub);
    if (rev.tombstone) {
      yield { main: rev.main, sub, tombstone: true, kv: { key: Buffer.from(ki.key, 'latin1'), createRevision: 0n, modRevision: 0n, version: 0n, value: new Uint8Array(0), lease: 0n } };
    } else {
      yield { main: rev.main, sub, tombstone: false, kv: ki.keyValueAt(rev.main)! };
    }
  }
}
