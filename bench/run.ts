/**
 * `npm run bench [-- --big] [-- --runs N] [-- --only verify,dump]`: walt as
 * users run it, whole processes, beside etcd's own tools on the same data in
 * the same run. Each row alternates walt and its anchor (after one untimed
 * run of each, except with --big), five runs each by default, and prints the
 * medians of wall time and peak RSS, their ratios, and the targets of issue
 * 15 met (PASS) or missed (MISS). A miss does not fail the run.
 */
import { execFileSync } from 'node:child_process';
import { closeSync, mkdirSync, openSync, readSync, readdirSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { ETCD, etcdSkip } from '../test/helpers/etcd.js';
import { etcd35Bin, etcd35Skip } from '../test/helpers/etcd35.js';
import { dataSet, describe } from './data.js';
import { etcdVersion } from './etcd-replay.js';
import { goProgram, goSkip } from './go-build.js';
import { type Run, timeSkip } from './measure.js';
import { cacheDir, waltBin } from './paths.js';
import { type Result, side, table } from './report.js';
import { dataRows, type Row, startupRows } from './rows.js';

const { values: opts } = parseArgs({
  options: { big: { type: 'boolean', default: false }, runs: { type: 'string' }, only: { type: 'string' } },
});
const runs = Number(opts.runs ?? process.env.WALT_BENCH_RUNS ?? 5);
const warmUp = !opts.big;

/** Reads a data dir's segments once, so that no row pays for the first read from disk. */
function warmCache(dir: string): void {
  const wal = join(dir, 'member', 'wal');
  const buf = Buffer.alloc(1 << 20);
  for (const f of readdirSync(wal)) {
    const fd = openSync(join(wal, f), 'r');
    while (readSync(fd, buf) > 0);
    closeSync(fd);
  }
}

async function measure(row: Row): Promise<Result> {
  const w: Run[] = [];
  const a: Run[] = [];
  if (warmUp) {
    await row.runWalt();
    await row.runAnchor?.();
  }
  process.stdout.write(`${row.walt} | ${row.anchor}:`);
  for (let i = 0; i < runs; i++) {
    w.push(await row.runWalt());
    if (row.runAnchor) a.push(await row.runAnchor());
    process.stdout.write(` ${w[i].seconds.toFixed(2)}|${a[i]?.seconds.toFixed(2) ?? '—'}`);
    if (w[i].failure || a[i]?.failure) break; // a failed run would fail again: report it
  }
  process.stdout.write('\n');
  return { row, walt: side(w), anchor: side(a) };
}

// Interrupted, exit as usual, so that etcd started by a row is stopped ('exit' handlers).
process.once('SIGINT', () => process.exit(130));
const noTime = timeSkip();
if (noTime) throw new Error(`bench: ${noTime}`);
const skips = [goSkip(), etcdSkip()].filter(Boolean);

console.log(`machine: ${cpus().length} CPUs, load average ${loadavg().map((x) => x.toFixed(2)).join(' ')}; node ${process.version}; ${execFileSync(waltBin, ['--version'], { encoding: 'utf8' }).trim().replace(/\n/g, '; ')}`);
const only = opts.only?.split(',');
let rows: Row[] = opts.big ? [] : startupRows();
if (skips.length) {
  console.log(`rows on data skipped: ${skips.join('; ')}`);
} else {
  const bin = join(cacheDir, 'bin');
  mkdirSync(bin, { recursive: true });
  const anchor = goProgram('anchor', bin);
  const data = await dataSet(opts.big ? 'big' : 'prod', cacheDir, goProgram('benchdata', bin));
  console.log(`data: ${describe(data)}`);
  warmCache(data.dir);
  const work = join(cacheDir, 'run');
  mkdirSync(work, { recursive: true });
  const etcds = [{ bin: ETCD, version: etcdVersion() }];
  const etcd35 = join(etcd35Bin, 'etcd');
  if (etcd35Skip()) console.log(`etcd 3.5 row skipped: ${etcd35Skip()}`);
  else etcds.push({ bin: etcd35, version: etcdVersion(etcd35) });
  rows = rows.concat(dataRows(data, anchor, etcds, work));
}
if (only) rows = rows.filter((r) => only.some((o) => r.walt.includes(o)));
console.log(`${runs} runs each, alternating; seconds walt|anchor:`);
const results: Result[] = [];
for (const row of rows) results.push(await measure(row));
console.log(`\nload average after: ${loadavg().map((x) => x.toFixed(2)).join(' ')}\n`);
console.log(table(results));
