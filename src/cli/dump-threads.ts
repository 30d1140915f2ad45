/**
 * A long dump printed on two threads (dump-parts.ts): rendering lines is
 * nearly all of a dump's time, and a worker (dump-worker.ts) renders the
 * parts this thread has not taken.
 */
import { statSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import type { Worker } from 'node:worker_threads';
import { startWorkerAhead } from '../util/worker-ahead.js';
import chalk from 'chalk';
import type { EntryRange } from '../codec/wal-entries.js';
import { listSegments } from '../codec/segment-name.js';
import { dumpRanges, entrySource, type DumpPlan, type EntrySource } from '../report/dump.js';
import type { EntrySelection } from '../report/entry-select.js';
import { fdSink, type LineWriter } from './line-writer.js';
import { printerFor, type ListingFormat, type ListingOptions } from './dump-printers.js';
import { newTurnState, PartPrinter, PartTurns } from './dump-parts.js';

/** The scan marks the log in parts of about this many bytes (ScanOptions.markEvery). */
export const PART_BYTES = 2 << 20;
/** Fewer parts are printed on one thread: starting a worker costs about 0.1 s. */
const MIN_PARTS = 4;

/** What the worker is given: the selection with its entry types as the list given (a filter's code does not cross threads). */
export interface PartsWork {
  source: EntrySource;
  sel: Omit<EntrySelection, 'entryType'> & { entryTypes?: string };
  ranges: EntryRange[];
  format: ListingFormat;
  listing: ListingOptions;
  chalkLevel: number;
  fd: number;
  turns: SharedArrayBuffer;
}

/** Whether a dump of `plan` is printed on two threads: a worker was started for it (startPartsWorker judged the selection and the machine), and the log has several parts. */
export const printsInParts = (plan: DumpPlan, worker: Worker | undefined): worker is Worker => worker !== undefined && plan.scan.marks.length + 1 >= MIN_PARTS;

/**
 * A worker started ahead of its work, for a dump of `walDir` that will likely
 * be printed in parts (several parts, no --limit, which counts across parts,
 * and more than one CPU): it loads its modules (about 0.1 s) while this thread
 * scans the log, and checks the scan's CRCs (ScanOptions.crcHelper). Undefined when it would not be used or cannot start; the
 * caller ends it (printInParts does).
 */
export function startPartsWorker(walDir: string, sel: EntrySelection): Worker | undefined {
  if (sel.limit !== undefined || availableParallelism() < 2) return undefined;
  const bytes = listSegments(walDir).reduce((n, s) => n + statSync(s.path).size, 0);
  return bytes < MIN_PARTS * PART_BYTES ? undefined : newPartsWorker();
}

/** A worker waiting for the parts of a dump (printInParts); undefined where none can start. */
export function newPartsWorker(): Worker | undefined {
  // Until it has work, its failures are nobody's: it takes no part, and this thread prints them all.
  return startWorkerAhead(new URL('./dump-worker.js', import.meta.url));
}

/**
 * Prints the selected entries of `plan` to `fd` on this thread and `worker`
 * (from startPartsWorker), after what `out` holds; returns how many were
 * printed. Should the worker not take part, this thread prints every part.
 */
export async function printInParts(plan: DumpPlan, sel: EntrySelection, out: LineWriter, fd: number, format: ListingFormat, listing: ListingOptions, worker: Worker): Promise<number> {
  out.end();
  const shared = newTurnState();
  const turns = new PartTurns(shared);
  const ranges = dumpRanges(plan);
  const source = entrySource(plan);
  const { entryType, ...rest } = sel;
  let failure: string | undefined;
  worker.on('error', (e) => (failure ??= `dump's second thread failed: ${e.message}`));
  worker.on('exit', (code) => (failure ??= `dump's second thread stopped (exit code ${code})`));
  // Referenced while it works: a pending Atomics.waitAsync alone does not keep the event loop alive.
  worker.ref();
  const work: PartsWork = { source, sel: { ...rest, entryTypes: entryType?.spec }, ranges, format, listing, chalkLevel: chalk.level, fd, turns: shared };
  worker.postMessage(work);
  const printer = new PartPrinter(turns, fdSink(fd), (o) => printerFor(format, o, listing), source, sel, ranges);
  const owed = () => failure;
  try {
    for (let part = turns.take(); part < ranges.length; part = turns.take()) {
      const printed = printer.render(part);
      if (!(await turns.wait(part, owed))) process.exit(0);
      printer.finish(printed);
    }
    if (!(await turns.wait(ranges.length, owed))) process.exit(0);
    return turns.printed;
  } finally {
    void worker.terminate();
  }
}
