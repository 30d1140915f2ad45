/**
 * Membership as etcd 3.4 writes it (etcdserver/api/membership): the member
 * JSON a ConfChange carries as its context, and the v2 store document, which
 * holds the membership under /0/members, saved as a .snap file's data
 * (store/store.go Save).
 */
import type { V2Store } from '../state/v2store.js';
import type { NodeJson, V2NodeExtern } from '../state/v2node.js';

export interface MemberSpec {
  id: bigint;
  peerURLs: string[];
  name?: string;
  isLearner?: boolean;
}

const enc = new TextEncoder();

/**
 * A simulated member's peer URL: stable, and distinct per node; on loopback,
 * port `basePort` + k, when real etcd is to start on the data dirs.
 */
export const peerURL = (k: number, basePort?: number): string => (basePort === undefined ? `http://node-${k}:2380` : `http://127.0.0.1:${basePort + k}`);

/**
 * membership.Member as json.Marshal writes it: uint64 ID as a bare number,
 * then RaftAttributes (isLearner omitted when false), then Attributes (name
 * omitted when empty). JSON cannot carry a uint64 through a JS number, hence by hand.
 */
export function memberContext(m: MemberSpec): Uint8Array {
  let s = `{"id":${m.id},"peerURLs":${JSON.stringify(m.peerURLs)}`;
  if (m.isLearner) s += ',"isLearner":true';
  if (m.name) s += `,"name":${JSON.stringify(m.name)}`;
  return enc.encode(s + '}');
}

/** ConfigChangeContext of `member promote`: the member with nil peerURLs, and isPromote. */
export const promoteContext = (id: bigint): Uint8Array => enc.encode(`{"id":${id},"peerURLs":null,"isPromote":true}`);

/**
 * The v2 store as etcd's store.Save marshals it: the .snap file's data. The
 * watcher hub's event history, which nothing reads back, is saved empty.
 */
export function v2StoreJson(v2: V2Store): Uint8Array {
  const store = {
    Root: saved(v2.get('/', true, true)),
    WatcherHub: { EventHistory: { Queue: { Events: new Array(1000).fill(null), Size: 0, Front: 0, Back: 0, Capacity: 1000 }, StartIndex: 0, LastIndex: 0 } },
    CurrentIndex: Number(v2.currentIndex),
    Stats: STATS,
    CurrentVersion: 2,
  };
  return enc.encode(JSON.stringify(store));
}

/** store/node.go's JSON: Go's zero time for permanent nodes; a leaf's Children is null, a dir's an object. */
function saved(n: V2NodeExtern): NodeJson {
  return {
    Path: n.key!,
    CreatedIndex: Number(n.createdIndex ?? 0n),
    ModifiedIndex: Number(n.modifiedIndex ?? 0n),
    ExpireTime: n.expiration ?? '0001-01-01T00:00:00Z',
    Value: n.value ?? '',
    Children: n.dir ? Object.fromEntries((n.nodes ?? []).map((c) => [c.key!.slice(c.key!.lastIndexOf('/') + 1), saved(c)])) : null,
  };
}

const STATS = Object.fromEntries(
  [
    'getsSuccess',
    'getsFail',
    'setsSuccess',
    'setsFail',
    'deleteSuccess',
    'deleteFail',
    'updateSuccess',
    'updateFail',
    'createSuccess',
    'createFail',
    'compareAndSwapSuccess',
    'compareAndSwapFail',
    'compareAndDeleteSuccess',
    'compareAndDeleteFail',
    'expireCount',
    'watchers',
  ].map((k) => [k, 0]),
);
