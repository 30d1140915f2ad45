/** The entry listings of `walt dump`: a table for people and NDJSON for scripts. */
import chalk from 'chalk';
import { idHex } from '../codec/proto/metadata.js';
import { dumpOutcome, type DumpPlan } from '../report/dump.js';
import { selectEntries, type EntrySelection } from '../report/entry-select.js';
import { toJSON } from '../util/json.js';
import { SCHEMA } from '../report/schema-version.js';
import type { LineWriter } from './line-writer.js';
import { printerFor, type ListingFormat, type ListingOptions } from './dump-printers.js';

/** The selected entries, printed; returns how many. */
function printEntries(plan: DumpPlan, sel: EntrySelection, out: LineWriter, format: ListingFormat, opts: ListingOptions): number {
  const printer = printerFor(format, out, opts);
  let n = 0;
  for (const { entry, record } of selectEntries(plan, sel)) {
    printer.entry(entry, record);
    n++;
  }
  return n;
}

function endLine(plan: DumpPlan, printed: number): Record<string, unknown> {
  const end = plan.scan.end;
  // The same outcome the exit code comes from (cli/dump.ts): the two always agree.
  const outcome = dumpOutcome(plan);
  return {
    record: 'end',
    printed,
    lastIndex: plan.scan.lastIndex,
    status: outcome.status,
    ...(outcome.error ? { error: outcome.error.message, code: outcome.error.code } : {}),
    ...(end.kind === 'torn' ? { file: end.segment.path, offset: end.offset, reason: end.reason } : {}),
  };
}

/** Header lines, the selected entries, and the end line; returns how many entries printed. */
export function writeNdjson(plan: DumpPlan, sel: EntrySelection, out: LineWriter, opts: ListingOptions, end = true): number {
  const { scan, startPoint } = plan;
  const snap = startPoint.snap;
  const cs = snap?.snapshot.metadata.confState;
  out.line(
    toJSON({
      record: 'snapshot',
      schema: SCHEMA.dump,
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
  const n = printEntries(plan, sel, out, 'ndjson', opts);
  if (end) out.line(toJSON(endLine(plan, n)));
  return n;
}

export function writeTable(plan: DumpPlan, sel: EntrySelection, out: LineWriter, opts: ListingOptions): number {
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
  const n = printEntries(plan, sel, out, 'table', opts);
  out.line(chalk.dim(`printed ${n} of ${scan.entryCount} entries`));
  const end = scan.end;
  if (end.kind === 'torn') out.line(chalk.yellow(`torn tail: ${end.segment.path} at byte ${end.offset}: ${end.reason}`));
  return n;
}
