/** How `walt dump` prints one entry: a JSON line for scripts, or a table row for people. */
import chalk from 'chalk';
import { entryTypeName, type Entry } from '../codec/proto/raftpb.js';
import { REDACTED, type ValueMode } from '../codec/render.js';
import type { RawRecord } from '../codec/record-reader.js';
import { entryJson, entrySummary, shortType } from '../report/entry-view.js';
import type { LineWriter } from './line-writer.js';

const EMPTY = new Uint8Array(0);

export interface ListingOptions {
  showSecrets: boolean;
  values: ValueMode;
}

export type ListingFormat = 'ndjson' | 'table';

/** One entry as it prints; `extra` adds fields to its JSON (e.g. where it lies). */
export interface EntryPrinter {
  entry(e: Entry, record: RawRecord, extra?: Record<string, unknown>): void;
}

/**
 * An entry's JSON line: "record", "index", "term", "type" and "data" first,
 * then the decoded request's fields, then where the entry lies. Its own keys
 * are written directly, the decoded fields by the general writer.
 */
// The constant pieces of an entry's line, encoded once.
const ascii = (s: string): Uint8Array => Buffer.from(s, 'latin1');
const HEAD = ascii('{"record":"entry","index":');
const TERM = ascii(',"term":');
const TYPE = ascii(',"type":');
const DATA = ascii(',"data":');
const SEGMENT = ascii(',"segment":');
const OFFSET = ascii(',"offset":');

export function ndjsonPrinter(out: LineWriter, opts: ListingOptions): EntryPrinter {
  return {
    entry(entry, record, extra) {
      const view = entryJson(entry, opts);
      const line = out.jsonLine();
      line.raw(HEAD);
      line.uint(entry.index);
      line.raw(TERM);
      line.uint(entry.term);
      line.raw(TYPE);
      line.value(entryTypeName(entry.type));
      line.raw(DATA);
      if (view.secret) line.value(REDACTED);
      else line.base64Of(entry.data ?? EMPTY);
      line.members(view.fields);
      line.raw(SEGMENT);
      line.value(record.segment.name);
      line.raw(OFFSET);
      line.uint(record.offset);
      if (extra) line.members(extra);
      line.byte(0x7d);
      out.endJsonLine();
    },
  };
}

export function tablePrinter(out: LineWriter, opts: ListingOptions): EntryPrinter {
  return {
    entry(entry, _record, extra) {
      const note = extra?.overwrites ? chalk.yellow(' (overwrites an uncommitted entry)') : '';
      out.line(`${String(entry.term).padStart(8)} ${String(entry.index).padStart(10)}  ${shortType(entry).padEnd(6)} ${entrySummary(entry, opts)}${note}`);
    },
  };
}

export const printerFor = (format: ListingFormat, out: LineWriter, opts: ListingOptions): EntryPrinter => (format === 'ndjson' ? ndjsonPrinter : tablePrinter)(out, opts);
