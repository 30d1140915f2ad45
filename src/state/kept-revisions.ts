/**
 * Every revision the MVCC store keeps, in revision order, as etcd's `key`
 * bucket holds them after the same writes and compactions (mvcc/kvstore.go:
 * one row per change, `rev` → mvccpb.KeyValue; a delete's row is the
 * tombstone key with KeyValue{key} alone, kvstore_txn.go delete).
 *
 * Built on the store's public reads only (keyIndex, since, kvAt): the store
 * does not list its keys, so the caller names them, the keys of a backend the
 * replay started from and every key a put of an applied entry named
 * (noteEntry). A key no put named was never in the store; a named key whose
 * history was compacted away is skipped.
 */
import { decodeNormalEntry } from '../codec/request.js';
import { requestKeys } from '../codec/request-keys.js';
import { EntryType, type Entry } from '../codec/proto/raftpb.js';
import { latin1, toKeyValue, type KeyValue } from './kv.js';
import type { MvccStore } from './mvcc.js';
import { Backend } from './backend.js';

export interface KeptRevision {
  main: bigint;
  sub: bigint;
  tombstone: boolean;
  /** The stored KeyValue: for a tombstone, the key alone (zero revisions, version and lease, empty value). */
  kv: KeyValue;
}

export class KeptKeys {
  private readonly keys = new Set<string>();

  /** The keys of a normal entry's puts (in txns too, either branch: a key not stored is skipped later). */
  noteEntry(entry: Entry): void {
    if (entry.type !== EntryType.EntryNormal) return;
    for (const ref of requestKeys(decodeNormalEntry(entry.data))) if (ref.op === 'put') this.keys.add(latin1(ref.key));
  }

  /** Keys named some other way (a store's live keys). */
  noteKeys(keys: Iterable<string>): void {
    for (const k of keys) this.keys.add(k);
  }

  /** The keys of a backend's `key` bucket, for a replay that started from it. */
  noteBackend(path: string): void {
    const be = Backend.open(path);
    try {
      for (const r of be.revisions()) this.keys.add(r.kv.key);
    } finally {
      be.close();
    }
  }

  /** The kept revisions of every noted key, in (main, sub) order. */
  *revisions(store: MvccStore): Generator<KeptRevision> {
    const rows: Array<{ main: bigint; sub: bigint; key: string; tombstone: boolean }> = [];
    for (const key of this.keys) {
      const ki = store.keyIndex(key);
      if (ki === undefined) continue;
      for (const r of ki.since(0n)) rows.push({ main: r.main, sub: BigInt(r.sub), key, tombstone: r.tombstone });
    }
    rows.sort((a, b) => (a.main !== b.main ? (a.main < b.main ? -1 : 1) : a.sub < b.sub ? -1 : a.sub > b.sub ? 1 : 0));
    for (const r of rows) {
      if (r.tombstone) {
        yield { main: r.main, sub: r.sub, tombstone: true, kv: { key: Buffer.from(r.key, 'latin1'), createRevision: 0n, modRevision: 0n, version: 0n, value: new Uint8Array(0), lease: 0n } };
      } else {
        yield { main: r.main, sub: r.sub, tombstone: false, kv: toKeyValue(store.keyIndex(r.key)!.kvAt(r.main)!) };
      }
    }
  }
}
