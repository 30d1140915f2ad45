/** `walt dump`'s work once its flags are read: the listing, --raw, --stats, -w etcd-dump-logs and --follow. */
import { writeSync } from 'node:fs';
import type { ValueMode } from '../report/render.js';
import type { EntryFilter } from '../report/entry-filter.js';
import type { SecretFlags } from './options.js';
import { resolveDataDir, type DataDirPaths } from '../codec/data-dir.js';
import { dumpOutcome, planDump, type DumpPlan } from '../report/dump.js';
import { nextStep } from '../report/next-step.js';
import type { EntrySelection } from '../report/entry-select.js';
import { collectStats } from '../report/stats.js';
import { followEntries } from '../report/follow.js';
import { dumpLogs } from '../report/dump-logs-format.js';
import { secretPolicy } from '../report/secrets.js';
import { loadK8sObjectDecoder } from '../report/k8s-object-view.js';
import { writeNdjson, writeTable } from './dump-out.js';
import { printerFor, type ListingOptions } from './dump-printers.js';
import { writeRaw } from './dump-raw-out.js';
import { writeStats } from './dump-stats-out.js';
import { EXIT_OK, EXIT_PROBLEM, EXIT_TORN, UsageError } from './errors.js';
import { createLineWriter, type LineWriter } from './line-writer.js';

export interface DumpOptions extends SecretFlags {
  walDir?: string;
  startIndex?: bigint;
  endIndex?: bigint;
  term?: bigint;
  key?: string;
  prefix?: string;
  limit?: number;
  writeOut: 'table' | 'ndjson' | 'etcd-dump-logs';
  entryType?: EntryFilter;
  streamDecoder?: string;
  raw?: boolean;
  stats?: boolean;
  statsDepth: number;
  top: number;
  decodeValues: ValueMode;
  follow?: boolean;
}

export async function runDump(dir: string, opts: DumpOptions, out: LineWriter): Promise<number> {
  const paths = resolveDataDir(dir, opts.walDir, { segmentFile: true });
  if (paths.segmentFile && opts.follow) throw new UsageError(`--follow watches a WAL dir for new segments; give the data dir, not ${dir}`);
  if (opts.writeOut === 'etcd-dump-logs') return runDumpLogs(paths, opts);
  const json = opts.writeOut === 'ndjson';
  if (opts.raw) {
    const { bad, stopped, torn } = writeRaw(paths.walDir, out, json);
    return bad > 0 || stopped ? EXIT_PROBLEM : torn ? EXIT_TORN : EXIT_OK;
  }
  const sel: EntrySelection = { endIndex: opts.endIndex, term: opts.term, entryType: opts.entryType, limit: opts.limit, key: bytesOpt(opts.key), prefix: bytesOpt(opts.prefix) };
  return listEntries(paths, sel, opts, out, json);
}

/** The listing: header, entries and end, or the stats; then --follow. */
async function listEntries(paths: DataDirPaths, sel: EntrySelection, opts: DumpOptions, out: LineWriter, json: boolean): Promise<number> {
  const plan = planDump(paths, opts.startIndex);
  const listing: ListingOptions = { secrets: secretPolicy(opts), values: opts.decodeValues };
  if (opts.decodeValues === 'k8s-full') listing.k8sObjects = await loadK8sObjectDecoder();
  let count: number;
  if (opts.stats) {
    const stats = collectStats(plan, sel, { depth: opts.statsDepth, top: opts.top });
    writeStats(stats, out, json);
    count = stats.entries;
  } else {
    count = json ? writeNdjson(plan, sel, out, listing, !opts.follow) : writeTable(plan, sel, out, listing);
  }
  // A log etcd refuses to start on still prints as far as it reads; then the refusal ends it.
  const outcome = dumpOutcome(plan);
  out.end();
  if (outcome.error) process.stderr.write(`walt: reading stopped after ${count} entries: ${outcome.error.message}\n`);
  const end = plan.scan.end;
  if (end.kind === 'torn' && !outcome.error) process.stderr.write(`walt: ${end.segment.path} at byte ${end.offset}: the log ends at a torn write (${end.reason}); ${nextStep('TORN_TAIL')}\n`);
  if (opts.follow && !outcome.error) return follow(plan, out, json, listing);
  return outcome.status === 'error' ? EXIT_PROBLEM : outcome.status === 'torn' ? EXIT_TORN : EXIT_OK;
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
    const dumpOpts = { startIndex: opts.startIndex, entryTypes: opts.entryType?.spec, streamDecoder: opts.streamDecoder, secrets: secretPolicy(opts) };
    await dumpLogs(paths, dumpOpts, { line: out.line, tail, warn: (s) => process.stderr.write(s) });
  } finally {
    out.end();
  }
  return EXIT_OK;
}

const bytesOpt = (s: string | undefined) => (s === undefined ? undefined : Buffer.from(s, 'utf8'));

/** Prints entries as etcd appends them until interrupted. */
async function follow(plan: DumpPlan, out: LineWriter, json: boolean, listing: ListingOptions): Promise<number> {
  const printer = printerFor(json ? 'ndjson' : 'table', out, listing);
  const stop = new AbortController();
  process.once('SIGINT', () => stop.abort());
  process.once('SIGTERM', () => stop.abort());
  process.stderr.write(`walt: following ${plan.paths.walDir}: waiting for etcd to append entries (Ctrl-C stops)\n`);
  await followEntries(
    plan,
    (entry, record, overwrites) => {
      printer.entry(entry, record, overwrites ? { overwrites: true } : undefined);
      out.end();
    },
    { signal: stop.signal },
  );
  return EXIT_OK;
}
