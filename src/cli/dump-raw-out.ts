/** `walt dump --raw`: every record in file order, as a table or NDJSON, with CRC errors marked. */
import chalk from 'chalk';
import { hex32 } from '../codec/record-reader.js';
import { rawRecords, type RawRow } from '../report/raw-records.js';
import { toJSON } from '../util/json.js';
import type { LineWriter } from './line-writer.js';

const plural = (n: number, what: string) => `${n} ${what}${n === 1 ? '' : 's'}`;

/** Prints the records; returns how many failed their CRC, and whether reading stopped before the end. */
export function writeRaw(walDir: string, out: LineWriter, json: boolean): { bad: number; stopped: boolean; torn: boolean } {
  const rows = rawRecords(walDir);
  let bad = 0;
  let shownHidden = false;
  if (!json) out.line(chalk.dim(`${'segment'.padEnd(38)} ${'offset'.padStart(10)} ${'length'.padStart(8)} pad ${'type'.padEnd(8)} ${'stored crc'.padEnd(10)} ${'computed'.padEnd(10)} detail`));
  for (let r = rows.next(); ; r = rows.next()) {
    if (r.done) {
      const end = r.value;
      const run = end.hidden?.records;
      const hidden = end.hidden && { file: end.hidden.file, endOffset: end.hidden.endOffset, firstNonZero: end.hidden.firstNonZero, records: run?.count ?? 0 };
      // The status is what the exit code says (cli/errors.ts): records hidden behind the end are corruption.
      const status = end.kind === 'eof' && run ? 'error' : end.kind;
      const endRow = { record: 'end', status, ...(end.kind === 'torn' ? { segment: end.segment.name, offset: end.offset, reason: end.reason } : {}), ...(end.kind === 'error' ? { error: end.error.describe() } : {}), ...(hidden ? { hidden } : {}) };
      if (json) out.line(toJSON(endRow));
      else if (end.kind !== 'eof') out.line(chalk.yellow(`reading stopped: ${end.kind === 'torn' ? `torn tail in ${end.segment.name} at byte ${end.offset}: ${end.reason}` : end.error.describe()}`));
      else if (hidden) out.line(chalk.yellow(`etcd's log ends at byte ${hidden.endOffset} of ${hidden.file}; non-zero bytes follow from byte ${hidden.firstNonZero}${run ? `, with ${plural(run.count, 'record')} that pass their CRCs (marked hidden above${run.framedFrom > run.offset ? `; the one at byte ${run.offset} has its length field zeroed, so it is not listed` : ''})` : ''}`));
      return { bad, stopped: end.kind === 'error' || run !== undefined, torn: end.kind === 'torn' };
    }
    const row: RawRow = r.value;
    if (row.hidden && !shownHidden) {
      shownHidden = true;
      if (!json) out.line(chalk.yellow(`-- behind etcd's end of the log (a zero length field): etcd reads none of these --`));
    }
    if (!row.crcOk) bad++;
    if (json) {
      out.line(toJSON({ record: 'raw', ...row, expectedCrc: hex32(row.expectedCrc), computedCrc: hex32(row.computedCrc) }));
      continue;
    }
    const detail = Object.entries(row.detail)
      .map(([k, v]) => `${k}=${Array.isArray(v) ? `[${v.join(',')}]` : String(v)}`)
      .join(' ');
    const crc = `${hex32(row.expectedCrc)} ${hex32(row.computedCrc)}`;
    const line = `${row.segment.padEnd(38)} ${String(row.offset).padStart(10)} ${String(row.length).padStart(8)} ${String(row.pad).padStart(3)} ${row.type.padEnd(8)} ${crc} ${detail}`;
    out.line(row.crcOk ? line : chalk.red(`${line}  <-- CRC MISMATCH`));
  }
}
