/**
 * Where etcd's raft packages, with their data-driven test files, are on this
 * machine: 3.4 from Debian's golang-etcd-server-dev (installed system-wide),
 * 3.5 from trixie's, unpacked by scripts/fetch-etcd35.sh.
 */
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { etcd35RaftDir, etcd35Skip } from '../../helpers/etcd35.js';

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
