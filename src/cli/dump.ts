/** `walt dump DATA_DIR`: options → planDump/dumpEntries → a table for people or NDJSON for scripts, or dumpLogs for etcd-dump-logs' output. */
import { Command, InvalidArgumentError } from 'commander';
import { EntryTypeError, parseEntryTypes, type EntryFilter } from '../report/entry-filter.js';
import { runAction, UsageError } from './errors.js';
import { CodecError } from '../codec/errors.js';
import { toJSON } from '../util/json.js';
import { addWriteOut, choiceOption, parseCount, parseIndex, secretPrefixOption, showSecretsOption } from './options.js';
import { createLineWriter } from './line-writer.js';
import type { DumpOptions } from './dump-run.js';

// The formats runDump takes (DumpOptions.writeOut, in dump-run.ts): one outside them fails to compile.
const OUTPUT = { formats: ['table', 'ndjson', 'etcd-dump-logs'] as const satisfies readonly DumpOptions['writeOut'][], default: 'table', aliases: { json: 'ndjson' } } as const;

const VALUE_MODES = ['k8s', 'k8s-full', 'utf8', 'hex', 'none'] as const;

/** An empty list is no filter, as etcd-dump-logs takes it. */
function parseEntryTypeOption(value: string): EntryFilter | undefined {
  if (value === '') return undefined;
  try {
    return parseEntryTypes(value);
  } catch (e) {
    if (e instanceof EntryTypeError) throw new InvalidArgumentError(e.message);
    throw e;
  }
}

