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

/**
 * A Go program of the tests, built once per test process into a temp dir by
 * `build(out)`; undefined when Go or the sources at `needs` are missing.
 */
export function goProgram(name: string, needs: string, build: (out: string) => void): () => string | undefined {
  let built: string | undefined | null = null;
  return () => {
    if (built !== null) return built;
    built = undefined;
    if (!existsSync(needs)) return undefined;
    try {
      execFileSync('go', ['version'], { stdio: 'ignore' });
    } catch {
      return undefined;
    }
    const out = join(mkdtempSync(join(tmpdir(), `walt-${name}-`)), name);
    build(out);
    built = out;
    return built;
  };
}

/** The oracle binary, or undefined when Go or etcd's sources are missing. */
export const oracleBinary = goProgram('oracle', '/usr/share/gocode/src/go.etcd.io/etcd/wal', (out) =>
  execFileSync(join(repoRoot, 'test', 'oracle', 'build.sh'), [out], { stdio: 'ignore' }),
);

export const oracleSkip = (): string | false => (oracleBinary() ? false : 'needs Go and golang-etcd-server-dev to build the etcd oracle (.ci/run installs them)');

export function oracle<T = any>(...args: string[]): T {
  const bin = oracleBinary();
  if (!bin) throw new Error('oracle unavailable');
  return JSON.parse(execFileSync(bin, args, { encoding: 'utf8', maxBuffer: 256 << 20 })) as T;
}
