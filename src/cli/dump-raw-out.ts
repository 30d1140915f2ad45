/** `walt dump --raw`: every record in file order, as a table or NDJSON, with CRC errors marked. */
import chalk from 'chalk';
import { hex32 } from '../codec/record-reader.js';
import { rawRecords, type RawRow } from '../report/raw-records.js';
import { toJSON } from '../util/json.js';
import type { LineWriter } from './line-writer.js';

/** Prints the records; returns how many failed their CRC, and whether reading stopped before the end. */
export function writeRaw(walDir: string, out: LineWriter, json: boolean): { bad: number; stopped: boolean } {
  const rows = rawRecords(walDir);
  let bad = 0;
  if (!json) out.line(chalk.dim(`${'segment'.padEnd(38)} ${'offset'.padStart(10)} ${'length'.padStart(8)} pad ${'type'.padEnd(8)} ${'stored crc'.padEnd(10)} ${'computed'.padEnd(10)} detail`));
  for (let r = rows.next(); ; r = rows.next()) {
    if (r.done) {
      const end = r.value;
      const endRow = { record: 'end', status: end.kind, ...(end.kind === 'torn' ? { segment: end.segment.name, offset: end.offset, reason: end.reason } : {}), ...(end.kind === 'error' ? { error: end.error.describe() } : {}) };
      if (json) out.line(toJSON(endRow));
      else if (end.kind !== 'eof') out.line(chalk.yellow(`reading stopped: ${end.kind === 'torn' ? `torn tail in ${end.segment.name} at byte ${end.offset}: ${end.reason}` : end.error.describe()}`));
      return { bad, stopped: end.kind === 'error' };
    }
    const row: RawRow = r.value;
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
