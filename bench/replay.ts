/**
 * replay-to-state against real etcd: a data dir of 1 KB puts written by etcd
 * 3.4 itself, replayed by walt from the WAL, and etcd started on a copy with
 * its backend and snapshots removed, so that it replays the same entries.
 * etcd's time runs from its start until it serves the last revision.
 * Target: walt takes at most half of etcd's time. Needs /usr/bin/etcd. Each
 * side runs three times, walt and etcd in turn, and the medians are compared.
 *   node dist/bench/replay.js        (WALT_BENCH_REPLAY_ENTRIES, default 200000)
 */
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, openSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Etcd, etcdSkip, type MemberSpec } from '../test/helpers/etcd.js';
import { median } from './stats.js';

const SPEC: MemberSpec = {
  name: 'bench',
  clientPort: 23798,
  peerPort: 23808,
  initialCluster: 'bench=http://127.0.0.1:23808',
  token: 'walt-bench',
  // No snapshots, so that the whole log stays in the WAL; a backend big enough for it.
  flags: ['--snapshot-count', '100000000', '--quota-backend-bytes', String(8 << 30), '--auto-compaction-retention', '0'],
};

const waltBin = fileURLToPath(new URL('../../bin/walt', import.meta.url));

/** Puts through etcd's JSON gateway, many in flight: etcdctl would take an hour for 200,000. */
async function load(endpoint: string, entries: number): Promise<void> {
  const value = Buffer.alloc(1024, 'v').toString('base64');
  let next = 0;
  const worker = async () => {
    while (next < entries) {
      const i = next++;
      const key = Buffer.from(`/bench/key-${i % 10000}`).toString('base64');
      const r = await fetch(`http://${endpoint}/v3/kv/put`, { method: 'POST', body: JSON.stringify({ key, value }) });
      if (!r.ok) throw new Error(`put ${i}: ${r.status} ${await r.text()}`);
    }
  };
  await Promise.all(Array.from({ length: 64 }, worker));
}

async function makeDataDir(entries: number): Promise<string> {
  const dir = join(tmpdir(), `walt-bench-replay-${entries}`);
  if (existsSync(join(dir, 'member', 'wal'))) return dir;
  const partial = `${dir}.partial`;
  rmSync(partial, { recursive: true, force: true });
  const etcd = await Etcd.start(partial, SPEC, 30_000);
  try {
    await load(etcd.endpoint, entries);
  } finally {
    await etcd.stop();
  }
  renameSync(partial, dir);
  return dir;
}

async function revisionOf(etcd: Etcd): Promise<number> {
  const out = await etcd.etcdctl('get', '/bench/key-0', '-w', 'json');
  return Number(/"revision":(\d+)/.exec(out)![1]);
}

export async function benchReplay(entries = Number(process.env.WALT_BENCH_REPLAY_ENTRIES ?? 200_000)): Promise<Record<string, number>> {
  const skip = etcdSkip();
  if (skip) {
    console.log(`replay-to-state vs etcd: skipped (${skip})`);
    return {};
  }
  const dir = await makeDataDir(entries);
  const walt: Array<{ seconds: number; rssMB: number }> = [];
  const etcd: number[] = [];
  for (let i = 0; i < 3; i++) {
    walt.push(timeWalt(dir));
    etcd.push(await timeEtcd(dir, entries));
  }
  const waltSeconds = median(walt.map((r) => r.seconds));
  const etcdSeconds = median(etcd);
  const waltRssMB = Math.max(...walt.map((r) => r.rssMB));
  const ratio = waltSeconds / etcdSeconds;
  console.log(
    `replay-to-state: ${entries} entries in ${waltSeconds.toFixed(2)} s (median of 3: ${walt.map((r) => r.seconds.toFixed(2)).join(', ')}; peak RSS ${waltRssMB.toFixed(0)} MB); etcd 3.4 replaying the same WAL: ${etcdSeconds.toFixed(2)} s (${etcd.map((t) => t.toFixed(2)).join(', ')}); ratio ${ratio.toFixed(2)} (target ≤ 0.5) ${ratio <= 0.5 ? 'PASS' : 'MISS'}`,
  );
  return { replay_seconds: waltSeconds, etcd_seconds: etcdSeconds, replay_rss_mb: waltRssMB };
}

function timeWalt(dir: string): { seconds: number; rssMB: number } {
  const t0 = process.hrtime.bigint();
  const r = spawnSync('/usr/bin/time', ['-f', '%M', process.execPath, waltBin, 'replay-to-state', '--from', 'wal', '--no-progress', dir], { stdio: ['ignore', openSync('/dev/null', 'w'), 'pipe'], encoding: 'utf8' });
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  if (r.status !== 0) throw new Error(`walt replay-to-state failed: ${r.stderr}`);
  return { seconds, rssMB: Number(r.stderr.trim().split('\n').pop()) / 1024 };
}

/** etcd on a copy without its backend and snapshots: it rebuilds the key space from the WAL; its time runs until it serves the last revision. */
async function timeEtcd(dir: string, entries: number): Promise<number> {
  const copy = join(mkdtempSync(join(tmpdir(), 'walt-bench-etcd-')), 'data');
  cpSync(dir, copy, { recursive: true });
  const snapDir = join(copy, 'member', 'snap');
  for (const f of readdirSync(snapDir)) rmSync(join(snapDir, f));
  const wanted = entries + 1; // each put is one revision after the first
  const t1 = process.hrtime.bigint();
  const etcd = await Etcd.start(copy, SPEC, 600_000);
  try {
    while ((await revisionOf(etcd)) < wanted) await new Promise((r) => setTimeout(r, 20));
    return Number(process.hrtime.bigint() - t1) / 1e9;
  } finally {
    await etcd.stop();
    rmSync(dirname(copy), { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await benchReplay();
