/**
 * WAL segment names and selection (etcd wal/util.go): `%016x-%016x.wal` is the
 * sequence number and the index of the first entry expected in the segment.
 */
import { readdirSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import { CodecError } from './errors.js';

export interface Segment {
  name: string;
  path: string;
  seq: bigint;
  index: bigint;
}

const WAL_NAME = /^([0-9a-f]{16})-([0-9a-f]{16})\.wal$/;

export function parseWalName(name: string): { seq: bigint; index: bigint } | undefined {
  const m = WAL_NAME.exec(name);
  if (!m) return undefined;
  return { seq: BigInt('0x' + m[1]), index: BigInt('0x' + m[2]) };
}

export function walName(seq: bigint, index: bigint): string {
  return `${seq.toString(16).padStart(16, '0')}-${index.toString(16).padStart(16, '0')}.wal`;
}

/**
 * Every segment in `dir`, sorted by name as etcd sorts them; other files (such
 * as `0.tmp`) are not segments. `dir` may name one segment file instead: a
 * WAL of that segment alone (`walt dump FILE.wal`).
 */
export function listSegments(dir: string): Segment[] {
  const one = parseWalName(basename(dir));
  if (one && statSync(dir).isFile()) return [{ name: basename(dir), path: dir, ...one }];
  const out: Segment[] = [];
  for (const name of readdirSync(dir).sort()) {
    const p = parseWalName(name);
    if (p) out.push({ name, path: join(dir, name), ...p });
  }
  if (out.length === 0) throw new CodecError('NO_SEGMENTS', 'no WAL segments (*.wal) found', { file: dir });
  return out;
}

/** The last segment whose first index is ≤ `index` (etcd wal/util.go searchIndex), or -1. */
export function searchIndex(segments: Segment[], index: bigint): number {
  for (let i = segments.length - 1; i >= 0; i--) if (index >= segments[i].index) return i;
  return -1;
}

/** The first place where sequence numbers stop being contiguous (etcd isValidSeq), or -1. */
export function sequenceGap(segments: Segment[]): number {
  for (let i = 1; i < segments.length; i++) if (segments[i].seq !== segments[i - 1].seq + 1n) return i;
  return -1;
}

/** The segments etcd reads to start from a snapshot at `index`: from searchIndex on, contiguous. */
export function selectSegments(dir: string, index: bigint): Segment[] {
  const all = listSegments(dir);
  const at = searchIndex(all, index);
  if (at < 0) throw new CodecError('NO_SEGMENTS', `no WAL segment covers index ${index} (the first starts at ${all[0].index})`, { file: dir });
  const chosen = all.slice(at);
  const gap = sequenceGap(chosen);
  if (gap >= 0) {
    throw new CodecError('SEGMENT_SEQUENCE', `segment sequence jumps from ${chosen[gap - 1].name} to ${chosen[gap].name}: a segment is missing`, { file: join(dir, chosen[gap].name) });
  }
  return chosen;
}
