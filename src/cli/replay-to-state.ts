/** `walt replay-to-state DATA_DIR`: options → replayDataDir → the key space as etcdctl prints it, a table, a diff or a key's history. */
import { Command, InvalidArgumentError } from 'commander';
import { runAction } from './errors.js';
import { addApplyRuleOptions, addWriteOut, choiceOption, parseIndex, parsePositive, secretPrefixOption, showSecretsOption } from './options.js';
import type { ReplayCliOptions } from './replay-to-state-run.js';

const SOURCES = ['auto', 'wal', 'db'] as const;
const SECTIONS = ['leases', 'members', 'auth', 'rules'];

function parseRange(v: string): [bigint, bigint] {
  const m = /^(\d+)\.\.(\d+)$/.exec(v);
  if (!m || BigInt(m[1]) > BigInt(m[2])) throw new InvalidArgumentError(`expected A..B with A ≤ B (entry indexes), got "${v}"`);
  return [BigInt(m[1]), BigInt(m[2])];
}

function parseSections(v: string): Set<string> {
  const names = v.split(',').filter(Boolean);
  const bad = names.filter((n) => !SECTIONS.includes(n));
  if (bad.length) throw new InvalidArgumentError(`unknown section ${bad.join(', ')}; valid: ${SECTIONS.join(', ')}`);
  return new Set(names);
}

export function replayToStateCommand(): Command {
  const cmd = addWriteOut(
    new Command('replay-to-state')
      .description("rebuild the state a data dir holds, at its commit index or any earlier point, by running its log through a Raft node into etcd's state machines")
      .argument('<data-dir>', 'an etcd data dir (with member/wal and member/snap)'),
    { formats: ['json', 'table'], default: 'json' },
  )
    .addOption(choiceOption('--from <source>', 'wal: the whole log from index 1; db: the backend file (member/snap/db) plus the WAL after it, as etcd restarts; auto: wal when it reaches index 1', SOURCES).default('auto'))
    .option('--at-index <n>', 'stop after applying entry N', parseIndex)
    .option('--at-revision <r>', 'print the key space as it was at MVCC revision R', parseIndex)
    .option('--prefix <prefix>', 'only keys under PREFIX')
    .option('--keys-only', 'print keys without values')
    .option('--diff <A..B>', 'keys added, changed and removed between entry A and entry B', parseRange)
    .option('--history <key>', "every version of KEY still kept, with the index and term of the entry that wrote it")
    .option('--include <sections>', `add sections to the JSON: ${SECTIONS.join(',')}`, parseSections, new Set<string>());
  return addApplyRuleOptions(cmd)
    .option('--max-learners <n>', "etcd 3.6's --max-learners (default 1; before 3.6 always 1)", parsePositive)
    .option('--no-progress', 'no progress line on stderr')
    .addOption(showSecretsOption())
    .addOption(secretPrefixOption())
    .addHelpText(
      'after',
      `
The replay is what etcd does at start: entries are read from the WAL with
etcd's rules, delivered to an in-process Raft node, and applied in the order it
commits them, conf changes included, to the v3 key space (MVCC revisions,
versions, leases, txns, compactions), auth, membership and the v2 store.
Requests etcd refused when it applied them (a write denied by auth, say) are
refused again. Where etcd releases apply entries differently (auth checks,
compaction, membership requests; see the README's table of version rules),
the rules of the release given by --etcd-version hold, else those of the
cluster version the log records (its newest patch release); the release and
the rules applied are printed on stderr (and with --include rules in JSON).
-w json (the default) prints the key space as \`etcdctl get "" --prefix -w json\`
prints it; -w table is for people; --diff and --history print walt's JSON.
Secrets are withheld unless --show-secrets: the values of
Kubernetes Secrets (a null "value" beside "redacted": true in JSON,
"<value removed>" in the table) and users' passwords.

Examples:
  walt replay-to-state /var/lib/etcd > keys.json
  walt replay-to-state --at-index 1200 --prefix /config/ -w table /var/lib/etcd
  walt replay-to-state --diff 1200..1300 /var/lib/etcd
  walt replay-to-state --history /config/feature-x /var/lib/etcd
  walt replay-to-state --from db --include leases,members /var/lib/etcd`,
    )
    // The replay and its printers load once the flags are good: `--help` needs none of them.
    .action((dir: string, opts: ReplayCliOptions) => runAction(async () => (await import('./replay-to-state-run.js')).run(dir, opts)));
}

