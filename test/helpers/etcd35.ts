/**
 * etcd 3.5 as scripts/fetch-etcd35.sh leaves it: Debian trixie's etcd-server,
 * etcd-client and golang-etcd-server-dev unpacked (not installed) into
 * .etcd35/root, beside the system's etcd 3.4. Tests that need it skip, saying
 * why, where the script has not run.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from './fixtures.js';

export const etcd35Root = join(repoRoot, '.etcd35', 'root');
/** etcd, etcdctl and etcdutl 3.5. */
export const etcd35Bin = join(etcd35Root, 'usr', 'bin');
/** etcd 3.5's Go source tree (GOPATH layout). */
export const etcd35GoSrc = join(etcd35Root, 'usr', 'share', 'gocode', 'src');

/** Why etcd 3.5 is not there, or false when it is. */
export const etcd35Skip = (): string | false =>
  existsSync(join(etcd35Root, '.done')) ? false : 'needs etcd 3.5 in .etcd35/root (run scripts/fetch-etcd35.sh; .ci/run does)';

/**
 * The directory of etcd 3.5's raft package (module go.etcd.io/etcd/raft/v3,
 * which Debian installs without the /v3), or undefined.
 */
export function etcd35RaftDir(): string | undefined {
  if (etcd35Skip()) return undefined;
  const base = join(etcd35GoSrc, 'go.etcd.io', 'etcd', 'raft');
  return [join(base, 'v3'), base].find((d) => existsSync(join(d, 'raft.go')));
}
