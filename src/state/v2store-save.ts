/**
 * The v2 store as etcd's store.Save marshals it (store/store.go Save,
 * store/node.go): the data of a .snap file, which holds the membership under
 * /0/members. V2Store.recover reads it back.
 */
import type { V2Store } from './v2store.js';
import type { NodeJson, V2NodeExtern } from './v2node.js';

const enc = new TextEncoder();

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
