/**
 * Real etcd data dirs made by fixtures/make-fixtures.sh, unpacked into a
 * temp dir per test file, and the records of what etcd served and what
 * etcd's own wal.ReadAll returned beside them.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));
export const fixturesDir = join(repoRoot, 'fixtures');
export const waltBin = join(repoRoot, 'bin', 'walt');

/** Unpacks fixtures/<name>.tar.gz into `dir` (a fresh temp dir by default) and returns it. */
export function unpackFixture(name: string, dir = mkdtempSync(join(tmpdir(), `walt-${name}-`))): string {
  mkdirSync(dir, { recursive: true });
  execFileSync('tar', ['-xzf', join(fixturesDir, `${name}.tar.gz`), '-C', dir]);
  return dir;
}

export function removeDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}

/** A temp dir for a test file's damaged or rewritten copies of fixtures. */
export class Scratch {
  readonly dir = mkdtempSync(join(tmpdir(), 'walt-scratch-'));
  private n = 0;

  /** A new, not yet existing path inside the scratch dir. */
  fresh(what: string): string {
    return join(this.dir, `${what}${this.n++}`);
  }

  /** A fixture unpacked inside the scratch dir, removed with it. */
  unpack(name: string): string {
    return unpackFixture(name, this.fresh(name));
  }

  /** A copy of a data dir, to damage or change. */
  copyOf(src: string): string {
    const dst = this.fresh('copy');
    cpSync(src, dst, { recursive: true });
    return dst;
  }

  remove(): void {
    removeDir(this.dir);
  }
}

export const walOf = (dataDir: string): string => join(dataDir, 'member', 'wal');

export function readFixtureJson<T = any>(...path: string[]): T {
  return JSON.parse(readFileSync(join(fixturesDir, ...path), 'utf8')) as T;
}

export interface OracleEntry {
  index: string;
  term: string;
  type: string;
  data: string | null;
  /** How etcd's own types decode it: put, v2request:PUT, confchange:ConfChangeAddNode, empty… */
  kind: string;
  /** Go's String() of the decoded request. */
  text: string;
}

export interface OracleReadAll {
  metadata: { nodeID: string; clusterID: string };
  hardState: { term: string; vote: string; commit: string };
  snapshot: { index: string; term: string };
  snapFile?: string;
  entries: OracleEntry[];
  error: string;
}

/** Runs bin/walt and returns its exit status and output, stderr included whatever the status. */
export function runWalt(args: string[], opts: { input?: string } = {}): { status: number; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [waltBin, ...args], { encoding: 'utf8', input: opts.input, env: { ...process.env, FORCE_COLOR: '0' }, maxBuffer: 256 << 20 });
  if (r.error) throw r.error;
  return { status: r.status ?? 1, stdout: r.stdout, stderr: r.stderr };
}
