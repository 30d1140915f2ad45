/**
 * `walt snap show FILE`: one snapshot file, looked into. A `.snap` carries a
 * raftpb.Snapshot whose data is etcd's v2 store as JSON (v2store/store.go
 * Save marshals the store; node.go's `node` is the JSON shape: Path,
 * CreatedIndex, ModifiedIndex, ExpireTime, Value, and Children, null for a
 * key and an object for a directory). A `db` or `.snap.db` file is a bbolt
 * backend, which etcd does not checksum; only a copy saved by `etcdctl
 * snapshot save` carries one, a SHA-256 trailer (clientv3/snapshot/v3_snapshot.go).
 */
import { createHash } from 'node:crypto';
import { closeSync, fstatSync, openSync, readSync, statSync } from 'node:fs';
import { basename } from 'node:path';
import { checkSnapFile, confStateView, type ConfStateView, type SnapStatus } from './snap-list.js';
import { fileSize } from '../codec/snap-file.js';
import { CodecError } from '../codec/errors.js';
import { inspectBackend, type BackendSummary } from './backend.js';
import type { Problem } from './problem.js';

export interface V2Member {
  id: string;
  name?: string;
  peerURLs: string[];
  clientURLs: string[];
  isLearner: boolean;
}

export interface PrefixCount {
  prefix: string;
  keys: number;
  dirs: number;
}

export interface V2StoreSummary {
  bytes: number;
  /** The store's own index (CurrentIndex): the v2 modification counter, not a raft index. */
  currentIndex?: number;
  /** /0/version: the cluster version the members agreed on. */
  clusterVersion?: string;
  /** /0/members/<id>/{attributes,raftAttributes} (etcdserver/api/membership/store.go). */
  members: V2Member[];
  /** /0/removed_members/<id>: IDs that may never rejoin. */
  removedMembers: string[];
  /** The store's top level: /0 (membership) and /1 (keys written through the v2 API). */
  prefixes: PrefixCount[];
  /** Keys written through the v2 API, by their first path element (the store keeps them under /1). */
  v2Prefixes: PrefixCount[];
  /** Every node but the root. */
  nodes: number;
  keys: number;
  dirs: number;
  /** Nodes with a TTL: etcd's Recovery puts them back on its expiry heap. */
  expiring: number;
  /** Values under /0 that do not parse as etcd writes them. */
  problems: string[];
}

export interface SnapShow {
  file: string;
  kind: 'snap' | 'backend';
  size: number;
  ok: boolean;
  term?: bigint;
  index?: bigint;
  confState?: ConfStateView;
  crc?: { status: SnapStatus; reason?: string; stored?: string; computed?: string };
  /** The v2 store, when the CRC holds; `error` when its JSON does not parse (etcd's Recovery would fail). */
  store?: V2StoreSummary | { error: string };
  backend?: BackendCheck;
}

/** A `.snap` or `.snap.broken` by name; anything else (db, *.snap.db, a saved snapshot.db) is a backend. */
export const isSnapName = (name: string): boolean => /\.snap(\.broken)?$/.test(name);

export function showSnapFile(path: string, as?: 'snap' | 'backend'): SnapShow {
  // Shaped as Node's own errors are, so the CLI maps it as it maps a missing file (a usage error).
  if (statSync(path).isDirectory()) throw Object.assign(new Error(`${path}: a directory; give a .snap or backend file (walt snap list lists them)`), { code: 'EISDIR' });
  const kind = as ?? (isSnapName(basename(path)) ? 'snap' : 'backend');
  if (kind === 'backend') {
    const inspection = inspectBackend(path);
    const e = inspection.openError;
    // Refused, as etcd's bbolt refuses it: the message says what the file is instead.
    if (e) throw new CodecError(e.code, `${e.message}; give a .snap, a db or a .snap.db file (walt snap list lists them)`, { file: e.file ?? path, offset: e.offset ?? 0 }, e.data);
    const backend: BackendCheck = { ...checkBackend(path), bbolt: inspection.summary, problems: inspection.problems };
    const ok = backend.trailer !== 'mismatch' && !inspection.problems.some((p) => p.severity === 'error');
    return { file: path, kind, size: backend.size, ok, backend };
  }
  const c = checkSnapFile(path);
  const out: SnapShow = { file: path, kind, size: fileSize(path), ok: c.status === 'ok', crc: { status: c.status, reason: c.reason, stored: c.storedCrc, computed: c.computedCrc } };
  const snap = c.loaded?.snapshot;
  if (!snap) return out;
  out.term = snap.metadata.term;
  out.index = snap.metadata.index;
  out.confState = confStateView(snap.metadata.confState);
  if (snap.data && snap.data.length > 0) {
    out.store = summarizeV2Store(snap.data);
    if ('error' in out.store) out.ok = false;
  }
  return out;
}

interface V2Node {
  ExpireTime?: string;
  Value?: string;
  Children?: Record<string, V2Node> | null;
}

/** Go's zero time.Time, as encoding/json writes it: a node without a TTL. */
const NO_EXPIRY = '0001-01-01T00:00:00Z';

