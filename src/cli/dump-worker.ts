/**
 * Worker thread body for dump-threads.ts: checks the CRCs the scan hands it
 * (crc-ring.ts), then renders the parts of the dump that the main thread has
 * not taken, and writes each on its turn.
 */
import { parentPort } from 'node:worker_threads';
import chalk from 'chalk';
import { parseEntryTypes } from '../report/entry-filter.js';
import { fdSink } from './line-writer.js';
import { printerFor } from './dump-printers.js';
import { PartPrinter, PartTurns } from './dump-parts.js';
import type { PartsWork } from './dump-threads.js';
import { checkRing } from '../codec/crc-ring.js';
import type { CrcJob } from '../codec/crc-check.js';

// Started ahead of its work (startPartsWorker): it may check the scan's CRCs first, and then the parts come.
parentPort!.on('message', (msg: PartsWork | { crcJob: CrcJob }) => ('crcJob' in msg ? checkRing(msg.crcJob.ring) : run(msg)));

function run(work: PartsWork): void {
  chalk.level = work.chalkLevel as typeof chalk.level;
  const turns = new PartTurns(work.turns);
  const { entryTypes, ...sel } = work.sel;
  const closed = (): never => {
    turns.close();
    return process.exit(0);
  };
  const printer = new PartPrinter(turns, fdSink(work.fd, closed), (o) => printerFor(work.format, o, work.listing), work.source, { ...sel, entryType: entryTypes === undefined ? undefined : parseEntryTypes(entryTypes) }, work.ranges);
  for (let part = turns.take(); part < work.ranges.length; part = turns.take()) {
    const printed = printer.render(part);
    if (!turns.waitSync(part)) return;
    printer.finish(printed);
  }
}
