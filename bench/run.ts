/**
 * `npm run bench`: the speed and memory targets, measured and printed.
 *   verify ≥ 1 GB/s, dump --format ndjson ≥ 200,000 entries/s, peak memory
 *   < 150 MB, on a WAL of ≥ 200 MB in 64 MB segments of 1 KB puts;
 *   the Raft node: ≤ 5 µs per proposal alone, ≤ 15 µs with three nodes;
 *   replay-to-state: at most half the time etcd 3.4 takes to replay the same WAL;
 *   browse: first screen < 1 s and a jump to the last entry < 2 s on the 200 MB WAL;
 *   simulate-cluster: ≥ 200× real time and ≥ 100,000 messages a second for 3 nodes.
 * Set WALT_BENCH_ENTRIES to change the size of the WAL. Timed tasks run
 * WALT_BENCH_RUNS times (default 5) and are judged by the median: a shared
 * machine's speed drifts by a quarter from minute to minute.
 */
import { spawnSync } from 'node:child_process';
import { openSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { makeBenchWal } from './make-wal.js';
import { listSegments } from '../src/codec/segment-name.js';
import { crc32cImplementation } from '../src/codec/crc32c.js';
import { benchCrc } from './crc.js';
import { benchRaft } from './raft.js';
import { benchReplay } from './replay.js';
import { benchBrowse } from './browse.js';
import { benchSim } from './sim.js';
import { median } from './stats.js';

const entries = Number(process.env.WALT_BENCH_ENTRIES ?? 220_000);
const runs = Number(process.env.WALT_BENCH_RUNS ?? 5);
const task = fileURLToPath(new URL('./wal-task.js', import.meta.url));

function runTask(name: string, dir: string): Record<string, any> {
  const r = spawnSync(process.execPath, [task, name, dir], { stdio: ['ignore', openSync('/dev/null', 'w'), 'pipe'], encoding: 'utf8' });
  const line = r.stderr.trim().split('\n').pop() ?? '';
  try {
    return JSON.parse(line);
  } catch {
    throw new Error(`${name} task failed: ${r.stderr}`);
  }
}

/** The task run `runs` times: the median time, the fastest, and the largest peak RSS. */
function runTimes(name: string, dir: string): { seconds: number; best: number; maxRssMB: number; last: Record<string, any> } {
  const all = Array.from({ length: runs }, () => runTask(name, dir));
  return { seconds: median(all.map((r) => r.seconds)), best: Math.min(...all.map((r) => r.seconds)), maxRssMB: Math.max(...all.map((r) => r.maxRssMB)), last: all[all.length - 1] };
}

const pass = (ok: boolean) => (ok ? 'PASS' : 'MISS');

console.log(`CRC-32C implementation: ${crc32cImplementation}`);
for (const [impl, gbs] of Object.entries(benchCrc())) console.log(`  crc32c ${impl}: ${gbs.toFixed(2)} GB/s`);

const dir = makeBenchWal(entries);
const segs = listSegments(`${dir}/member/wal`);
console.log(`WAL: ${entries} entries of 1 KB puts in ${segs.length} segments (${dir})`);

const v = runTimes('verify', dir);
const bytes = v.last.bytes;
const gbps = bytes / v.seconds / 1e9;
console.log(
  `verify: ${(bytes / 1e6).toFixed(0)} MB in ${v.seconds.toFixed(2)} s (median of ${runs}; best ${v.best.toFixed(2)} s) = ${gbps.toFixed(2)} GB/s (target ≥ 1) ${pass(gbps >= 1)}; peak RSS ${v.maxRssMB.toFixed(0)} MB (target < 150) ${pass(v.maxRssMB < 150)}`,
);

const d = runTimes('dump', dir);
const eps = entries / d.seconds;
console.log(
  `dump --format ndjson: ${entries} entries in ${d.seconds.toFixed(2)} s (median of ${runs}; best ${d.best.toFixed(2)} s) = ${Math.round(eps)} entries/s (target ≥ 200000) ${pass(eps >= 200_000)}; peak RSS ${d.maxRssMB.toFixed(0)} MB (target < 150) ${pass(d.maxRssMB < 150)}`,
);

console.log('Raft node:');
await benchRaft();

await benchReplay();

await benchBrowse();

await benchSim();
