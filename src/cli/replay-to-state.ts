/** `walt replay-to-state DATA_DIR`: options → replayDataDir → the key space as etcdctl prints it, a table, a diff or a key's history. */
import { Command, InvalidArgumentError } from 'commander';
import { newTable } from './table.js';
import { resolveDataDir } from '../codec/data-dir.js';
import { prefixRangeEnd } from '../codec/request-keys.js';
import { idHex } from '../codec/proto/metadata.js';
import { goQuote } from '../report/render.js';
import { hidesValue, REDACTED, secretPolicy, type SecretPolicy } from '../report/secrets.js';
import type { EtcdState, KeyValue } from '../state/index.js';
import type { ReplaySource } from '../replay/replay.js';
import { EXIT_OK, UsageError, runAction } from './errors.js';
import { createTextWriter } from './line-writer.js';
import { addApplyRuleOptions, addWriteOut, choiceOption, parseIndex, parsePositive, secretPrefixOption, showSecretsOption, type SecretFlags } from './options.js';
import { base64, toJSON } from '../util/json.js';
import { VERSION_RULES } from '../state/version-rules.js';

const SOURCES = ['auto', 'wal', 'db'] as const;
const SECTIONS = ['leases', 'members', 'auth', 'rules'];

interface ReplayCliOptions extends SecretFlags {
  from: ReplaySource;
  atIndex?: bigint;
  atRevision?: bigint;
  prefix?: string;
  keysOnly?: boolean;
  writeOut: 'json' | 'table';
  diff?: [bigint, bigint];
  history?: string;
  include: Set<string>;
  progress: boolean;
  etcdVersion?: string;
  maxLearners?: number;
  minLeaseTtl?: bigint;
}

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
    .action((dir: string, opts: ReplayCliOptions) => runAction(() => run(dir, opts)));
}

async function run(dir: string, opts: ReplayCliOptions): Promise<number> {
  if ([opts.diff, opts.history, opts.atRevision].filter((x) => x !== undefined).length > 1) throw new UsageError('--diff, --history and --at-revision cannot be used together');
  if (opts.writeOut === 'table' && (opts.diff || opts.history !== undefined)) throw new UsageError(`${opts.diff ? '--diff' : '--history'} prints JSON; -w table lists the key space at one point`);
  const paths = resolveDataDir(dir);
  const [{ replayDataDir }, { diffKeySpaces, RevisionLog, stateSections }, { writeRangeResponse }] = await Promise.all([
    import('../replay/replay.js'),
    import('../replay/views.js'),
    import('../state/index.js'),
  ]);
  const atIndex = opts.diff ? opts.diff[1] : opts.atIndex;
  const revisions = opts.history !== undefined ? new RevisionLog() : undefined;
  let before: KeyValue[] | undefined;
  const progress = opts.progress && process.stderr.isTTY ? progressLine() : undefined;
  const result = replayDataDir(paths, {
    from: opts.from,
    etcdVersion: opts.etcdVersion,
    maxLearners: opts.maxLearners,
    minLeaseTTL: opts.minLeaseTtl,
    atIndex,
    keepHistory: opts.history !== undefined || opts.atRevision !== undefined,
    onApplied: (state, entry, r) => {
      revisions?.note(r.revision, entry.index, entry.term);
      if (opts.diff && entry.index === opts.diff[0]) before = liveKeys(state, opts.prefix);
      progress?.(entry.index);
    },
  });
  progress?.(undefined);
  const { state } = result;
  process.stderr.write(rulesLine(state));
  const secrets = secretPolicy(opts);
  const withheld = (kv: KeyValue) => hidesValue(secrets, kv.key, kv.value);
  const kv = (x: KeyValue) => kvJson(x, !!opts.keysOnly, withheld(x));
  if (opts.diff) {
    if (!before) throw new UsageError(`entry ${opts.diff[0]} was not applied in this replay (it starts after index ${opts.diff[0]} or the log ends before it)`);
    const d = diffKeySpaces(before, liveKeys(state, opts.prefix));
    process.stdout.write(toJSON({ from: opts.diff[0], to: result.appliedIndex, added: d.added.map(kv), changed: d.changed.map((c) => ({ before: kv(c.before), after: kv(c.after) })), removed: d.removed.map(kv) }, 2) + '\n');
    return EXIT_OK;
  }
  if (opts.history !== undefined) {
    const h = revisions!.historyOf(state, Buffer.from(opts.history, 'utf8'));
    process.stdout.write(toJSON(h.map((e) => ({ ...e, kv: e.kv && kv(e.kv) })), 2) + '\n');
    return EXIT_OK;
  }
  if (opts.writeOut === 'table') {
    const kvs = liveKeys(state, opts.prefix, opts.atRevision);
    process.stdout.write(table(kvs, !!opts.keysOnly, secrets));
    process.stderr.write(`revision ${state.store.currentRev}, ${kvs.length} keys, applied index ${result.appliedIndex} of ${result.lastIndex} (commit ${result.commitIndex}), from ${result.source}\n`);
    return EXIT_OK;
  }
  const { kvs, count } = state.rangeLazy(...prefixRange(opts.prefix), opts.atRevision !== undefined ? { rev: opts.atRevision } : {});
  const shown = opts.keysOnly ? mapIter(kvs, (kv) => ({ ...kv, value: new Uint8Array(0) })) : kvs;
  // The sections are walt's own members after etcdctl's (toJSON's object without its braces).
  const extra = opts.include.size === 0 ? undefined : toJSON(stateSections(state, opts.include, secrets.show)).slice(1, -1);
  const out = createTextWriter(process.stdout);
  // As etcdctl get --rev prints it: the header carries the current revision whatever revision was read.
  writeRangeResponse(out.write, state.header(), shown, count, opts.keysOnly ? () => false : withheld, false, extra);
  out.end();
  return EXIT_OK;
}

