/**
 * etcd 3.4 replaying a log at start: on a copy of the data dir with the
 * backend (member/snap/db) removed, etcd rebuilds its key space from the
 * whole WAL before it serves. Timed from spawn until the key the data set
 * wrote last is served with its value (polled through etcd's JSON gateway
 * every 20 ms); peak RSS is the kernel's high-water mark at that moment.
 */
import { execFileSync, spawn } from 'node:child_process';
import { closeSync, cpSync, existsSync, openSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { ETCD, type MemberSpec } from '../test/helpers/etcd.js';
import type { Run } from './measure.js';

/** The member the bench's data sets were written by (etcd starts on them as that member). */
export const BENCH_MEMBER: MemberSpec = {
  name: 'bench',
  clientPort: 23797,
  peerPort: 23807,
  initialCluster: 'bench=http://127.0.0.1:23807',
  token: 'walt-bench',
  // No snapshots, so that the whole log stays in the WAL; a backend big enough for it.
  flags: ['--snapshot-count', '100000000', '--quota-backend-bytes', String(8 << 30), '--auto-compaction-retention', '0'],
};

export const etcdVersion = (etcd = ETCD): string => /etcd Version: (\S+)/.exec(execFileSync(etcd, ['--version'], { encoding: 'utf8' }))?.[1] ?? '?';

export function etcdArgs(dataDir: string, m: MemberSpec): string[] {
  const client = `http://127.0.0.1:${m.clientPort}`;
  const peer = `http://127.0.0.1:${m.peerPort}`;
  return [
    ...['--name', m.name, '--data-dir', dataDir],
    ...['--listen-client-urls', client, '--advertise-client-urls', client],
    ...['--listen-peer-urls', peer, '--initial-advertise-peer-urls', peer],
    ...['--initial-cluster', m.initialCluster, '--initial-cluster-state', 'new', '--initial-cluster-token', m.token],
    ...m.flags,
  ];
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const b64 = (s: string) => Buffer.from(s).toString('base64');

async function served(m: MemberSpec, key: string, value: string): Promise<boolean> {
  try {
    const r = await fetch(`http://127.0.0.1:${m.clientPort}/v3/kv/range`, { method: 'POST', body: JSON.stringify({ key: b64(key) }), signal: AbortSignal.timeout(2000) });
    if (!r.ok) return false;
    const j = (await r.json()) as { kvs?: Array<{ value?: string }> };
    return j.kvs?.[0]?.value === b64(value);
  } catch {
    return false; // not listening yet
  }
}

/**
 * One timed start of `etcd` on a fresh copy of `dataDir` (made in `workDir`,
 * removed after); with `keepBackend`, a plain restart: etcd loads its backend
 * and reads the WAL, applying only the entries past the consistent index.
 */
export async function timeEtcdReplay(etcd: string, dataDir: string, workDir: string, sentinel: { key: string; value: string }, opts: { keepBackend?: boolean } = {}, timeoutMs = 900_000): Promise<Run> {
  const copy = join(workDir, 'etcd-replay');
  rmSync(copy, { recursive: true, force: true });
  cpSync(dataDir, copy, { recursive: true });
  const snap = join(copy, 'member', 'snap');
  if (!opts.keepBackend) rmSync(join(snap, 'db'), { force: true });
  if (existsSync(snap) && readdirSync(snap).some((f) => f.endsWith('.snap'))) throw new Error(`${dataDir} holds .snap files: etcd would not replay the whole log`);
  const logFile = join(workDir, 'etcd-replay.log');
  const log = openSync(logFile, 'w');
  const t0 = process.hrtime.bigint();
  const proc = spawn(etcd, etcdArgs(copy, BENCH_MEMBER), { stdio: ['ignore', log, log] });
  closeSync(log);
  const killOnExit = () => proc.kill('SIGKILL');
  process.once('exit', killOnExit);
  let exited: string | undefined;
  const gone = new Promise<void>((r) => proc.once('exit', (code, sig) => ((exited = `exit ${sig ?? code}`), r())));
  try {
    while (!(await served(BENCH_MEMBER, sentinel.key, sentinel.value))) {
      const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
      if (exited || seconds * 1000 > timeoutMs) {
        const tail = readFileSync(logFile, 'utf8').trimEnd().split('\n').slice(-3).join(' / ');
        return { seconds, rssMB: NaN, failure: `${exited ?? 'timed out'}: ${tail}` };
      }
      await sleep(20);
    }
    const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
    const hwm = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${proc.pid}/status`, 'utf8'));
    return { seconds, rssMB: Number(hwm![1]) / 1024 };
  } finally {
    if (!exited) {
      proc.kill('SIGTERM');
      const timer = setTimeout(() => proc.kill('SIGKILL'), 15_000);
      await gone;
      clearTimeout(timer);
    }
    process.off('exit', killOnExit);
    rmSync(copy, { recursive: true, force: true });
  }
}
