/**
 * A node's state machine: etcd's own (state/apply.ts EtcdState: the v3 key
 * space, membership, the v2 store), and what the simulation needs around it:
 * the request ID a proposer waits on and what the request saw (the key's
 * value before it applied, whether a txn's compares held), the key space to
 * compare between nodes, and the v2 store as a .snap file carries it.
 */
import type { Entry } from '../codec/proto/raftpb.js';
import { ProtoReader, WireType } from '../codec/proto/wire.js';
import { EtcdState } from '../state/apply.js';
import { latin1, type KeyValue } from '../state/kv.js';
import { v2StoreJson } from '../state/v2store-save.js';

export type { KeyValue };

/** What applying a client's request answered it. */
export interface Applied {
  /** The request's header ID. */
  reqId: bigint;
  /** The value of the awaited request's key just before it applied; null if there was none. */
  before: string | null;
  /** A txn's verdict. */
  succeeded?: boolean;
}

const enc = new TextEncoder();
const ALL_KEYS = new Uint8Array([0]);

export class SimState {
  readonly etcd: EtcdState;

  constructor(clusterId: bigint, memberId: bigint) {
    // No history: the simulation reads only the current revision, and memory stays with the key space.
    this.etcd = new EtcdState({ clusterId, memberId, keepHistory: false });
  }

  /**
   * Applies a committed normal entry. For a request, its ID, and where a
   * client awaits it here (`awaited` gives its key), what it saw.
   */
  applyNormal(e: Entry, awaited: (reqId: bigint) => string | undefined): Applied | undefined {
    const reqId = headerId(e.data);
    const key = reqId === undefined ? undefined : awaited(reqId);
    const before = key === undefined ? null : this.get(key);
    const r = this.etcd.applyEntry(e);
    return reqId === undefined ? undefined : { reqId, before, succeeded: r.succeeded };
  }

  /** Applies an entry with no one waiting on it: rebuilding the state up to an index. */
  replay(e: Entry): void {
    this.etcd.applyEntry(e);
  }

  /** Applies a committed conf change to the membership; false where etcd refuses it. */
  applyConfChange(e: Entry): boolean {
    return this.etcd.applyEntry(e).error === undefined;
  }

  get(key: string): string | null {
    const kv = this.etcd.range(enc.encode(key)).kvs[0];
    return kv === undefined ? null : latin1(kv.value);
  }

  /** The live key space in key order, as `etcdctl get "" --prefix` lists it. */
  keySpace(): KeyValue[] {
    return this.etcd.range(new Uint8Array(), ALL_KEYS).kvs;
  }

  get revision(): bigint {
    return this.etcd.store.currentRev;
  }

  isRemoved(id: bigint): boolean {
    return this.etcd.cluster.removed.has(id);
  }

  /** A .snap file's data: the v2 store, which holds the membership in 3.4. */
  snapshotData(): Uint8Array {
    return v2StoreJson(this.etcd.v2!);
  }
}

const HEADER_TAG = (100 << 3) | WireType.LEN;
const ID_TAG = (1 << 3) | WireType.VARINT;

/** InternalRaftRequest.header.ID, read without decoding the request: the applier decodes it anyway. */
function headerId(data: Uint8Array | undefined): bigint | undefined {
  if (data === undefined) return undefined;
  const r = new ProtoReader(data);
  while (!r.done()) {
    const t = r.tag();
    if (t !== HEADER_TAG) {
      r.skip(t & 7);
      continue;
    }
    const h = new ProtoReader(r.bytes());
    while (!h.done()) {
      const ht = h.tag();
      if (ht === ID_TAG) return h.uint64();
      h.skip(ht & 7);
    }
  }
  return undefined;
}
