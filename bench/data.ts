/**
 * The bench's data sets, made once and kept in the cache dir:
 *   prod: 200,000 production-shaped requests (bench/go/benchdata) written
 *         through a real etcd 3.4 server by its Go client, 64 in flight;
 *   big:  2,000,000 requests of the same shape written after prod's member
 *         bootstrap by etcd's own wal package (a server would take an hour),
 *         about 2 GB in 64 MB segments.
 * Each has a manifest.json: what was written, and the key written last,
 * whose value being served means a replay is complete.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Etcd } from '../test/helpers/etcd.js';
import { BENCH_MEMBER } from './etcd-replay.js';

export interface DataSet {
  name: string;
  /** The data dir: member/wal (and member/snap). */
  dir: string;
  ops: number;
  kinds: Record<string, number>;
  distinctKeys: number;
  sentinelKey: string;
  sentinelValue: string;
  walBytes: number;
  segments: number;
  seconds: number;
}

const SHAPES = {
  prod: { ops: 200_000, keys: 110_000, seed: 1 },
  big: { ops: 2_000_000, keys: 500_000, seed: 2 },
} as const;

function walFiles(dir: string): { walBytes: number; segments: number } {
  const wal = join(dir, 'member', 'wal');
  const segs = readdirSync(wal).filter((f) => f.endsWith('.wal'));
  return { segments: segs.length, walBytes: segs.reduce((a, f) => a + statSync(join(wal, f)).size, 0) };
}

/** The data set, made first if it is not in the cache. */
export async function dataSet(name: keyof typeof SHAPES, cacheDir: string, benchdata: string): Promise<DataSet> {
  const home = join(cacheDir, name);
  const manifest = join(home, 'manifest.json');
  if (existsSync(manifest)) return { ...JSON.parse(readFileSync(manifest, 'utf8')), name, dir: join(home, 'data') };
  const shape = SHAPES[name];
  const partial = `${home}.partial`;
  rmSync(partial, { recursive: true, force: true });
  mkdirSync(partial, { recursive: true });
  const args = ['-ops', String(shape.ops), '-keys', String(shape.keys), '-seed', String(shape.seed)];
  const t0 = Date.now();
  let summary: string;
  if (name === 'prod') {
    console.log(`making the prod data set: ${shape.ops} requests through etcd 3.4 (about a minute)…`);
    const etcd = await Etcd.start(join(partial, 'data'), BENCH_MEMBER, 60_000);
    try {
      summary = execFileSync(benchdata, ['load', '-endpoint', etcd.endpoint, ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
    } finally {
      await etcd.stop();
    }
  } else {
    const prod = await dataSet('prod', cacheDir, benchdata);
    console.log(`making the big data set: ${shape.ops} requests by etcd's wal package after prod's member bootstrap…`);
    const out = join(partial, 'data', 'member', 'wal');
    summary = execFileSync(benchdata, ['wal', '-from', prod.dir, '-out', out, ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
    mkdirSync(join(partial, 'data', 'member', 'snap'));
  }
  const set = { ...JSON.parse(summary), ...walFiles(join(partial, 'data')), seconds: (Date.now() - t0) / 1000 };
  writeFileSync(join(partial, 'manifest.json'), JSON.stringify(set, null, 2) + '\n');
  renameSync(partial, home);
  console.log(`  done in ${set.seconds.toFixed(0)} s`);
  return { ...set, name, dir: join(home, 'data') };
}

export const describe = (d: DataSet): string =>
  `${d.name}: ${(d.walBytes / 1e6).toFixed(0)} MB of WAL in ${d.segments} segment files, ${d.ops} requests (${Object.entries(d.kinds)
    .map(([k, n]) => `${n} ${k}`)
    .join(', ')}), ${d.distinctKeys} distinct keys (${d.dir})`;