export function summarizeV2Store(data: Uint8Array): V2StoreSummary | { error: string } {
  let store: { Root?: V2Node; CurrentIndex?: number };
  try {
    store = JSON.parse(Buffer.from(data.buffer, data.byteOffset, data.length).toString('utf8'));
  } catch (e) {
    return { error: `the v2 store does not parse as JSON: ${(e as Error).message}` };
  }
  const root = store?.Root;
  if (!root || typeof root !== 'object') return { error: 'the v2 store JSON has no Root node' };
  const s: V2StoreSummary = { bytes: data.length, currentIndex: store.CurrentIndex, clusterVersion: undefined, members: [], removedMembers: [], prefixes: [], v2Prefixes: [], nodes: 0, keys: 0, dirs: 0, expiring: 0, problems: [] };
  for (const [name, top] of Object.entries(root.Children ?? {})) {
    s.prefixes.push(countTree(`/${name}`, top, s));
    if (name === '1') for (const [sub, n] of Object.entries(top.Children ?? {})) s.v2Prefixes.push(countTree(`/${sub}`, n));
  }
  const cluster = root.Children?.['0']?.Children ?? {};
  const version = cluster.version;
  if (version && version.Children == null) s.clusterVersion = version.Value;
  for (const [id, dir] of Object.entries(cluster.members?.Children ?? {})) s.members.push(member(id, dir, s.problems));
  s.removedMembers = Object.keys(cluster.removed_members?.Children ?? {});
  return s;
}

/** Counts keys and directories under `node` (itself included), without recursion: a store can nest deeply. */
function countTree(prefix: string, node: V2Node, total?: V2StoreSummary): PrefixCount {
  const c: PrefixCount = { prefix, keys: 0, dirs: 0 };
  const stack: V2Node[] = [node];
  for (let n = stack.pop(); n; n = stack.pop()) {
    const dir = n.Children != null;
    if (dir) {
      c.dirs++;
      // Not push(...values): a directory can hold more children than a call takes arguments.
      for (const child of Object.values(n.Children!)) stack.push(child);
    } else {
      c.keys++;
    }
    if (total && n.ExpireTime && n.ExpireTime !== NO_EXPIRY) total.expiring++;
  }
  if (total) {
    total.keys += c.keys;
    total.dirs += c.dirs;
    total.nodes += c.keys + c.dirs;
  }
  return c;
}

/** One member from its store dir: attributes {name, clientURLs}, raftAttributes {peerURLs, isLearner} (membership/member.go). */
function member(id: string, dir: V2Node, problems: string[]): V2Member {
  const m: V2Member = { id, name: undefined, peerURLs: [], clientURLs: [], isLearner: false };
  const value = (key: string): Record<string, unknown> | undefined => {
    const text = dir.Children?.[key]?.Value;
    if (text === undefined) return undefined;
    try {
      return JSON.parse(text) as Record<string, unknown>;
    } catch {
      problems.push(`/0/members/${id}/${key} is not JSON: ${JSON.stringify(text.slice(0, 80))}`);
      return undefined;
    }
  };
  const attrs = value('attributes');
  const raft = value('raftAttributes');
  if (typeof attrs?.name === 'string') m.name = attrs.name;
  if (Array.isArray(attrs?.clientURLs)) m.clientURLs = attrs.clientURLs.map(String);
  if (Array.isArray(raft?.peerURLs)) m.peerURLs = raft.peerURLs.map(String);
  m.isLearner = raft?.isLearner === true;
  return m;
}

export interface BackendCheck {
  size: number;
  /** Its meta pages, bbolt's check, etcd's buckets and consistent index (report/backend.ts). */
  bbolt?: BackendSummary;
  problems?: Problem[];
  /**
   * `etcdctl snapshot save` appends a SHA-256 of everything before it, and a
   * file carries one exactly when its size modulo 512 is 32 (v3_snapshot.go
   * hasChecksum: bbolt files are whole pages, so 0 modulo 512 otherwise).
   * `etcdctl snapshot restore` checks it, and refuses a file without one
   * unless given --skip-hash-check.
   */
  trailer: 'match' | 'mismatch' | 'none';
  stored?: string;
  computed?: string;
  /** Why a file without a trailer is not a whole number of sectors either. */
  note?: string;
}

const SHA256_BYTES = 32;
const SECTOR = 512;

export function checkBackend(path: string): BackendCheck {
  const fd = openSync(path, 'r');
  try {
    const size = fstatSync(fd).size;
    if (size % SECTOR !== SHA256_BYTES) {
      const note = size % SECTOR === 0 ? undefined : `the size is neither a whole number of 512-byte sectors nor one plus a 32-byte SHA-256 trailer: the file may be cut short`;
      return { size, trailer: 'none', note };
    }
    const body = size - SHA256_BYTES;
    const hash = createHash('sha256');
    const buf = Buffer.allocUnsafe(1 << 20);
    for (let at = 0; at < body; ) {
      const n = readSync(fd, buf, 0, Math.min(buf.length, body - at), at);
      if (n === 0) break;
      hash.update(buf.subarray(0, n));
      at += n;
    }
    const stored = Buffer.alloc(SHA256_BYTES);
    readSync(fd, stored, 0, SHA256_BYTES, body);
    const computed = hash.digest('hex');
    return { size, trailer: computed === stored.toString('hex') ? 'match' : 'mismatch', stored: stored.toString('hex'), computed };
  } finally {
    closeSync(fd);
  }
}
