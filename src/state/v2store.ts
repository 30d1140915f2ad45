/**
 * The v2 store (etcdserver/api/v2store/store.go) as far as applying entries
 * needs it: the node tree under the namespaces /0 (membership, in 3.4) and /1
 * (v2 keys), the index that every change bumps, create/set/update/CAS/delete/
 * CAD and expiry. Watchers, stats and event history are left out: they change
 * nothing a later entry can observe.
 */
import { fail } from './etcd-errors.js';
import { StateError } from './errors.js';
import { baseName, loadExtern, nodeFromJson, type NodeJson, type V2Node, type V2NodeExtern } from './v2node.js';

/** store.go minExpireTime: an expire time before 2000-01-01 means permanent. */
const MIN_EXPIRE_NS = 946_684_800_000_000_000n;

/** etcdserver/server.go: StoreClusterPrefix, StoreKeysPrefix. */
export const V2_NAMESPACES = ['/0', '/1'];

export class V2Store {
  currentIndex = 0n;
  private root: V2Node;
  private readonly readonly: Set<string>;
  /** Nodes with an expire time (the TTL heap). */
  private readonly ttlNodes = new Set<V2Node>();

  constructor(namespaces: string[] = V2_NAMESPACES) {
    this.root = newNode('/', 0n, undefined, 0n, true);
    for (const ns of namespaces) this.root.children!.set(baseName(ns), newNode(ns, 0n, this.root, 0n, true));
    this.readonly = new Set(['/', ...namespaces]);
  }

  /** store.Get (QGET); changes nothing. */
  get(nodePath: string, recursive: boolean, sorted: boolean): V2NodeExtern {
    return loadExtern(nodePath, this.internalGet(nodePath), recursive, sorted);
  }

  /** store.Create; `unique` (POST) appends the next index, zero-padded to 20 digits, as the name. */
  create(nodePath: string, dir: boolean, value: string, unique: boolean, expireTime: bigint): void {
    this.internalCreate(nodePath, dir, value, unique, false, expireTime);
  }

  /** store.Set: create or replace a file; `refresh` keeps the value and only moves the TTL. */
  set(nodePath: string, dir: boolean, value: string, expireTime: bigint, refresh = false): void {
    let n: V2Node | undefined;
    try {
      n = this.internalGet(nodePath);
    } catch (e) {
      if (!isKeyNotFound(e) || refresh) throw e;
    }
    this.internalCreate(nodePath, dir, refresh ? n!.value : value, false, true, expireTime);
  }

  /** store.Update: a file's value and TTL, or a directory's TTL. */
  update(nodePath: string, value: string, expireTime: bigint, refresh = false): void {
    nodePath = cleanPath(nodePath);
    if (this.readonly.has(nodePath)) fail('V2RootROnly', '/');
    const n = this.internalGet(nodePath);
    if (n.children && value !== '') fail('V2NotFile', nodePath);
    const next = this.currentIndex + 1n;
    // node.Write refuses a directory, and Update ignores that: a directory's modified index stays.
    if (!n.children) {
      n.value = refresh ? n.value : value;
      n.modifiedIndex = next;
    }
    this.updateTTL(n, expireTime);
    this.currentIndex = next;
  }

  compareAndSwap(nodePath: string, prevValue: string, prevIndex: bigint, value: string, expireTime: bigint, refresh = false): void {
    nodePath = cleanPath(nodePath);
    if (this.readonly.has(nodePath)) fail('V2RootROnly', '/');
    const n = this.internalGet(nodePath);
    if (n.children) fail('V2NotFile', nodePath);
    if (!matches(n, prevValue, prevIndex)) fail('V2TestFailed', nodePath);
    this.currentIndex++;
    n.value = refresh ? n.value : value;
    n.modifiedIndex = this.currentIndex;
    this.updateTTL(n, expireTime);
  }

  delete(nodePath: string, dir: boolean, recursive: boolean): void {
    nodePath = cleanPath(nodePath);
    if (this.readonly.has(nodePath)) fail('V2RootROnly', '/');
    const n = this.internalGet(nodePath);
    this.remove(n, dir || recursive, recursive);
    this.currentIndex++;
  }

  /** store.CompareAndDelete, which (unlike Delete) does not check the read-only set. */
  compareAndDelete(nodePath: string, prevValue: string, prevIndex: bigint): void {
    nodePath = cleanPath(nodePath);
    const n = this.internalGet(nodePath);
    if (n.children) fail('V2NotFile', nodePath);
    if (!matches(n, prevValue, prevIndex)) fail('V2TestFailed', nodePath);
    this.currentIndex++;
    this.remove(n, false, false);
  }

