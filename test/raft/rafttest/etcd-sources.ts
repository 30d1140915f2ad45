/**
 * Where etcd's raft packages, with their data-driven test files, are on this
 * machine: 3.4 from Debian's golang-etcd-server-dev (installed system-wide),
 * 3.5 from trixie's, unpacked by scripts/fetch-etcd35.sh.
 */
import { existsSync, readdirSync } from 'node:fs';
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { join } from 'node:path';
import { etcd35RaftDir, etcd35Skip } from '../../helpers/etcd35.js';
import { readTestData, type TestData } from './datadriven.js';

export type EtcdRaftVersion = '3.4' | '3.5';

export interface EtcdRaftSource {
  version: EtcdRaftVersion;
  /** The raft package's directory, when present. */
  dir: string | undefined;
  /** Why it is missing, or false. */
  skip: string | false;
}

const raft34 = '/usr/share/gocode/src/go.etcd.io/etcd/raft';

export function etcdRaftSources(): EtcdRaftSource[] {
  const has34 = existsSync(join(raft34, 'raft.go'));
  const dir35 = etcd35RaftDir();
  return [
    { version: '3.4', dir: has34 ? raft34 : undefined, skip: has34 ? false : 'needs golang-etcd-server-dev (etcd 3.4 raft sources; .ci/run installs it)' },
    { version: '3.5', dir: dir35, skip: dir35 ? false : etcd35Skip() || 'etcd 3.5 in .etcd35/root has no raft package' },
  ];
}

/**
 * The .txt files of `sub` (e.g. "quorum/testdata") in a raft package, sorted
 * as datadriven.Walk sorts them. None at all fails, rather than pass empty.
 */
export function testFiles(dir: string, sub: string): string[] {
  const files = readdirSync(join(dir, sub)).filter((f) => f.endsWith('.txt'));
  if (files.length === 0) throw new Error(`no test files in ${join(dir, sub)}`);
  return files.sort().map((f) => join(dir, sub, f));
}

/**
 * One test per data-driven file of `sub` (e.g. "quorum/testdata"), for each
 * etcd version present, with a visible skip for a version that is not; `run`
 * gets the file's directives, at least one.
 */
export function eachTestDataFile(sub: string, run: (directives: TestData[], src: EtcdRaftSource) => void): void {
  for (const src of etcdRaftSources()) {
    describe(`etcd ${src.version} raft/${sub}`, () => {
      const dir = src.dir;
      if (dir === undefined) {
        test('testdata', (t) => t.skip(src.skip || ''));
        return;
      }
      for (const file of testFiles(dir, sub)) {
        test(file.slice(dir.length + 1), () => {
          const directives = readTestData(file);
          assert.ok(directives.length > 0, `${file} has no directives`);
          run(directives, src);
        });
      }
    });
  }
}
