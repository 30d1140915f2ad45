/** `walt restore DATA_DIR --out FILE.db`: options → replayToPoint → a backend snapshot etcd restores, or the plan. */
import { existsSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, resolve } from 'node:path';
import { Command, InvalidArgumentError } from 'commander';
import { resolveDataDir } from '../codec/data-dir.js';
import { goQuote } from '../report/render.js';
import { SCHEMA } from '../report/schema-version.js';
import { base64, toJSON } from '../util/json.js';
import { idHex } from '../codec/proto/metadata.js';
import type { ReplaySource } from '../replay/replay.js';
import type { RestorePoint } from '../surgery/restore-point.js';
import type { RestorePlan } from '../surgery/restore.js';
import type { BackendWriteSummary } from '../state/backend-writer.js';
import { DEFAULT_BCRYPT_COST, MAX_BCRYPT_COST, MIN_BCRYPT_COST } from '../state/password-hash.js';
import { EXIT_OK, UsageError, runAction } from './errors.js';
import { addApplyRuleOptions, addWriteOut, oneOf, parseIndex } from './options.js';

const SOURCES = ['auto', 'wal', 'db'] as const;

interface RestoreCliOptions {
  out?: string;
  outDataDir?: string;
  name: string;
  initialAdvertisePeerUrls: string;
  initialClusterToken: string;
  atIndex?: bigint;
  atRevision?: bigint;
  beforeDelete?: string;
  beforeDeletePrefix?: string;
  atCommit?: boolean;
  from: ReplaySource;
  walDir?: string;
  dryRun?: boolean;
  allowUncommitted?: boolean;
  etcdVersion?: string;
  minLeaseTtl?: bigint;
  bcryptCost: number;
  writeOut: 'simple' | 'json';
}

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
    .action((dir: string, opts: RestoreCliOptions) => runAction(() => run(dir, opts)));
}

function pointOf(opts: RestoreCliOptions): RestorePoint {
  const points: RestorePoint[] = [];
  if (opts.atCommit) points.push({ kind: 'commit' });
  if (opts.atIndex !== undefined) points.push({ kind: 'index', index: opts.atIndex });
  if (opts.atRevision !== undefined) points.push({ kind: 'revision', revision: opts.atRevision });
  if (opts.beforeDelete !== undefined) points.push({ kind: 'before-delete', key: Buffer.from(opts.beforeDelete, 'utf8') });
  if (opts.beforeDeletePrefix !== undefined) points.push({ kind: 'before-delete-prefix', prefix: Buffer.from(opts.beforeDeletePrefix, 'utf8') });
  if (points.length > 1) throw new UsageError('choose one point: --at-commit, --at-index, --at-revision, --before-delete or --before-delete-prefix');
  return points[0] ?? { kind: 'commit' };
}

async function run(dir: string, opts: RestoreCliOptions): Promise<number> {
  const point = pointOf(opts);
  if (!opts.dryRun && opts.out === undefined && opts.outDataDir === undefined) throw new UsageError('--out FILE.db or --out-data-dir DIR is required (or --dry-run to see the plan)');
  if (opts.out !== undefined && opts.outDataDir !== undefined) throw new UsageError('choose one of --out and --out-data-dir');
  if (opts.out !== undefined && existsSync(opts.out)) throw new UsageError(`${opts.out} exists; restore writes a new file and replaces nothing: choose another --out or remove it`);
  if (opts.outDataDir !== undefined && existsSync(opts.outDataDir) && readdirSync(opts.outDataDir).length > 0) {
    throw new UsageError(`${opts.outDataDir} is not empty; restore writes a new data dir and replaces nothing: choose another --out-data-dir`);
  }
  const peerURLs = opts.initialAdvertisePeerUrls.split(',').filter(Boolean);
  const paths = resolveDataDir(dir, opts.walDir);
  const [{ replayToPoint, writeSnapshotFile }, { writeDataDir }] = await Promise.all([import('../surgery/restore.js'), import('../surgery/restore-data-dir.js')]);
  // Every revision's value waits in a temporary file beside the output (the disk it goes to), not in memory.
  const beside = opts.out ?? opts.outDataDir;
  const spillDir = beside !== undefined && existsSync(dirname(resolve(beside))) ? dirname(resolve(beside)) : tmpdir();
  const restored = replayToPoint(paths, { point, from: opts.from, allowUncommitted: opts.allowUncommitted, etcdVersion: opts.etcdVersion, minLeaseTTL: opts.minLeaseTtl, spillDir });
  let written: WrittenJson | undefined;
  try {
    if (opts.dryRun) written = undefined;
    else if (opts.out !== undefined) written = { path: opts.out, ...writeSnapshotFile(restored, opts.out, { bcryptCost: opts.bcryptCost }) };
    else {
      const d = writeDataDir(restored, opts.outDataDir!, { name: opts.name, peerURLs, clusterToken: opts.initialClusterToken, bcryptCost: opts.bcryptCost });
      written = { path: opts.outDataDir!, ...d.backend, memberId: idHex(d.memberId), clusterId: idHex(d.clusterId), name: opts.name, peerURLs };
    }
  } finally {
    restored.close();
  }
  if (opts.writeOut === 'json') process.stdout.write(toJSON(planJson(restored.plan, written), 2) + '\n');
  else process.stdout.write(planText(restored.plan) + (written ? writtenText(written) : ''));
  return EXIT_OK;
}

