/**
 * `.snap` files (etcd etcdserver/api/snap/snapshotter.go): a snappb envelope
 * {crc, data} whose CRC-32C covers data, a raftpb.Snapshot, named
 * `%016x-%016x.snap` by term and index. Also recognises `.snap.broken`
 * (renamed by etcd after a failed load) and `%016x.snap.db` backends.
 */
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { CodecError } from './errors.js';
import { crc32c } from './crc32c.js';
import { decodeSnapEnvelope, encodeSnapEnvelope } from './proto/snappb.js';
import { decodeSnapshot, encodeSnapshot, type Snapshot } from './proto/raftpb.js';

export type SnapFileKind = 'snap' | 'broken' | 'db';

export interface SnapFileName {
  name: string;
  path: string;
  kind: SnapFileKind;
  /** term and index from a .snap name; index alone from a .snap.db name. */
  term?: bigint;
  index?: bigint;
}

const SNAP_NAME = /^([0-9a-f]{16})-([0-9a-f]{16})\.snap(\.broken)?$/;
const SNAP_DB_NAME = /^([0-9a-f]{16})\.snap\.db$/;

export function snapName(term: bigint, index: bigint): string {
  return `${term.toString(16).padStart(16, '0')}-${index.toString(16).padStart(16, '0')}.snap`;
}

export function parseSnapName(name: string, dir = ''): SnapFileName | undefined {
  const m = SNAP_NAME.exec(name);
  if (m) return { name, path: join(dir, name), kind: m[3] ? 'broken' : 'snap', term: BigInt('0x' + m[1]), index: BigInt('0x' + m[2]) };
  const d = SNAP_DB_NAME.exec(name);
  if (d) return { name, path: join(dir, name), kind: 'db', index: BigInt('0x' + d[1]) };
  return undefined;
}

/** Snapshot files in `dir`, newest first as etcd orders them (reverse name order). */
export function listSnapFiles(dir: string): SnapFileName[] {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return [];
  }
  return names
    .map((n) => parseSnapName(n, dir))
    .filter((s): s is SnapFileName => s !== undefined)
    .sort((a, b) => (a.name < b.name ? 1 : a.name > b.name ? -1 : 0));
}

export interface LoadedSnap {
  file: SnapFileName;
  size: number;
  crc: number;
  snapshot: Snapshot;
}

/** Reads and checks a .snap file as etcd's snap.Read does; throws a CodecError naming the file. */
export function readSnapFile(path: string): LoadedSnap {
  const b = readFileSync(path);
  const file = parseSnapName(path.split('/').pop() ?? path) ?? { name: path, path, kind: 'snap' as const };
  file.path = path;
  if (b.length === 0) throw new CodecError('SNAP_EMPTY', 'snapshot file is empty', { file: path, offset: 0 });
  let env;
  try {
    env = decodeSnapEnvelope(b);
  } catch (e) {
    throw new CodecError('BAD_PROTO', `snapshot envelope does not decode: ${(e as Error).message}`, { file: path, offset: (e as CodecError).offset });
  }
  if (!env.data || env.data.length === 0 || env.crc === 0) throw new CodecError('SNAP_EMPTY', 'snapshot has no data or a zero CRC', { file: path, offset: 0 });
  const crc = crc32c(env.data);
  if (crc !== env.crc) {
    throw new CodecError('SNAP_CRC_MISMATCH', `snapshot CRC is ${(env.crc >>> 0).toString(16)} but its data computes ${crc.toString(16)}`, { file: path }, { expected: env.crc, actual: crc });
  }
  let snapshot;
  try {
    snapshot = decodeSnapshot(env.data);
  } catch (e) {
    throw new CodecError('BAD_PROTO', `snapshot data does not decode as raftpb.Snapshot: ${(e as Error).message}`, { file: path });
  }
  return { file, size: b.length, crc, snapshot };
}

/** The bytes of a .snap file for `snap`, as etcd's Snapshotter.save writes them. */
export function encodeSnapFile(snap: Snapshot): Uint8Array {
  const data = encodeSnapshot(snap);
  return encodeSnapEnvelope({ crc: crc32c(data), data });
}

export interface SnapLoadAttempt {
  file: SnapFileName;
  error?: CodecError;
}

/**
 * The snapshot etcd would load: the newest .snap that reads and, when
 * `accept` is given, that it accepts (etcd 3.4.23+ LoadNewestAvailable takes
 * only snapshots the WAL has a snapshot record for). Broken ones are reported,
 * not renamed: walt never writes while reading.
 */
export function loadNewestSnap(dir: string, accept?: (s: Snapshot) => boolean): { loaded?: LoadedSnap; tried: SnapLoadAttempt[] } {
  const tried: SnapLoadAttempt[] = [];
  for (const file of listSnapFiles(dir)) {
    if (file.kind !== 'snap') continue;
    try {
      const loaded = readSnapFile(file.path);
      if (accept && !accept(loaded.snapshot)) {
        tried.push({ file });
        continue;
      }
      tried.push({ file });
      return { loaded, tried };
    } catch (e) {
      if (!(e instanceof CodecError)) throw e;
      tried.push({ file, error: e });
    }
  }
  return { tried };
}

export const fileSize = (path: string): number => statSync(path).size;