function* mapIter<T, U>(items: Iterable<T>, f: (t: T) => U): Generator<U> {
  for (const t of items) yield f(t);
}

/** Which release's rules the replay applied, and where the release came from. */
function rulesLine(state: EtcdState): string {
  const r = state.rules;
  const origin = r.origin === 'flag' ? '--etcd-version' : r.origin === 'log' ? 'the cluster version in the log, its newest patch' : 'no cluster version in the log: assumed';
  const on = VERSION_RULES.filter((x) => r.has(x.id)).map((x) => x.id);
  return `etcd ${r.version} (${origin}); version rules applied: ${on.length ? on.join(', ') : 'none'}\n`;
}

/** The range of keys under `prefix`, every key without one. */
function prefixRange(prefix?: string): [Uint8Array, Uint8Array] {
  const start = Buffer.from(prefix ?? '', 'utf8');
  return [start, start.length ? prefixRangeEnd(start) : new Uint8Array([0])];
}

function liveKeys(state: EtcdState, prefix?: string, rev?: bigint): KeyValue[] {
  return state.range(...prefixRange(prefix), rev !== undefined ? { rev } : {}).kvs;
}

/** walt's own JSON of a key: a withheld value is null beside `redacted: true` (report/secrets.ts); the lease ID in hex. */
function kvJson(kv: KeyValue, keysOnly: boolean, withheld: boolean): Record<string, unknown> {
  return {
    key: base64(kv.key),
    create_revision: kv.createRevision,
    mod_revision: kv.modRevision,
    version: kv.version,
    ...(keysOnly ? {} : { value: withheld ? null : base64(kv.value) }),
    ...(kv.lease ? { lease: idHex(kv.lease) } : {}),
    ...(withheld && !keysOnly ? { redacted: true } : {}),
  };
}

function table(kvs: KeyValue[], keysOnly: boolean, secrets: SecretPolicy): string {
  const t = newTable({ head: ['key', ...(keysOnly ? [] : ['value']), 'create', 'mod', 'version', 'lease'], style: { head: [], border: [], compact: true } });
  for (const kv of kvs) {
    const v = hidesValue(secrets, kv.key, kv.value) ? REDACTED : kv.value.length > 48 ? `${goQuote(kv.value.subarray(0, 48))}…(${kv.value.length} bytes)` : goQuote(kv.value);
    t.push([goQuote(kv.key), ...(keysOnly ? [] : [v]), String(kv.createRevision), String(kv.modRevision), String(kv.version), kv.lease ? kv.lease.toString(16) : '']);
  }
  return t.toString() + '\n';
}

/** A progress line on stderr, at most ten times a second; undefined clears it. */
function progressLine(): (index: bigint | undefined) => void {
  let last = 0;
  return (index) => {
    if (index === undefined) {
      process.stderr.write('\r\x1b[K');
      return;
    }
    const now = Date.now();
    if (now - last < 100) return;
    last = now;
    process.stderr.write(`\r\x1b[Kreplaying: entry ${index}`);
  };
}
