/**
 * Damage done to the backend of a copy of the `single` fixture, each with
 * what real etcd 3.4 does on it: test/interop/backend-start.test.ts starts
 * etcd on every case and holds `etcdStarts` to what etcd does, and
 * test/report/backend.test.ts holds walt's verdict to `etcdStarts` (an error
 * exactly where etcd refuses to start). Offsets are found with walt's bbolt
 * reader; what each case means is etcd's to say.
 */
import { copyFileSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { BboltFile } from '../../src/codec/bbolt/index.js';
import { chooseStart, resolveDataDir } from '../../src/codec/data-dir.js';

export interface BackendDamage {
  name: string;
  damage: (dataDir: string) => void;
  /** What etcd 3.4 does: start and serve, or refuse (exit during start). */
  etcdStarts: boolean;
  /** The problem walt reports: an error where etcd refuses, a warning where it starts. */
  code: string;
}

export const dbOf = (dataDir: string): string => join(dataDir, 'member', 'snap', 'db');

/** Bytes that look random and are the same in every run. */
export function seededBytes(n: number, seed: string): Buffer {
  const out = Buffer.alloc(n);
  for (let i = 0, block = 0; i < n; block++) i += createHash('sha256').update(`${seed}/${block}`).digest().copy(out, i);
  return out;
}

function patch(path: string, at: number, bytes: Uint8Array): void {
  const b = readFileSync(path);
  b.set(bytes, at);
  writeFileSync(path, b);
}

/** The file offset of meta/consistent_index's 8-byte value. */
function consistentIndexOffset(db: string): number {
  const f = BboltFile.open(db);
  try {
    const meta = f.root().bucket(Buffer.from('meta'))!;
    for (const e of meta.entries()) if (e.key.toString() === 'consistent_index') return e.valueOffset;
    throw new Error('no consistent_index');
  } finally {
    f.close();
  }
}

function setConsistentIndex(dataDir: string, index: bigint): void {
  const v = Buffer.alloc(8);
  v.writeBigUInt64BE(index);
  patch(dbOf(dataDir), consistentIndexOffset(dbOf(dataDir)), v);
}

const snapshotIndex = (dataDir: string): bigint => chooseStart(resolveDataDir(dataDir)).start.index;

export const BACKEND_DAMAGE: BackendDamage[] = [
  { name: 'the backend deleted', damage: (d) => rmSync(dbOf(d)), etcdStarts: false, code: 'BACKEND_MISSING' },
  { name: 'its first 5,000 bytes overwritten with random data', damage: (d) => patch(dbOf(d), 0, seededBytes(5000, 'first-5000')), etcdStarts: false, code: 'BBOLT_NOT_BBOLT' },
  {
    name: "the newer meta page's checksum broken",
    damage: (d) => {
      const f = BboltFile.open(dbOf(d));
      const { page, pageSize } = { page: f.meta.page, pageSize: f.pageSize };
      f.close();
      // The checksum is the meta's last 8 bytes: page header 16 + 56 checked bytes.
      const at = page * pageSize + 16 + 56;
      patch(dbOf(d), at, Buffer.from([readFileSync(dbOf(d))[at] ^ 0xff]));
    },
    etcdStarts: true,
    code: 'BBOLT_BAD_META',
  },
  {
    name: "the key bucket's root page overwritten",
    damage: (d) => {
      const f = BboltFile.open(dbOf(d));
      const root = f.root().bucket(Buffer.from('key'))!.root;
      const at = Number(root) * f.pageSize;
      const size = f.pageSize;
      f.close();
      patch(dbOf(d), at, seededBytes(size, 'key-root'));
    },
    etcdStarts: false,
    code: 'BBOLT_BAD_PAGE',
  },
  { name: 'the consistent index below the snapshot, no .snap.db', damage: (d) => setConsistentIndex(d, snapshotIndex(d) - 10n), etcdStarts: false, code: 'BACKEND_BEHIND_SNAPSHOT' },
  {
    name: 'the consistent index below the snapshot, with the .snap.db a leader sent',
    damage: (d) => {
      const index = snapshotIndex(d);
      copyFileSync(dbOf(d), join(d, 'member', 'snap', `${index.toString(16).padStart(16, '0')}.snap.db`));
      setConsistentIndex(d, index - 10n);
    },
    etcdStarts: true,
    code: 'BACKEND_FROM_SNAP_DB',
  },
];
