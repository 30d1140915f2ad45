/**
 * Seeded damage to a copy of a data dir, as disks, crashes and operators
 * leave it: bit flips, truncations, zeroed 512-byte sectors, garbage inserted
 * or appended, WAL segments removed, duplicated or renamed, `.snap` files and
 * backend pages damaged. One seed gives one mutation, the same on every run.
 */
import { copyFileSync, existsSync, readdirSync, readFileSync, renameSync, rmSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Prng } from '../../src/sim/prng.js';

export interface Mutation {
  /** One of MUTATION_KINDS. */
  kind: string;
  /** The file damaged, relative to the data dir. */
  file: string;
  offset?: number;
  detail?: string;
}

const SECTOR = 512;
const BOLT_PAGE = 4096;

const listed = (dir: string, suffix: string): string[] => (existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith(suffix)).sort() : []);

type Apply = (dir: string, rng: Prng) => Mutation | undefined;

function pick<T>(rng: Prng, xs: readonly T[]): T | undefined {
  return xs.length === 0 ? undefined : xs[rng.int(xs.length)];
}

function segmentOf(dir: string, rng: Prng, lastOnly = false): string | undefined {
  const segs = listed(join(dir, 'member', 'wal'), '.wal');
  const name = lastOnly ? segs.at(-1) : pick(rng, segs);
  return name && join('member', 'wal', name);
}

function flipBit(dir: string, rel: string, rng: Prng, within?: [number, number]): Mutation {
  const path = join(dir, rel);
  const b = readFileSync(path);
  const [lo, hi] = within ?? [0, b.length];
  const at = lo + rng.int(Math.max(1, hi - lo));
  const bit = rng.int(8);
  if (at < b.length) b[at] ^= 1 << bit;
  writeFileSync(path, b);
  return { kind: 'bit-flip', file: rel, offset: at, detail: `bit ${bit}` };
}

function zeroRange(dir: string, rel: string, from: number, length: number, kind: string): Mutation {
  const path = join(dir, rel);
  const b = readFileSync(path);
  b.fill(0, from, Math.min(b.length, from + length));
  writeFileSync(path, b);
  return { kind, file: rel, offset: from, detail: `${length} bytes` };
}

function randomBytes(rng: Prng, n: number): Buffer {
  const b = Buffer.alloc(n);
  for (let i = 0; i < n; i++) b[i] = rng.int(256);
  return b;
}

const mutations: Record<string, Apply> = {
  'wal-bit-flip': (dir, rng) => {
    const rel = segmentOf(dir, rng);
    return rel === undefined ? undefined : flipBit(dir, rel, rng);
  },
  'wal-truncate': (dir, rng) => {
    const rel = segmentOf(dir, rng, rng.chance(0.7));
    if (!rel) return undefined;
    const at = rng.int(statSync(join(dir, rel)).size + 1);
    truncateSync(join(dir, rel), at);
    return { kind: 'truncate', file: rel, offset: at };
  },
  'wal-zero-sector': (dir, rng) => {
    const rel = segmentOf(dir, rng, rng.chance(0.7));
    if (!rel) return undefined;
    const sectors = Math.ceil(statSync(join(dir, rel)).size / SECTOR);
    return zeroRange(dir, rel, rng.int(Math.max(1, sectors)) * SECTOR, SECTOR, 'zero-sector');
  },
  'wal-insert-garbage': (dir, rng) => {
    const rel = segmentOf(dir, rng);
    if (!rel) return undefined;
    const b = readFileSync(join(dir, rel));
    const at = rng.int(b.length + 1);
    const n = 1 + rng.int(64);
    writeFileSync(join(dir, rel), Buffer.concat([b.subarray(0, at), randomBytes(rng, n), b.subarray(at)]));
    return { kind: 'insert-garbage', file: rel, offset: at, detail: `${n} bytes` };
  },
  'wal-append-garbage': (dir, rng) => {
    const rel = segmentOf(dir, rng, true);
    if (!rel) return undefined;
    const b = readFileSync(join(dir, rel));
    const n = 1 + rng.int(2048);
    writeFileSync(join(dir, rel), Buffer.concat([b, randomBytes(rng, n)]));
    return { kind: 'append-garbage', file: rel, offset: b.length, detail: `${n} bytes` };
  },
  'wal-remove-segment': (dir, rng) => {
    const rel = segmentOf(dir, rng);
    if (!rel) return undefined;
    rmSync(join(dir, rel));
    return { kind: 'remove-segment', file: rel };
  },
  'wal-duplicate-segment': (dir, rng) => {
    const rel = segmentOf(dir, rng);
    if (!rel) return undefined;
    // The copy is named for a later sequence number and the same index, as a botched copy would be.
    const name = rel.split('/').at(-1)!;
    const seq = BigInt('0x' + name.slice(0, 16)) + 100n;
    const copy = join('member', 'wal', `${seq.toString(16).padStart(16, '0')}${name.slice(16)}`);
    copyFileSync(join(dir, rel), join(dir, copy));
    return { kind: 'duplicate-segment', file: copy, detail: `a copy of ${name}` };
  },
  'wal-rename-segment': (dir, rng) => {
    const rel = segmentOf(dir, rng);
    if (!rel) return undefined;
    const name = rel.split('/').at(-1)!;
    const index = BigInt('0x' + name.slice(17, 33)) + BigInt(1 + rng.int(50));
    const renamed = join('member', 'wal', `${name.slice(0, 17)}${index.toString(16).padStart(16, '0')}.wal`);
    renameSync(join(dir, rel), join(dir, renamed));
    return { kind: 'rename-segment', file: renamed, detail: `was ${name}` };
  },
  'snap-damage': (dir, rng) => {
    const snaps = listed(join(dir, 'member', 'snap'), '.snap');
    const name = pick(rng, snaps);
    if (!name) return undefined;
    const rel = join('member', 'snap', name);
    if (rng.chance(0.5)) return flipBit(dir, rel, rng);
    const at = rng.int(statSync(join(dir, rel)).size);
    truncateSync(join(dir, rel), at);
    return { kind: 'truncate', file: rel, offset: at };
  },
  'db-damage': (dir, rng) => {
    const rel = join('member', 'snap', 'db');
    if (!existsSync(join(dir, rel))) return undefined;
    const pages = Math.max(1, Math.floor(statSync(join(dir, rel)).size / BOLT_PAGE));
    const page = rng.int(pages);
    if (rng.chance(0.5)) return flipBit(dir, rel, rng, [page * BOLT_PAGE, (page + 1) * BOLT_PAGE]);
    return zeroRange(dir, rel, page * BOLT_PAGE, BOLT_PAGE, 'zero-page');
  },
};

export const MUTATION_KINDS = Object.keys(mutations);

/** Applies the seed's mutation to `dir` (a copy); several tries if the one drawn has nothing to damage. */
export function mutate(dir: string, seed: number): Mutation {
  const rng = new Prng(BigInt(seed), 'fuzz');
  for (let tries = 0; tries < 10; tries++) {
    const kind = MUTATION_KINDS[rng.int(MUTATION_KINDS.length)];
    const m = mutations[kind](dir, rng);
    // The catalogue's name, with how it was done (a flip, a cut, a zeroed page) in the detail.
    if (m) return { ...m, kind, detail: [m.kind, m.detail].filter(Boolean).join(', ') };
  }
  throw new Error(`seed ${seed}: nothing in ${dir} to damage`);
}
