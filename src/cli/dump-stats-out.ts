/** `walt dump --stats`: tables for people, one JSON object for scripts. */
import { newTable } from './table.js';
import type { DumpStats, Tally } from '../report/stats.js';
import { toJSON } from '../util/json.js';
import { SCHEMA } from '../report/schema-version.js';
import type { LineWriter } from './line-writer.js';

/** How a table's rows are ordered: by count (largest first), or by their name (terms as numbers, segments as named). */
type Order = 'count' | 'number' | 'name';

const percent = (part: number, whole: number) => (whole ? `${((100 * part) / whole).toFixed(1)}%` : '-');

function tallyTable(title: string, m: Record<string, Tally>, order: Order, limit = 20): string {
  const by = { count: (a: [string, Tally], b: [string, Tally]) => b[1].count - a[1].count || (a[0] < b[0] ? -1 : 1), number: (a: [string, Tally], b: [string, Tally]) => Number(a[0]) - Number(b[0]), name: (a: [string, Tally], b: [string, Tally]) => (a[0] < b[0] ? -1 : 1) }[order];
  const rows = Object.entries(m).sort(by);
  const count = rows.reduce((n, [, v]) => n + v.count, 0);
  const bytes = rows.reduce((n, [, v]) => n + v.bytes, 0);
  const t = newTable({ head: [title, 'count', '%', 'bytes', '%'], style: { head: [], border: [], compact: true } });
  for (const [k, v] of rows.slice(0, limit)) t.push([k, v.count, percent(v.count, count), v.bytes, percent(v.bytes, bytes)]);
  if (rows.length > limit) t.push([`… ${rows.length - limit} more`, '', '', '', '']);
  return t.toString();
}

export function writeStats(stats: DumpStats, out: LineWriter, json: boolean): void {
  if (json) {
    out.line(toJSON({ record: 'stats', schema: SCHEMA.dump, ...stats }));
    return;
  }
  // The records are every record of the segments read; the other tables count the entries the filters select.
  const records = Object.values(stats.records).reduce((n, t) => n + t.count, 0);
  out.line(`${records} records in the segments read, by type:`);
  out.line(tallyTable('record type', stats.records, 'count'));
  out.line(`${stats.entries} entries selected, ${stats.entryBytes} bytes of entry data:`);
  for (const [title, m, order] of [
    ['entry type', stats.byEntryType, 'count'],
    ['request kind', stats.byRequestKind, 'count'],
    ['key prefix (writes)', stats.byKeyPrefix, 'count'],
    ['lease', stats.byLease, 'count'],
    ['term', stats.byTerm, 'number'],
    ['segment', stats.bySegment, 'name'],
  ] as const) {
    if (Object.keys(m).length) out.line(tallyTable(title, m, order));
  }
  if (stats.largest.length) {
    const t = newTable({ head: ['largest: index', 'term', 'kind', 'bytes', 'key'], style: { head: [], border: [], compact: true } });
    for (const e of stats.largest) t.push([String(e.index), String(e.term), e.kind, e.bytes, e.key ?? '']);
    out.line(t.toString());
  }
}
