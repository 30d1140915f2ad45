/**
 * A node of the v2 store (etcdserver/api/v2store/node.go, node_extern.go): a
 * file with a value or a directory with children, its created and modified
 * indexes, and an expire time (0 = permanent). Also the store's JSON form, as
 * a `.snap` file carries it (store.Save: Go's encoding/json of the node tree).
 */
import { StateError } from './errors.js';

export interface V2Node {
  path: string;
  createdIndex: bigint;
  modifiedIndex: bigint;
  /** Unix nanoseconds; 0n = permanent. */
  expireTime: bigint;
  value: string;
  /** Defined for directories only (node.IsDir). */
  children?: Map<string, V2Node>;
  parent?: V2Node;
}

/** What a get returns (NodeExtern), with Go's field order; expiration as RFC 3339 in UTC. */
export interface V2NodeExtern {
  key?: string;
  value?: string;
  dir?: true;
  expiration?: string;
  nodes?: V2NodeExtern[];
  modifiedIndex?: bigint;
  createdIndex?: bigint;
}

export const baseName = (p: string): string => p.slice(p.lastIndexOf('/') + 1);

/** node.IsHidden: a name starting with '_' is left out of directory listings. */
const isHidden = (n: V2Node): boolean => baseName(n.path).startsWith('_');

/** node.Repr: a directory lists its children only when `recursive`. */
function nodeRepr(n: V2Node, recursive: boolean, sorted: boolean): V2NodeExtern {
  return extern(n.path, n, recursive, recursive, sorted);
}

/** NodeExtern.loadInternalNode: the node a get names always lists its own children. */
export function loadExtern(path: string, n: V2Node, recursive: boolean, sorted: boolean): V2NodeExtern {
  return extern(path, n, true, recursive, sorted);
}

function extern(key: string, n: V2Node, list: boolean, recursive: boolean, sorted: boolean): V2NodeExtern {
  const e: V2NodeExtern = { key };
  if (n.children) e.dir = true;
  else e.value = n.value;
  if (n.expireTime !== 0n) e.expiration = formatTime(n.expireTime);
  if (n.children && list) e.nodes = listChildren(n, recursive, sorted);
  e.modifiedIndex = n.modifiedIndex;
  e.createdIndex = n.createdIndex;
  return e;
}

function listChildren(n: V2Node, recursive: boolean, sorted: boolean): V2NodeExtern[] {
  const nodes = [...n.children!.values()].filter((c) => !isHidden(c)).map((c) => nodeRepr(c, recursive, sorted));
  if (sorted) nodes.sort((a, b) => (a.key! < b.key! ? -1 : a.key! > b.key! ? 1 : 0));
  return nodes;
}

const GO_ZERO_TIME = '0001-01-01T00:00:00Z';
const RFC3339 = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.(\d{1,9}))?(Z|[+-]\d\d:\d\d)$/;

/** Go's time.Time JSON (RFC 3339 with nanoseconds) to Unix nanoseconds; the zero time is 0n. */
function parseGoTime(s: string): bigint {
  if (s === GO_ZERO_TIME) return 0n;
  const m = RFC3339.exec(s);
  const ms = m ? Date.parse(m[1] + (m[3] === 'Z' ? 'Z' : m[3])) : NaN;
  if (!m || Number.isNaN(ms)) throw new StateError('BAD_V2_SNAPSHOT', `${JSON.stringify(s)} is not an RFC 3339 time`);
  return BigInt(ms) * 1_000_000n + BigInt((m[2] ?? '').padEnd(9, '0'));
}

function formatTime(ns: bigint): string {
  const ms = ns / 1_000_000n;
  const frac = (((ns % 1_000_000_000n) + 1_000_000_000n) % 1_000_000_000n).toString().padStart(9, '0').replace(/0+$/, '');
  return new Date(Number(ms)).toISOString().slice(0, 19) + (frac ? '.' + frac : '') + 'Z';
}

export interface NodeJson {
  Path: string;
  CreatedIndex: number;
  ModifiedIndex: number;
  ExpireTime: string;
  Value: string;
  Children: Record<string, NodeJson> | null;
}

/** The node tree of a saved store (store.Recovery); parent links restored, as recoverAndclean does. */
export function nodeFromJson(j: NodeJson, parent?: V2Node): V2Node {
  if (typeof j?.Path !== 'string') throw new StateError('BAD_V2_SNAPSHOT', 'a node without a Path');
  const n: V2Node = { path: j.Path, createdIndex: BigInt(j.CreatedIndex), modifiedIndex: BigInt(j.ModifiedIndex), expireTime: parseGoTime(j.ExpireTime), value: j.Value ?? '', parent };
  if (j.Children !== null && j.Children !== undefined) {
    n.children = new Map();
    for (const [name, child] of Object.entries(j.Children)) n.children.set(name, nodeFromJson(child, n));
  }
  return n;
}