function parseBcryptCost(v: string): number {
  const n = Number(v);
  if (!/^\d{1,2}$/.test(v) || n < MIN_BCRYPT_COST || n > MAX_BCRYPT_COST) throw new InvalidArgumentError(`expected a bcrypt cost from ${MIN_BCRYPT_COST} to ${MAX_BCRYPT_COST}, got "${v}"`);
  return n;
}

/** What was written: the snapshot file, or the data dir with its new member's and cluster's IDs (hex strings). */
type WrittenJson = BackendWriteSummary & { path: string; memberId?: string; clusterId?: string; name?: string; peerURLs?: string[] };

function planJson(plan: RestorePlan, written?: WrittenJson): unknown {
  const before = plan.before && { ...plan.before, keys: plan.before.keys.map(base64) };
  return { schema: SCHEMA.restore, ...plan, before, ...(written ? { written } : {}) };
}

function planText(plan: RestorePlan): string {
  const lines = [`point: ${plan.point}; the state after entry ${plan.index} (term ${plan.term}), at revision ${plan.revision}, replayed from ${plan.source}`];
  const b = plan.before;
  if (b) {
    const keys = b.keys.length === 0 ? '' : ` ${b.keys.slice(0, 3).map((k) => goQuote(k)).join(', ')}${b.keys.length > 3 ? ` and ${b.keys.length - 3} more` : ''}`;
    lines.push(`left out: entry ${b.index} (term ${b.term}, ${b.kind}${keys}) and every entry after it`);
  }
  lines.push(`commit index ${plan.commitIndex}, at revision ${plan.commitRevision}`);
  const u = plan.uncommitted;
  if (u) lines.push(`includes entries ${u.from}..${u.to}, past the last hard state's commit index: no quorum may have had them, and etcd never applies them`);
  const d = plan.differ;
  lines.push(`${plan.keys} keys; against the commit index: ${d.restored} come back, ${d.reverted} go back to an earlier value, ${d.dropped} written since are not there`);
  return lines.join('\n') + '\n';
}

function writtenText(w: WrittenJson): string {
  if (w.memberId !== undefined) {
    return `wrote ${w.path}: member ${w.memberId} (${w.name}, ${w.peerURLs!.join(',')}) of a new cluster ${w.clusterId}; a backend of ${w.size} bytes, ${w.revisions} revisions, ${w.leases} leases
next: etcd --name ${w.name} --data-dir ${w.path} --initial-advertise-peer-urls ${w.peerURLs!.join(',')} --listen-peer-urls … --listen-client-urls … --advertise-client-urls …
`;
  }
  return `wrote ${w.path}: ${w.size} bytes, ${w.revisions} revisions, ${w.leases} leases, SHA-256 ${w.sha256}
next: etcdutl snapshot restore ${w.path} --data-dir NEW_DIR (etcd 3.4: etcdctl snapshot restore), then start etcd on NEW_DIR
`;
}
