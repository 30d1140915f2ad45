/** `walt snap list|show`: options → listSnapshots / showSnapFile → a table or text for people, JSON for scripts. */
import { Command } from 'commander';
import chalk from 'chalk';
import { newTable } from './table.js';
import type { ConfStateView, SnapList, SnapListFile } from '../report/snap-list.js';
import type { SnapShow, V2StoreSummary } from '../report/snap-show.js';
import type { DbStatus } from '../report/snap-status.js';
import { EXIT_OK, EXIT_PROBLEM, runAction } from './errors.js';
import { addWriteOut, choiceOption } from './options.js';
import { toJSON } from '../util/json.js';

const KINDS = ['snap', 'backend'] as const;

export function snapCommand(): Command {
  return new Command('snap')
    .description('list and look into the snapshot files of member/snap (.snap, .snap.broken, .snap.db, db)')
    .addHelpText(
      'after',
      `
Examples:
  walt snap list /var/lib/etcd
  walt snap show /var/lib/etcd/member/snap/db
  walt snap status backup.db`,
    )
    .addCommand(listCommand())
    .addCommand(showCommand())
    .addCommand(statusCommand());
}

function listCommand(): Command {
  return addWriteOut(
    new Command('list').description(
      'every snapshot file with its term, index, size, CRC and ConfState, and which one etcd would load; exit 0 etcd would start on them (a broken .snap it sets aside is a warning), 1 it would not, 2 usage',
    ),
    { formats: ['table', 'json'], default: 'table' },
  )
    .argument('<data-dir>', 'an etcd data dir (with member/wal and member/snap), or a member dir')
    .option('--wal-dir <dir>', 'read WAL segments from this dir instead of DATA_DIR/member/wal (they decide which snapshot etcd 3.4.23 loads)')
    .addHelpText(
      'after',
      `
-w json prints {"snapDir", "files": [...], "loads": {"etcd3423", "newestValid"},
"backendProblems", "ok"} for scripts.

CRC status is what etcd's snap.Read says: ok, mismatch (the CRC-32C of the
data differs from the stored one), empty (no data or a zero CRC), or
undecodable (not a snappb envelope or raftpb.Snapshot), with the reason.

Two load rules: etcd 3.4.23 loads the newest .snap that reads and has a WAL
snapshot record at or below the committed index; older etcd loaded the
newest that reads. Either renames a .snap that does not read to .snap.broken
(walt only reads) and loads the next: a warning while one still loads, an
error (exit 1) when none does. The backend etcd opens (db, or the .snap.db it
swaps in when db is behind the snapshot) is checked as walt verify checks it;
exit 1 when etcd would refuse it.

Examples:
  walt snap list /var/lib/etcd
  walt snap list -w json /var/lib/etcd | jq -r .loads.etcd3423
  walt snap list --wal-dir /mnt/wal /var/lib/etcd`,
    )
    .action((dir: string, opts: { walDir?: string; writeOut: 'table' | 'json' }) =>
      runAction(async () => {
        // Each subcommand loads its readers once its flags are good: `--help` needs none of them.
        const [{ resolveDataDir }, { listSnapshots }] = await Promise.all([import('../codec/data-dir.js'), import('../report/snap-list.js')]);
        const list = listSnapshots(resolveDataDir(dir, opts.walDir));
        process.stdout.write(opts.writeOut === 'json' ? toJSON(list, 2) + '\n' : renderList(list));
        return list.ok ? EXIT_OK : EXIT_PROBLEM;
      }),
    );
}

function showCommand(): Command {
  return addWriteOut(
    new Command('show').description("one snapshot file: a .snap's metadata, CRC and the v2 store it carries, or a bbolt backend's SHA-256 trailer; exit 0 intact, 1 not, 2 usage"),
    { formats: ['simple', 'json'], default: 'simple', aliases: { text: 'simple' } },
  )
    .argument('<file>', 'a .snap, .snap.broken, .snap.db or db file, or a backend saved by etcdctl snapshot save')
    .addOption(choiceOption('--as <kind>', 'read FILE as this kind whatever its name: snap or backend', KINDS))
    .addHelpText(
      'after',
      `
A .snap holds a raftpb.Snapshot: the metadata (term, index, ConfState) and
etcd's v2 store as JSON, summarised here: the members (/0/members), the cluster
version (/0/version), key counts by prefix, and the total number of nodes.

Any other file is read as a bbolt backend (member/snap/db, or a .snap.db sent
by a leader), which etcd does not checksum. A file written by
"etcdctl snapshot save" ends with a SHA-256 of everything before it (its size
modulo 512 is 32); it is computed and compared, as "etcdctl snapshot restore"
does.

Examples:
  walt snap show /var/lib/etcd/member/snap/0000000000000004-000000000000012f.snap
  walt snap show -w json /var/lib/etcd/member/snap/0000000000000004-000000000000012f.snap | jq .store.members
  walt snap show backup.db
  walt snap show --as snap /tmp/copied-snapshot`,
    )
    .action((file: string, opts: { writeOut: 'simple' | 'json'; as?: (typeof KINDS)[number] }) =>
      runAction(async () => {
        const { showSnapFile } = await import('../report/snap-show.js');
        const shown = showSnapFile(file, opts.as);
        process.stdout.write(opts.writeOut === 'json' ? toJSON(shown, 2) + '\n' : renderShow(shown));
        return shown.ok ? EXIT_OK : EXIT_PROBLEM;
      }),
    );
}

