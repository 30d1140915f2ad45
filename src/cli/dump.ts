/** `walt dump DATA_DIR`: options → planDump/dumpEntries → a table for people or NDJSON for scripts, or dumpLogs for etcd-dump-logs' output. */
import { writeSync } from 'node:fs';
import { Command, InvalidArgumentError } from 'commander';
import chalk from 'chalk';
import { resolveDataDir } from '../codec/data-dir.js';
import { entryTypeName } from '../codec/proto/raftpb.js';
import { idHex } from '../codec/proto/metadata.js';
import { dumpEntries, planDump, type DumpPlan } from '../report/dump.js';
import { entryJson, entrySummary, shortType } from '../report/entry-view.js';
import { REDACTED } from '../codec/render.js';
import { scanFailure } from '../codec/wal-scan.js';
import { EntryTypeError, parseEntryTypes, type EntryFilter } from '../report/entry-filter.js';
import { dumpLogs } from '../report/dump-logs-format.js';
import type { DataDirPaths } from '../codec/data-dir.js';
import { EXIT_OK, EXIT_PROBLEM, UsageError, runAction } from './errors.js';
import { oneOf, parseIndex } from './options.js';
import { base64, toJSON } from '../util/json.js';
import { createLineWriter, type LineWriter } from './line-writer.js';

const FORMATS = ['table', 'ndjson', 'etcd-dump-logs'] as const;

interface DumpOptions {
  walDir?: string;
  startIndex?: bigint;
  format: (typeof FORMATS)[number];
  showSecrets?: boolean;
  entryType?: EntryFilter;
  streamDecoder?: string;
}

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
  return new Command('dump')
    .description("print a data dir's snapshot, WAL metadata, hard state and entries, decoded")
    .argument('<data-dir>', 'an etcd data dir (with member/wal), a member dir, or a WAL dir')
    .option('--wal-dir <dir>', 'read WAL segments from this dir instead of DATA_DIR/member/wal')
    .option('--start-index <n>', 'print entries from index N on (inclusive; with --format etcd-dump-logs, after N as etcd-dump-logs takes it); default: after the snapshot etcd would load', parseIndex)
    .addOption(new Command().createOption('--format <format>', `output format: ${FORMATS.join(', ')}`).argParser(oneOf(FORMATS)).default('table'))
    .option('--entry-type <types>', "print only entries of these comma-separated kinds, etcd-dump-logs' names and walt's (see below)", parseEntryTypeOption)
    .option('--stream-decoder <cmd>', 'with --format etcd-dump-logs: pipe each entry\'s data as a hex line to CMD (split on spaces) and print its "status|data" reply')
    .option('--show-secrets', 'print passwords and auth tokens instead of "<value removed>"')
    .addHelpText(
      'after',
      `
Entries are those etcd's wal.ReadAll returns: where a later entry has an index
already written, it replaces the earlier ones (an overwritten uncommitted tail).

--format ndjson prints one JSON object per line; each has "record": first
"snapshot", "metadata" and "hardState", then one "entry" per entry with
"index", "term", "type", "data" (base64 of the raw entry data) and the decoded
request, and last an "end" line saying whether the log ended cleanly.

--format etcd-dump-logs prints what etcd 3.4's tools/etcd-dump-logs prints
for the same data dir and flags, byte for byte with --show-secrets (run with
TZ=UTC for the same SYNC times); --start-index N is then exclusive, and
without it reading starts at the newest readable .snap, as that tool's does.

--entry-type takes etcd-dump-logs' names: ConfigChange, Normal, Request,
InternalRaftRequest, IRRRange, IRRPut, IRRDeleteRange, IRRTxn, IRRCompaction,
IRRLeaseGrant, IRRLeaseRevoke, IRRLeaseCheckpoint; and walt's: ConfigChangeV2,
IRRAuth (every auth operation) and IRR<Op> for every other InternalRaftRequest
operation (IRRAlarm, IRRAuthenticate, IRRAuthUserAdd, IRRV2, ...).

Exit status: 0 when the log reads to its end (a torn tail is reported, as etcd
accepts it), 1 when reading stopped at corruption (or where etcd-dump-logs
stops short: no entries, a decoder gone), 2 for usage errors.

Examples:
  walt dump /var/lib/etcd
  walt dump --start-index 1200 /var/lib/etcd
  walt dump --format ndjson /var/lib/etcd | jq -c 'select(.record=="entry") | .request'
  walt dump --entry-type IRRTxn,IRRAuth --format ndjson /var/lib/etcd
  walt dump --format etcd-dump-logs --start-index 1200 /var/lib/etcd
  walt dump --format etcd-dump-logs --stream-decoder './my-decoder --hex' /var/lib/etcd`,
    )
    .action((dir: string, opts: DumpOptions) =>
      runAction(() => {
        const paths = resolveDataDir(dir, opts.walDir);
        if (opts.format === 'etcd-dump-logs') return runDumpLogs(paths, opts);
        if (opts.streamDecoder !== undefined) throw new UsageError('--stream-decoder needs --format etcd-dump-logs');
        const plan = planDump(paths, opts.startIndex);
        const out = createLineWriter(process.stdout);
        const count = opts.format === 'ndjson' ? writeNdjson(plan, out, opts) : writeTable(plan, out, opts);
        const failure = scanFailure(plan.scan) ?? snapshotMissing(plan);
        out.end();
        if (failure) process.stderr.write(`walt: reading stopped after ${count} entries: ${failure}\n`);
        return failure ? EXIT_PROBLEM : EXIT_OK;
      }),
    );
}

