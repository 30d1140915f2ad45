/** How `walt dump` prints one entry: a JSON line for scripts, or a table row for people. */
import chalk from 'chalk';
import { EntryType, entryTypeName, type Entry } from '../codec/proto/raftpb.js';
import { readPlainPut, type PlainPut } from '../codec/proto/put-request.js';
import { mayBeK8s } from '../codec/k8s.js';
import type { JsonOut } from '../util/json.js';
import { writePlainPutRequest, type ValueMode } from '../report/render.js';
import { isSecretKeyAt, type SecretPolicy } from '../report/secrets.js';
import type { RawRecord } from '../codec/record-reader.js';
import { entryJson, entryRow, shortType } from '../report/entry-view.js';
import type { K8sObjectDecoder } from '../report/k8s-object-view.js';
import { toJSON } from '../util/json.js';
import type { LineWriter } from './line-writer.js';

const EMPTY = new Uint8Array(0);

export interface ListingOptions {
  secrets: SecretPolicy;
  values: ValueMode;
  /** With values 'k8s-full': the decoder of whole Kubernetes objects. */
  k8sObjects?: K8sObjectDecoder;
}

export type ListingFormat = 'ndjson' | 'table';

/** One entry as it prints; `extra` adds fields to its JSON (e.g. where it lies). */
export interface EntryPrinter {
  entry(e: Entry, record: RawRecord, extra?: Record<string, unknown>): void;
}

// The constant pieces of an entry's line, encoded once.
const ascii = (s: string): Uint8Array => Buffer.from(s, 'latin1');
const HEAD = ascii('{"record":"entry","index":');
const TERM = ascii(',"term":');
const TYPE = ascii(',"type":');
const DATA = ascii(',"data":');
const SEGMENT = ascii(',"segment":');
const OFFSET = ascii(',"offset":');

const NORMAL_DATA = ascii(',"type":"EntryNormal","data":');
const PUT_REQUEST = ascii(',"kind":"put","wire":"InternalRaftRequest","request":');
const REDACTED_TRUE = ascii(',"redacted":true');

/**
 * An entry's JSON line: "record", "index", "term", "type" and "data" first,
 * then the decoded request's fields written one by one, then where the entry
 * lies.
 */
export function writeEntryLine(line: JsonOut, entry: Entry, record: RawRecord, opts: ListingOptions, extra?: Record<string, unknown>): void {
  const view = entryJson(entry, opts);
  line.raw(HEAD);
  line.uint(entry.index);
  line.raw(TERM);
  line.uint(entry.term);
  line.raw(TYPE);
  line.value(entryTypeName(entry.type));
  line.raw(DATA);
  if (view.secret) line.value(null);
  else line.base64Of(entry.data ?? EMPTY);
  line.members(view.fields);
  if (view.secret) line.raw(REDACTED_TRUE);
  writeWhere(line, record);
  if (extra) line.members(extra);
  line.byte(0x7d);
}

const plainPut: PlainPut = { pos: 0, putFirst: false, id: 0, keyStart: 0, keyEnd: 0, valueStart: 0, valueEnd: 0 };

/**
 * The line of an entry that holds a plain put (readPlainPut), most entries,
 * written straight from its bytes as writeEntryLine writes it; false, having
 * written nothing, for any other entry and for a put that writeEntryLine
 * shows differently (a Secret's, or a Kubernetes object to decode).
 */
export function writePlainPutLine(line: JsonOut, entry: Entry, record: RawRecord, opts: ListingOptions): boolean {
  const data = entry.data;
  if (entry.type !== EntryType.EntryNormal || data === undefined || !readPlainPut(data, data.length, plainPut)) return false;
  if (!opts.secrets.show && isSecretKeyAt(opts.secrets, data, plainPut.keyStart, plainPut.keyEnd)) return false;
  // A Kubernetes object (protobuf or JSON) may be a Secret under any key, and is decoded for its "k8s" field.
  if (mayBeK8s(data, plainPut.valueStart, plainPut.valueEnd)) return false;
  line.raw(HEAD);
  line.uint(entry.index);
  line.raw(TERM);
  line.uint(entry.term);
  line.raw(NORMAL_DATA);
  line.base64Of(data);
  line.raw(PUT_REQUEST);
  writePlainPutRequest(line, data, plainPut);
  writeWhere(line, record);
  line.byte(0x7d);
  return true;
}

function writeWhere(line: JsonOut, record: RawRecord): void {
  line.raw(SEGMENT);
  line.value(record.segment.name);
  line.raw(OFFSET);
  line.uint(record.offset);
}

export function ndjsonPrinter(out: LineWriter, opts: ListingOptions): EntryPrinter {
  return {
    entry(entry, record, extra) {
      const line = out.jsonLine();
      if (extra || !writePlainPutLine(line, entry, record, opts)) writeEntryLine(line, entry, record, opts, extra);
      out.endJsonLine();
    },
  };
}

const DETAIL_INDENT = ' '.repeat(4);

export function tablePrinter(out: LineWriter, opts: ListingOptions): EntryPrinter {
  return {
    entry(entry, _record, extra) {
      const note = extra?.overwrites ? chalk.yellow(' (overwrites an uncommitted entry)') : '';
      const row = entryRow(entry, opts);
      out.line(`${String(entry.term).padStart(8)} ${String(entry.index).padStart(10)}  ${shortType(entry).padEnd(6)} ${row.summary}${note}`);
      // The row's detail: the object as kubectl -o json prints it, indented under the row.
      if (row.k8sObject) for (const l of toJSON(row.k8sObject, 2).split('\n')) out.line(DETAIL_INDENT + l);
      if (row.k8sError) out.line(DETAIL_INDENT + chalk.yellow(`decoding stopped short: ${row.k8sError}`));
    },
  };
}

export const printerFor = (format: ListingFormat, out: LineWriter, opts: ListingOptions): EntryPrinter => (format === 'ndjson' ? ndjsonPrinter : tablePrinter)(out, opts);
