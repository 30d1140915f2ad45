/**
 * One benchmark task in its own process, so that its peak memory is its own:
 * `node dist/bench/wal-task.js verify|dump DATA_DIR`. Prints a JSON line of
 * figures on stderr; dump's output goes to stdout (send it to /dev/null).
 */
import { resolveDataDir } from '../src/codec/data-dir.js';
import { verifyDataDir } from '../src/report/verify.js';
import { main } from '../src/cli/main.js';

const [task, dir] = process.argv.slice(2);
const t0 = process.hrtime.bigint();
let detail: Record<string, unknown> = {};
if (task === 'verify') {
  const r = verifyDataDir(resolveDataDir(dir));
  detail = { ok: r.ok, entries: r.entries, bytes: r.segments.reduce((a, s) => a + s.usedBytes, 0) };
} else if (task === 'dump') {
  await main(['node', 'walt', 'dump', '--format', 'ndjson', '--start-index', '1', dir]);
} else {
  throw new Error(`unknown task ${task}`);
}
const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
const usage = process.resourceUsage();
// CPU seconds alongside wall time: on a shared machine the first is the steadier figure.
const cpuSeconds = (usage.userCPUTime + usage.systemCPUTime) / 1e6;
process.stderr.write(JSON.stringify({ task, seconds, cpuSeconds, maxRssMB: usage.maxRSS / 1024, ...detail }) + '\n');