/** etcd-dump-logs ends without a newline, so the last text bypasses the line writer. */
async function runDumpLogs(paths: DataDirPaths, opts: DumpOptions): Promise<number> {
  const out = createLineWriter(process.stdout);
  const tail = (s: string) => {
    out.end();
    try {
      writeSync(process.stdout.fd, s);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EPIPE') throw e;
    }
  };
  try {
    const dumpOpts = { startIndex: opts.startIndex, entryTypes: opts.entryType?.spec, streamDecoder: opts.streamDecoder, showSecrets: !!opts.showSecrets };
    await dumpLogs(paths, dumpOpts, { line: out.line, tail, warn: (s) => process.stderr.write(s) });
  } finally {
    out.end();
  }
  return EXIT_OK;
}

function snapshotMissing(plan: DumpPlan): string | undefined {
  const s = plan.scan;
  if (!s.snapshotRequired || s.snapshotMatched) return undefined;
  return `${plan.paths.walDir}: no WAL snapshot record at index ${s.start.index} term ${s.start.term} (etcd's ErrSnapshotNotFound)`;
}

function endLine(plan: DumpPlan): Record<string, unknown> {
  const end = plan.scan.end;
  const failure = scanFailure(plan.scan);
  return {
    record: 'end',
    entries: plan.scan.entryCount,
    lastIndex: plan.scan.lastIndex,
    status: failure ? 'error' : end.kind,
    ...(failure ? { error: failure.describe(), code: failure.code } : {}),
    ...(end.kind === 'torn' ? { file: end.segment.path, offset: end.offset, reason: end.reason } : {}),
  };
}

function writeNdjson(plan: DumpPlan, out: LineWriter, opts: DumpOptions): number {
  const { scan, startPoint } = plan;
  const snap = startPoint.snap;
  const cs = snap?.snapshot.metadata.confState;
  out.line(
    toJSON({
      record: 'snapshot',
      file: snap?.file.name ?? null,
      index: startPoint.start.index,
      term: startPoint.start.term,
      ...(cs ? { confState: { voters: cs.voters.map(idHex), learners: cs.learners.map(idHex), votersOutgoing: cs.votersOutgoing.map(idHex), learnersNext: cs.learnersNext.map(idHex), autoLeave: cs.autoLeave } } : {}),
      ...(snap ? { dataBytes: snap.snapshot.data?.length ?? 0 } : {}),
    }),
  );
  out.line(toJSON({ record: 'metadata', nodeID: scan.metadata ? idHex(scan.metadata.nodeId) : null, clusterID: scan.metadata ? idHex(scan.metadata.clusterId) : null }));
  const hs = scan.hardState;
  out.line(toJSON({ record: 'hardState', term: hs?.term ?? 0n, vote: hs ? idHex(hs.vote) : '0', commit: hs?.commit ?? 0n }));
  let n = 0;
  for (const { entry, record } of dumpEntries(plan)) {
    if (opts.entryType && !opts.entryType.accepts(entry)) continue;
    const view = entryJson(entry, { showSecrets: !!opts.showSecrets });
    out.line(
      toJSON({
        record: 'entry',
        index: entry.index,
        term: entry.term,
        type: entryTypeName(entry.type),
        data: view.secret ? REDACTED : entry.data ? base64(entry.data) : '',
        ...view.fields,
        segment: record.segment.name,
        offset: record.offset,
      }),
      true,
    );
    n++;
  }
  out.line(toJSON(endLine(plan)));
  return n;
}

function writeTable(plan: DumpPlan, out: LineWriter, opts: DumpOptions): number {
  const { scan, startPoint } = plan;
  const snap = startPoint.snap;
  if (snap) {
    const cs = snap.snapshot.metadata.confState;
    out.line(`${chalk.bold('Snapshot')}: ${snap.file.name} term=${startPoint.start.term} index=${startPoint.start.index} voters=[${cs.voters.map(idHex).join(',')}]${cs.learners.length ? ` learners=[${cs.learners.map(idHex).join(',')}]` : ''}`);
  } else {
    out.line(`${chalk.bold('Snapshot')}: none; entries from index ${plan.fromIndex}`);
  }
  if (scan.metadata) out.line(`${chalk.bold('WAL metadata')}: nodeID=${idHex(scan.metadata.nodeId)} clusterID=${idHex(scan.metadata.clusterId)}`);
  const hs = scan.hardState;
  out.line(`${chalk.bold('WAL hard state')}: ${hs ? `term=${hs.term} vote=${idHex(hs.vote)} commit=${hs.commit}` : 'none'}`);
  out.line(`${chalk.bold('WAL entries')}: ${scan.entryCount}${scan.entryCount ? `, last index ${scan.lastIndex}` : ''}`);
  out.line(chalk.dim(`${'term'.padStart(8)} ${'index'.padStart(10)}  ${'type'.padEnd(6)} data`));
  let n = 0;
  for (const { entry } of dumpEntries(plan)) {
    if (opts.entryType && !opts.entryType.accepts(entry)) continue;
    const summary = entrySummary(entry, { showSecrets: !!opts.showSecrets });
    out.line(`${String(entry.term).padStart(8)} ${String(entry.index).padStart(10)}  ${shortType(entry).padEnd(6)} ${summary}`);
    n++;
  }
  const end = scan.end;
  if (end.kind === 'torn') out.line(chalk.yellow(`torn tail: ${end.segment.path} at byte ${end.offset}: ${end.reason}`));
  return n;
}
