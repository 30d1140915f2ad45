/**
 * etcd's own code as a test oracle: test/oracle/oracle.go, built against
 * Debian's etcd 3.4 sources when Go is installed (.ci/run installs it).
 * Tests that need it skip, saying why, where it cannot be built.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot } from './fixtures.js';

let built: string | undefined | null = null;

/** The oracle binary, or undefined when Go or etcd's sources are missing. */
export function oracleBinary(): string | undefined {
  if (built !== null) return built;
  built = undefined;
  if (!existsSync('/usr/share/gocode/src/go.etcd.io/etcd/wal')) return undefined;
  try {
    execFileSync('go', ['version'], { stdio: 'ignore' });
  } catch {
    return undefined;
  }
  const out = join(mkdtempSync(join(tmpdir(), 'walt-oracle-')), 'oracle');
  execFileSync(join(repoRoot, 'test', 'oracle', 'build.sh'), [out], { stdio: 'ignore' });
  built = out;
  return built;
}

export const oracleSkip = (): string | false => (oracleBinary() ? false : 'needs Go and golang-etcd-server-dev to build the etcd oracle (.ci/run installs them)');

export function oracle<T = any>(...args: string[]): T {
  const bin = oracleBinary();
  if (!bin) throw new Error('oracle unavailable');
  return JSON.parse(execFileSync(bin, args, { encoding: 'utf8', maxBuffer: 256 << 20 })) as T;
}
