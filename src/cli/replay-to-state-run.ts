/** `walt replay-to-state`'s work once its flags are read: the replay, then the key space, a table, a diff or a key's history. */
import type { ReplaySource } from '../replay/replay.js';
import type { SecretFlags } from './options.js';
import { newTable } from './table.js';
import { resolveDataDir } from '../codec/data-dir.js';
import { prefixRangeEnd } from '../codec/request-keys.js';
import { idHex } from '../codec/proto/metadata.js';
import { goQuote } from '../report/render.js';
import { hidesValue, REDACTED, secretPolicy, type SecretPolicy } from '../report/secrets.js';
import type { EtcdState, KeyValue } from '../state/index.js';
import { EXIT_OK, UsageError } from './errors.js';
import { createTextWriter } from './line-writer.js';
import { base64, toJSON } from '../util/json.js';
import { VERSION_RULES } from '../state/version-rules.js';

export interface ReplayCliOptions extends SecretFlags {
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

export async function run(dir: string, opts: ReplayCliOptions): Promise<number> {
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
