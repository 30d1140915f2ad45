/**
 * Real etcd on a data dir, for interop tests: started on loopback with the
 * name and URLs its fixture was made with (fixtures/README.md), waited for
 * until healthy, read with etcdctl, stopped with SIGTERM, and always killed
 * if anything goes wrong. One at a time: the machine may have two cores.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, openSync, closeSync, readFileSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export const ETCD = '/usr/bin/etcd';
export const ETCDCTL = '/usr/bin/etcdctl';

export const etcdSkip = (): string | false =>
  existsSync(ETCD) && existsSync(ETCDCTL) ? false : `needs ${ETCD} and ${ETCDCTL} (Debian etcd-server and etcd-client; .ci/run installs them)`;

export interface MemberSpec {
  name: string;
  clientPort: number;
  peerPort: number;
  initialCluster: string;
  token: string;
  flags: string[];
  /** Binaries other than the system's (etcd 3.5 from .etcd35, say). */
  etcd?: string;
  etcdctl?: string;
}

/** fixtures/single: as fixtures/make-fixtures.sh started it. */
export const SINGLE: MemberSpec = {
  name: 'single',
  clientPort: 23790,
  peerPort: 23800,
  initialCluster: 'single=http://127.0.0.1:23800',
  token: 'walt-single',
  flags: ['--snapshot-count', '40', '--max-snapshots', '5', '--enable-v2=true', '--auto-compaction-retention', '0'],
};

