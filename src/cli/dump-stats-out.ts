/** `walt dump --stats`: tables for people, one JSON object for scripts. */
import Table from 'cli-table3';
import type { DumpStats, Tally } from '../report/stats.js';
import { toJSON } from '../util/json.js';
import { SCHEMA } from '../report/schema-version.js';
import type { LineWriter } from './line-writer.js';

function tallyTable(title: string, m: Record<string, Tally>, limit = 20): string {
  const rows = Object.entries(m).sort((a, b) => b[1].count - a[1].count || (a[0] < b[0] ? -1 : 1));
  const t = new Table({ head: [title, 'count', 'bytes'], style: { head: [], border: [], compact: true } });
  for (const [k, v] of rows.slice(0, limit)) t.push([k, v.count, v.bytes]);
  if (rows.length > limit) t.push([`… ${rows.length - limit} more`, '', '']);
  return t.toString();
}

export function writeStats(stats: DumpStats, out: LineWriter, json: boolean): void {
  if (json) {
    out.line(toJSON({ record: 'stats', schema: SCHEMA.dump, ...stats }));
    return;
  }
  out.line(`${stats.entries} entries, ${stats.entryBytes} bytes of entry data`);
  for (const [title, m] of [
    ['record type', stats.records],
    ['entry type', stats.byEntryType],
    ['request kind', stats.byRequestKind],
    ['key prefix (writes)', stats.byKeyPrefix],
    ['lease', stats.byLease],
    ['term', stats.byTerm],
    ['segment', stats.bySegment],
  ] as const) {
    if (Object.keys(m).length) out.line(tallyTable(title, m));
  }
  if (stats.largest.length) {
    const t = new Table({ head: ['largest: index', 'term', 'kind', 'bytes', 'key'], style: { head: [], border: [], compact: true } });
    for (const e of stats.largest) t.push([String(e.index), String(e.term), e.kind, e.bytes, e.key ?? '']);
    out.line(t.toString());
  }
}