function statusCommand(): Command {
  return addWriteOut(
    new Command('status').description("a backend's hash, revision, total keys and total size, as etcdutl snapshot status prints them; exit 0, 1 bbolt's check fails, 2 usage"),
    { formats: ['simple', 'table', 'json', 'fields'], default: 'simple' },
  )
    .argument('<file>', 'a bbolt backend: member/snap/db, a .snap.db, or a file etcdctl snapshot save wrote')
    .addHelpText(
      'after',
      `
The output is etcd 3.5's etcdutl snapshot status, byte for byte, in each of
its formats: the hash is a CRC-32C over every bucket's name, keys and values
(the same file hashes the same whatever its free pages hold), the revision is
the newest in the key bucket, the total size is what bbolt has allocated. A
file bbolt's own check refuses is refused (exit 1), as etcdutl refuses it.

Examples:
  walt snap status /var/lib/etcd/member/snap/db
  walt snap status -w table backup.db
  walt snap status -w json backup.db | jq .revision`,
    )
    .action((file: string, opts: { writeOut: 'simple' | 'table' | 'json' | 'fields' }) =>
      runAction(async () => {
        const { dbStatus, statusFields, statusJson, statusRow, statusTable } = await import('../report/snap-status.js');
        const s = dbStatus(file);
        const print = { simple: (x: DbStatus) => statusRow(x).join(', ') + '\n', table: statusTable, json: statusJson, fields: statusFields }[opts.writeOut];
        process.stdout.write(print(s));
        return EXIT_OK;
      }),
    );
}

const heading = (s: string) => chalk.bold(s);
const table = (head: string[]) => newTable({ head: head.map(heading), style: { head: [], border: [] } });

const statusText = (s: string) => (s === 'ok' ? chalk.green(s) : chalk.red(s));

/** "voters a" with the further IDs on lines below, aligned: a cell stays narrow. */
function idLines(label: string, ids: string[]): string[] {
  return ids.length ? ids.map((id, i) => `${i ? ' '.repeat(label.length) : label} ${id}`) : [`${label} -`];
}

function confLines(cs: ConfStateView): string[] {
  const lines = [...idLines('voters', cs.voters)];
  if (cs.learners.length) lines.push(...idLines('learners', cs.learners));
  // A joint configuration has outgoing voters (raft/tracker: Voters[1] is non-empty only while joint).
  if (cs.votersOutgoing.length > 0) lines.push(...idLines('voters_outgoing', cs.votersOutgoing), ...idLines('learners_next', cs.learnersNext));
  if (cs.autoLeave) lines.push('auto_leave');
  return lines;
}

function describeKind(f: SnapListFile): string {
  if (f.kind === 'db') return 'bbolt backend (the v3 key space)';
  if (f.kind === 'snap.db') return 'bbolt backend received from the leader';
  return f.confState ? confLines(f.confState).join('\n') : '';
}