async function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const srv = createServer();
    srv.once('error', () => resolve(false));
    srv.listen(port, '127.0.0.1', () => srv.close(() => resolve(true)));
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export class Etcd {
  private exited = false;
  private constructor(
    private readonly proc: ChildProcess,
    readonly spec: MemberSpec,
    readonly logFile: string,
  ) {
    running.add(proc);
    proc.once('exit', () => {
      this.exited = true;
      running.delete(proc);
      releasePortLock(spec.clientPort);
    });
  }

  get pid(): number {
    return this.proc.pid!;
  }

  get endpoint(): string {
    return `127.0.0.1:${this.spec.clientPort}`;
  }

  /** Starts etcd on `dataDir` and waits until it answers /health; kills it if it does not in time. */
  static async start(dataDir: string, spec: MemberSpec, timeoutMs = 20_000): Promise<Etcd> {
    // Test files run in parallel processes: without the lock, two could start etcd on one port, and one
    // would read the other's health and keys.
    await takePortLock(spec.clientPort, timeoutMs);
    try {
      return await Etcd.startLocked(dataDir, spec, timeoutMs);
    } catch (e) {
      releasePortLock(spec.clientPort);
      throw e;
    }
  }

  private static async startLocked(dataDir: string, spec: MemberSpec, timeoutMs: number): Promise<Etcd> {
    for (const port of [spec.clientPort, spec.peerPort]) {
      const until = Date.now() + timeoutMs;
      while (!(await portFree(port))) {
        if (Date.now() > until) throw new Error(`port ${port} on 127.0.0.1 stays in use: another etcd (make-fixtures.sh?) is running`);
        await sleep(250);
      }
    }
    const client = `http://127.0.0.1:${spec.clientPort}`;
    const peer = `http://127.0.0.1:${spec.peerPort}`;
    const logFile = join(dataDir, '..', `etcd-${spec.name}.log`);
    const log = openSync(logFile, 'w');
    const proc = spawn(
      spec.etcd ?? ETCD,
      [
        ...['--name', spec.name, '--data-dir', dataDir],
        ...['--listen-client-urls', client, '--advertise-client-urls', client],
        ...['--listen-peer-urls', peer, '--initial-advertise-peer-urls', peer],
        ...['--initial-cluster', spec.initialCluster, '--initial-cluster-state', 'new', '--initial-cluster-token', spec.token],
        ...spec.flags,
      ],
      { stdio: ['ignore', log, log] },
    );
    closeSync(log);
    const etcd = new Etcd(proc, spec, logFile);
    try {
      await etcd.waitHealthy(timeoutMs);
    } catch (e) {
      await etcd.stop();
      throw e;
    }
    return etcd;
  }

  private async waitHealthy(timeoutMs: number): Promise<void> {
    const until = Date.now() + timeoutMs;
    for (;;) {
      if (this.exited) throw new Error(`etcd exited during start; its log ends:\n${this.logTail()}`);
      try {
        const res = await fetch(`http://${this.endpoint}/health`, { signal: AbortSignal.timeout(1000) });
        if (res.ok && (await res.json()).health === 'true') return;
      } catch {
        // not listening yet
      }
      if (Date.now() > until) throw new Error(`etcd not healthy after ${timeoutMs} ms; its log ends:\n${this.logTail()}`);
      await sleep(200);
    }
  }

  logTail(lines = 15): string {
    return readFileSync(this.logFile, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  }

  async etcdctl(...args: string[]): Promise<string> {
    const { stdout } = await run(this.spec.etcdctl ?? ETCDCTL, [`--endpoints=${this.endpoint}`, '--command-timeout=10s', ...args], {
      env: { ...process.env, ETCDCTL_API: '3' },
      maxBuffer: 64 << 20,
    });
    return stdout;
  }

  /** `etcdctl get "" --prefix -w json`, as the fixtures recorded it. */
  getAll(): Promise<string> {
    return this.etcdctl('get', '', '--prefix', '-w', 'json');
  }

  /** SIGTERM, as an operator stops etcd; SIGKILL if it does not exit in time. */
  async stop(timeoutMs = 10_000): Promise<void> {
    if (this.exited) return;
    const gone = new Promise<void>((r) => this.proc.once('exit', () => r()));
    this.proc.kill('SIGTERM');
    const timer = setTimeout(() => this.proc.kill('SIGKILL'), timeoutMs);
    await gone;
    clearTimeout(timer);
    running.delete(this.proc);
  }
}

/** A lock per client port across test processes: a directory holding the owner's pid (mkdir is atomic). */
const lockDir = (port: number) => join(tmpdir(), `walt-etcd-${port}.lock`);

async function takePortLock(port: number, timeoutMs: number): Promise<void> {
  const dir = lockDir(port);
  const until = Date.now() + timeoutMs * 6;
  for (;;) {
    try {
      mkdirSync(dir);
      writeFileSync(join(dir, 'pid'), String(process.pid));
      return;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    }
    // A lock whose owner is gone is stale.
    const owner = Number(readFileSync(join(dir, 'pid'), { encoding: 'utf8', flag: 'a+' }) || 0);
    if (owner && !alive(owner)) rmSync(dir, { recursive: true, force: true });
    if (Date.now() > until) throw new Error(`another test process holds ${dir} (pid ${owner}) too long`);
    await sleep(250);
  }
}

function releasePortLock(port: number): void {
  const dir = lockDir(port);
  try {
    if (Number(readFileSync(join(dir, 'pid'), 'utf8')) === process.pid) rmSync(dir, { recursive: true, force: true });
  } catch {
    // not held
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** etcd processes not yet stopped: killed if the test process exits first. */
const running = new Set<ChildProcess>();
process.once('exit', () => {
  for (const p of running) p.kill('SIGKILL');
});

/** Runs `fn` against etcd on `dataDir`, and stops etcd whatever happens. */
export async function withEtcd<T>(dataDir: string, spec: MemberSpec, fn: (etcd: Etcd) => Promise<T>): Promise<T> {
  const etcd = await Etcd.start(dataDir, spec);
  try {
    return await fn(etcd);
  } finally {
    await etcd.stop();
  }
}

/**
 * The key-value part of `get -w json` output, as text: the header differs
 * between runs, and lease IDs exceed 2^53, so the rest is compared as text.
 */
export const kvsText = (getJson: string): string => getJson.trim().replace(/^\{"header":\{[^{}]*\},/, '{');