export function dumpCommand(): Command {
  return addWriteOut(
    new Command('dump')
      .description("print a data dir's snapshot, WAL metadata, hard state and entries, decoded")
      .argument('<data-dir>', 'an etcd data dir (with member/wal), a member dir, a WAL dir, or one segment file (%016x-%016x.wal), read alone'),
    OUTPUT,
  )
    .option('--wal-dir <dir>', 'read WAL segments from this dir instead of DATA_DIR/member/wal')
    .option('--start-index <n>', 'print entries from index N on (inclusive; with -w etcd-dump-logs, after N as etcd-dump-logs takes it); default: after the snapshot etcd would load', parseIndex)
    .option('--entry-type <types>', "print only entries of these comma-separated kinds, etcd-dump-logs' names and walt's (see below)", parseEntryTypeOption)
    .option('--stream-decoder <cmd>', 'with -w etcd-dump-logs: pipe each entry\'s data as a hex line to CMD (split on spaces) and print its "status|data" reply')
    .option('--end-index <n>', 'print entries up to index N (inclusive)', parseIndex)
    .option('--term <n>', 'print only entries of term N', parseIndex)
    .option('--key <key>', 'print only requests touching KEY: puts, deletes and ranges of it or covering it, txns comparing or writing it')
    .option('--prefix <prefix>', 'print only requests touching a key under PREFIX')
    .option('--limit <n>', 'print at most N entries', parseCount)
    .option('--raw', 'print every record of every segment in file order (crc, metadata, state, snapshot, entry) with offset, length, padding and both CRCs; goes on past CRC errors')
    .option('--stats', 'count records and entries by type, request kind, key prefix, lease, term and segment, and list the largest entries')
    .option('--stats-depth <n>', 'with --stats: path segments of a key that make its prefix', parseCount, 2)
    .option('--top <n>', 'with --stats: how many of the largest entries to list', parseCount, 10)
    .addOption(choiceOption('--decode-values <mode>', 'how put values show (k8s: Kubernetes objects by kind, namespace and name, in a "k8s" field in NDJSON; k8s-full: also the whole object as JSON, under its row and in a "k8sObject" field)', VALUE_MODES).default('k8s'))
    .option('--follow', 'after the log, keep printing entries as a running etcd appends them (read-only; its lock is not taken); stop with Ctrl-C')
    .addOption(showSecretsOption())
    .addOption(secretPrefixOption())
    .addHelpText(
      'after',
      `
Entries are those etcd's wal.ReadAll returns: where a later entry has an index
already written, it replaces the earlier ones (an overwritten uncommitted tail).

-w ndjson (or json) prints one JSON object per line; each has "record": first
"snapshot", "metadata" and "hardState", then one "entry" per entry with
"index", "term", "type", "data" (base64 of the raw entry data) and the decoded
request, and last an "end" line saying whether the log ended cleanly.

-w etcd-dump-logs prints what etcd 3.4's tools/etcd-dump-logs prints
for the same data dir and flags, byte for byte with --show-secrets (run with
TZ=UTC for the same SYNC times); --start-index N is then exclusive, and
without it reading starts at the newest readable .snap, as that tool's does.

--entry-type takes etcd-dump-logs' names: ConfigChange, Normal, Request,
InternalRaftRequest, IRRRange, IRRPut, IRRDeleteRange, IRRTxn, IRRCompaction,
IRRLeaseGrant, IRRLeaseRevoke, IRRLeaseCheckpoint; and walt's: ConfigChangeV2,
IRRAuth (every auth operation) and IRR<Op> for every other InternalRaftRequest
operation (IRRAlarm, IRRAuthenticate, IRRAuthUserAdd, IRRV2, ...).

Exit status: 0 when the log reads to its end, 3 when it ends at a torn tail
(etcd reads up to it and repairs it at start; walt repair-tail does the same),
1 when reading stopped at corruption, the snapshot record etcd needs is
missing, or records that pass their CRCs hide behind the end of the log (or,
with -w etcd-dump-logs, where etcd-dump-logs stops short: no entries, a
decoder gone), 2 for usage errors. The NDJSON "end" line's "status" says the
same: "eof" 0, "torn" 3, "error" 1.

Filters compose: --start-index/--end-index (both inclusive), --term,
--entry-type, --key/--prefix, then --limit.

--raw lists records, not entries: every record of every segment in file order,
including the ones etcd's reader would skip or stop at, with each CRC error
marked, so you can see where a log went bad and what follows it.

Examples:
  walt dump /var/lib/etcd
  walt dump --start-index 1200 /var/lib/etcd
  walt dump --start-index 1200 --end-index 1300 --term 7 /var/lib/etcd
  walt dump --prefix /registry/pods/ --limit 20 /var/lib/etcd
  walt dump --key /config/feature-x -w ndjson /var/lib/etcd
  walt dump --raw /var/lib/etcd
  walt dump --stats --stats-depth 3 /var/lib/etcd
  walt dump --stats -w ndjson /var/lib/etcd | jq .byRequestKind
  walt dump --decode-values hex --prefix /bin/ /var/lib/etcd
  walt dump --decode-values k8s-full --prefix /registry/pods/ /var/lib/etcd
  walt dump --follow -w ndjson /var/lib/etcd
  walt dump -w ndjson /var/lib/etcd | jq -c 'select(.record=="entry") | .request'
  walt dump --entry-type IRRTxn,IRRAuth -w ndjson /var/lib/etcd
  walt dump -w etcd-dump-logs --start-index 1200 /var/lib/etcd
  walt dump -w etcd-dump-logs --stream-decoder './my-decoder --hex' /var/lib/etcd`,
    )
    .action((dir: string, opts: DumpOptions) =>
      runAction(async () => {
        checkCombinations(opts);
        const out = createLineWriter(process.stdout);
        const json = opts.writeOut === 'ndjson' && !opts.raw && !opts.stats;
        try {
          // The reading and printing modules load once the flags are good: `walt dump --help` needs none of them.
          return await (await import('./dump-run.js')).runDump(dir, opts, out);
        } catch (e) {
          // A script reading the NDJSON gets an end record whatever stopped the listing, as the exit status says.
          if (json && e instanceof CodecError) out.line(toJSON({ record: 'end', printed: 0, status: 'error', error: e.describe(), code: e.code }));
          throw e;
        } finally {
          out.end();
        }
      }),
    );
}

function checkCombinations(opts: DumpOptions): void {
  if (opts.streamDecoder !== undefined && opts.writeOut !== 'etcd-dump-logs') throw new UsageError('--stream-decoder needs -w etcd-dump-logs');
  const modes = [opts.raw && '--raw', opts.stats && '--stats', opts.follow && '--follow', opts.writeOut === 'etcd-dump-logs' && '-w etcd-dump-logs'].filter(Boolean);
  if (modes.length > 1) throw new UsageError(`${modes.join(' and ')} cannot be used together`);
  const filters = (['startIndex', 'endIndex', 'term', 'key', 'prefix', 'entryType', 'limit'] as const).filter((f) => opts[f] !== undefined).map((f) => `--${f.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`);
  if (opts.raw && filters.length) throw new UsageError(`--raw lists every record of every segment; ${filters.join(', ')} select${filters.length === 1 ? 's' : ''} entries: drop --raw, or the filter`);
  if (opts.startIndex !== undefined && opts.endIndex !== undefined && opts.startIndex > opts.endIndex) throw new UsageError(`--start-index ${opts.startIndex} is after --end-index ${opts.endIndex}: no entry lies between them`);
}