  /** store.DeleteExpiredKeys (SYNC): earliest first, each expiry a change of its own. */
  deleteExpiredKeys(cutoff: bigint): void {
    for (;;) {
      let top: V2Node | undefined;
      for (const n of this.ttlNodes) if (top === undefined || n.expireTime < top.expireTime) top = n;
      if (top === undefined || top.expireTime > cutoff) return;
      this.currentIndex++;
      this.remove(top, true, true);
    }
  }

  hasTTLKeys(): boolean {
    return this.ttlNodes.size > 0;
  }

  /** store.Recovery from the JSON a `.snap` file carries as its data. */
  recover(json: string | Uint8Array): void {
    let saved: { Root: NodeJson; CurrentIndex: number };
    try {
      saved = JSON.parse(typeof json === 'string' ? json : Buffer.from(json).toString('utf8'));
    } catch (e) {
      throw new StateError('BAD_V2_SNAPSHOT', `not JSON: ${(e as Error).message}`);
    }
    this.root = nodeFromJson(saved.Root);
    this.currentIndex = BigInt(saved.CurrentIndex);
    this.ttlNodes.clear();
    const visit = (n: V2Node): void => {
      if (n.expireTime !== 0n) this.ttlNodes.add(n);
      for (const c of n.children?.values() ?? []) visit(c);
    };
    visit(this.root);
  }

  private internalGet(nodePath: string): V2Node {
    let curr = this.root;
    for (const name of components(cleanPath(nodePath))) {
      if (!curr.children) fail('V2NotDir', curr.path);
      const child = curr.children.get(name);
      if (child === undefined) fail('V2KeyNotFound', joinPath(curr.path, name));
      curr = child;
    }
    return curr;
  }

  private internalCreate(nodePath: string, dir: boolean, value: string, unique: boolean, replace: boolean, expireTime: bigint): void {
    const next = this.currentIndex + 1n;
    if (unique) nodePath += '/' + next.toString().padStart(20, '0');
    nodePath = cleanPath(nodePath);
    if (this.readonly.has(nodePath)) fail('V2RootROnly', '/');
    if (expireTime < MIN_EXPIRE_NS) expireTime = 0n;
    const slash = nodePath.lastIndexOf('/');
    const name = nodePath.slice(slash + 1);
    // checkDir: missing directories on the way are created, and stay even if the create fails later.
    let d = this.root;
    for (const part of components(nodePath.slice(0, slash))) {
      const child = d.children!.get(part);
      if (child === undefined) {
        const made = newNode(joinPath(d.path, part), next, d, 0n, true);
        d.children!.set(part, made);
        d = made;
      } else if (child.children) {
        d = child;
      } else {
        fail('V2NotDir', child.path);
      }
    }
    const existing = d.children!.get(name);
    if (existing) {
      if (!replace) fail('V2NodeExist', nodePath);
      if (existing.children) fail('V2NotFile', nodePath);
      this.remove(existing, false, false);
    }
    const n = newNode(nodePath, next, d, expireTime, dir);
    if (!dir) n.value = value;
    d.children!.set(name, n);
    if (expireTime !== 0n) this.ttlNodes.add(n);
    this.currentIndex = next;
  }

  /** node.Remove. */
  private remove(n: V2Node, dir: boolean, recursive: boolean): void {
    if (n.children) {
      if (!dir) fail('V2NotFile', n.path);
      if (n.children.size !== 0 && !recursive) fail('V2DirNotEmpty', n.path);
      for (const c of [...n.children.values()]) this.remove(c, true, true);
    }
    const name = baseName(n.path);
    if (n.parent?.children?.get(name) === n) n.parent.children.delete(name);
    this.ttlNodes.delete(n);
  }

  /** node.UpdateTTL: 0n makes the node permanent. */
  private updateTTL(n: V2Node, expireTime: bigint): void {
    n.expireTime = expireTime;
    if (expireTime === 0n) this.ttlNodes.delete(n);
    else this.ttlNodes.add(n);
  }
}

function newNode(path: string, index: bigint, parent: V2Node | undefined, expireTime: bigint, dir: boolean): V2Node {
  return { path, createdIndex: index, modifiedIndex: index, expireTime, value: '', children: dir ? new Map() : undefined, parent };
}

/** node.Compare: an empty prevValue and a zero prevIndex match anything. */
const matches = (n: V2Node, prevValue: string, prevIndex: bigint): boolean => (prevIndex === 0n || n.modifiedIndex === prevIndex) && (prevValue === '' || n.value === prevValue);

const isKeyNotFound = (e: unknown): boolean => (e as { etcdName?: string })?.etcdName === 'V2KeyNotFound';

const components = (clean: string): string[] => clean.split('/').filter((c) => c !== '');

const joinPath = (dir: string, name: string): string => (dir === '/' ? '/' + name : dir + '/' + name);

/** path.Clean(path.Join("/", p)). */
function cleanPath(p: string): string {
  const out: string[] = [];
  for (const part of p.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') out.pop();
    else out.push(part);
  }
  return '/' + out.join('/');
}
