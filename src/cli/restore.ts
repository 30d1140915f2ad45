/** `walt restore DATA_DIR --out FILE.db`: options → replayToPoint → a backend snapshot etcd restores, or the plan. */
import { Command, InvalidArgumentError } from 'commander';
import { DEFAULT_BCRYPT_COST, MAX_BCRYPT_COST, MIN_BCRYPT_COST } from '../state/password-hash.js';
import { runAction } from './errors.js';
import { addApplyRuleOptions, addWriteOut, oneOf, parseIndex } from './options.js';
import type { RestoreCliOptions } from './restore-run.js';

const SOURCES = ['auto', 'wal', 'db'] as const;

export function restoreCommand(): Command {
  const cmd = addWriteOut(
    new Command('restore').description(
      'write the state at a point of the log (the commit index, an index, a revision, just before a delete) as an etcd backend snapshot that `etcdutl snapshot restore` restores',
    ),
    { formats: ['simple', 'json'], default: 'simple' },
  )
    .argument('<data-dir>', 'an etcd data dir (with member/wal and member/snap); only read')
    .option('--out <file.db>', 'the snapshot file to write; it must not exist')
    .option('--out-data-dir <dir>', 'write a data dir of one new member that etcd starts on directly, as `snapshot restore` makes one; DIR must be new or empty')
    .option('--name <name>', 'with --out-data-dir: the new member\'s name', 'default')
    .option('--initial-advertise-peer-urls <urls>', 'with --out-data-dir: its peer URLs, comma-separated', 'http://localhost:2380')
    .option('--initial-cluster-token <token>', 'with --out-data-dir: the token its member and cluster IDs are made from', 'etcd-cluster')
    .option('--at-commit', 'the state at the commit index (the default)')
    .option('--at-index <n>', 'the state after entry N', parseIndex)
    .option('--at-revision <r>', 'the state at MVCC revision R, up to the entry that writes revision R+1', parseIndex)
    .option('--before-delete <key>', 'the state just before the first entry that deleted KEY')
    .option('--before-delete-prefix <prefix>', 'the state just before the first entry that deleted a key under PREFIX')
    .addOption(new Command().createOption('--from <source>', "where the replay starts: wal (index 1), db (the backend plus the WAL after it), auto").argParser(oneOf(SOURCES)).default('auto'))
    .option('--wal-dir <dir>', 'the WAL, when it is kept outside the data dir')
    .option('--allow-uncommitted', 'with --at-index, allow an index past the commit index: the entries up to it are applied as if committed (the plan names them)')
    .option('--dry-run', 'print the plan (the point, the entry it lies before, how many keys differ from the commit index) and write nothing')
    .option('--bcrypt-cost <n>', `etcd's --bcrypt-cost, for the passwords etcd 3.4's log holds in clear text (${MIN_BCRYPT_COST}-${MAX_BCRYPT_COST})`, parseBcryptCost, DEFAULT_BCRYPT_COST);
  return addApplyRuleOptions(cmd)
    .addHelpText(
      'after',
      `
The log is replayed as \`walt replay-to-state\` replays it, once to the commit
index (to find the point and compare with it) and once to the point. The file
holds what \`etcdctl snapshot save\` writes: etcd's buckets, every revision of
every key that compactions kept (so --rev reads and watches from the restored
member behave), leases, auth, members, the point's index as consistent_index,
and the SHA-256 trailer that \`snapshot restore\` checks. Nothing in DATA_DIR
changes. The plan prints keys but no values.

etcd 3.4's log carries users' passwords in clear text, which etcd hashes with
bcrypt as it applies them (at its --bcrypt-cost, 10 unless set); walt hashes
them the same way, so the same passwords log in to the restored member.

Examples:
  walt restore /var/lib/etcd --before-delete-prefix /registry/ --dry-run
  walt restore /var/lib/etcd --before-delete-prefix /registry/ --out /tmp/before.db
  walt restore /var/lib/etcd --at-index 1200 --out /tmp/at-1200.db -w json
  walt restore /var/lib/etcd --at-revision 845 --out /tmp/rev-845.db
  etcdutl snapshot restore /tmp/before.db --data-dir /var/lib/etcd-restored   # then start etcd on it
  walt restore /var/lib/etcd --before-delete /config/x --out-data-dir /var/lib/etcd-restored \\
      --name infra0 --initial-advertise-peer-urls http://10.0.0.1:2380
  etcd --name infra0 --data-dir /var/lib/etcd-restored --initial-advertise-peer-urls http://10.0.0.1:2380 ...`,
    )
    // The replay and the writers load once the flags are good: `--help` needs none of them.
    .action((dir: string, opts: RestoreCliOptions) => runAction(async () => (await import('./restore-run.js')).run(dir, opts)));
}

function parseBcryptCost(v: string): number {
  const n = Number(v);
  if (!/^\d{1,2}$/.test(v) || n < MIN_BCRYPT_COST || n > MAX_BCRYPT_COST) throw new InvalidArgumentError(`expected a bcrypt cost from ${MIN_BCRYPT_COST} to ${MAX_BCRYPT_COST}, got "${v}"`);
  return n;
}

