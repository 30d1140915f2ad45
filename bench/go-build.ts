/**
 * The bench's Go programs (bench/go/*), built as walt's Go oracle is
 * (test/oracle/build.sh: GOPATH mode against Debian's etcd 3.4 sources),
 * into the bench's cache, again whenever a source file is newer.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { repo } from './paths.js';

export const goSkip = (): string | false =>
  existsSync('/usr/bin/go') && existsSync('/usr/share/gocode/src/go.etcd.io/etcd/wal')
    ? false
    : 'needs /usr/bin/go and etcd 3.4 sources (Debian golang-go and golang-etcd-server-dev)';

export function goProgram(name: 'anchor' | 'benchdata', binDir: string): string {
  const src = join(repo, 'bench', 'go', name);
  const bin = join(binDir, name);
  const newest = Math.max(...readdirSync(src).map((f) => statSync(join(src, f)).mtimeMs));
  if (!existsSync(bin) || statSync(bin).mtimeMs < newest) {
    console.log(`building ${name} (Go, against etcd 3.4's sources)…`);
    execFileSync(join(repo, 'test', 'oracle', 'build.sh'), [bin, src], { stdio: 'inherit' });
  }
  return bin;
}