function renderList(l: SnapList): string {
  const t = table(['file', 'term', 'index', 'bytes', 'crc', 'conf state', 'loaded by']);
  for (const f of l.files) {
    const loadedBy = [l.loads.etcd3423 === f.name ? 'etcd 3.4.23' : '', l.loads.newestValid === f.name ? 'older etcd' : ''].filter(Boolean);
    t.push([f.name, f.term ?? '', f.index ?? '', f.size, f.crc ? statusText(f.crc.status) : chalk.dim('-'), describeKind(f), loadedBy.join('\n')]);
  }
  const lines = [heading(l.snapDir), t.toString()];
  for (const f of l.files) {
    if (f.crc?.reason) lines.push(`${chalk.red(f.crc.status)} ${f.name}: ${f.crc.reason}`);
    if (f.nameMismatch) lines.push(`${chalk.yellow('warning')} ${f.name}: ${f.nameMismatch}`);
  }
  for (const p of l.backendProblems) lines.push(`${p.severity === 'error' ? chalk.red('error') : chalk.yellow('warning')} ${p.code}: ${p.file}${p.offset !== undefined ? ` at byte ${p.offset}` : ''}: ${p.message}`);
  lines.push(`etcd 3.4.23 loads ${l.loads.etcd3423 ?? 'no snapshot (it reads the WAL from its start)'}: the newest that reads and has a WAL snapshot record at or below the commit`);
  lines.push(`older etcd loads ${l.loads.newestValid ?? 'no snapshot'}: the newest that reads`);
  return lines.join('\n') + '\n';
}

function renderShow(s: SnapShow): string {
  const lines = [`${heading(s.file)} (${s.size} bytes)`];
  if (s.backend) {
    const b = s.backend;
    const m = b.bbolt;
    lines.push('a bbolt backend: the v3 key space; etcd keeps no checksum of it.');
    if (m?.txid !== undefined) {
      const ci = m.consistentIndex === undefined ? 'no consistent index' : `consistent index ${m.consistentIndex}${m.term !== undefined ? `, term ${m.term}` : ''}`;
      lines.push(`${m.pages} pages of ${m.pageSize} bytes (${m.freePages} free), meta page ${m.metaPage} at txid ${m.txid}; ${ci}`);
      if (m.buckets) lines.push(`buckets: ${m.buckets.join(' ')}`);
    }
    for (const p of b.problems ?? []) lines.push(`${p.severity === 'error' ? chalk.red('error') : chalk.yellow('warning')} ${p.code}: ${p.offset !== undefined ? `at byte ${p.offset}: ` : ''}${p.message}`);
    if (b.trailer === 'none') lines.push(`no SHA-256 trailer (the size modulo 512 is ${b.size % 512}, not 32): etcdctl snapshot restore refuses it without --skip-hash-check`);
    else lines.push(`SHA-256 trailer (last 32 bytes): ${b.trailer === 'match' ? chalk.green('matches') : chalk.red('does not match')} the ${b.size - 32} bytes before it`, `  stored   ${b.stored}`, `  computed ${b.computed}`);
    if (b.note) lines.push(chalk.yellow(`warning: ${b.note}`));
    return lines.join('\n') + '\n';
  }
  const c = s.crc!;
  const crcs = c.stored === undefined ? '' : ` (stored ${c.stored}, computed ${c.computed})`;
  lines.push(`CRC-32C: ${statusText(c.status)}${crcs}${c.reason ? `: ${c.reason}` : ''}`);
  if (s.term !== undefined) lines.push(`term ${s.term}, index ${s.index}`, ...confLines(s.confState!).map((l) => `  ${l}`));
  if (s.store && 'error' in s.store) lines.push(chalk.red(`v2 store: ${s.store.error}`));
  else if (s.store) lines.push(...storeLines(s.store));
  return lines.join('\n') + '\n';
}

function storeLines(v: V2StoreSummary): string[] {
  const lines = [`${heading('v2 store')}: ${v.bytes} bytes of JSON, ${v.nodes} nodes (${v.keys} keys, ${v.dirs} dirs${v.expiring ? `, ${v.expiring} with a TTL` : ''}), store index ${v.currentIndex ?? '?'}, cluster version ${v.clusterVersion ?? 'not set'}`];
  const m = table(['member', 'name', 'peer URLs', 'client URLs', 'learner']);
  for (const x of v.members) m.push([x.id, x.name ?? chalk.dim('(not started)'), x.peerURLs.join('\n'), x.clientURLs.join('\n'), x.isLearner ? 'yes' : '']);
  lines.push(m.toString());
  if (v.removedMembers.length) lines.push(`removed members: ${v.removedMembers.join(' ')}`);
  const p = table(['prefix', 'keys', 'dirs']);
  for (const x of v.prefixes) p.push([`${x.prefix}${x.prefix === '/0' ? ' (membership)' : x.prefix === '/1' ? ' (v2 keys)' : ''}`, x.keys, x.dirs]);
  for (const x of v.v2Prefixes) p.push([`  ${x.prefix}`, x.keys, x.dirs]);
  lines.push(p.toString(), ...v.problems.map((x) => chalk.yellow(`warning: ${x}`)));
  return lines;
}
