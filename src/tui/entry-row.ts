/**
 * An entry as one row of the entries pane: index, term, type, request kind,
 * the key it touches, its value (for other requests, what else they ask) and
 * its size. The text comes from the decoders and one-line renderers `walt
 * dump` uses; secrets stay redacted.
 */
import { ConfChangeType, type Entry } from '../codec/proto/raftpb.js';
import { decodeConfChangeEntry, decodeNormalEntry, type DecodedRequest } from '../codec/request.js';
import { describeConfChange, describeRequest, goQuote, policyOf, type RenderOptions } from '../report/render.js';
import { hidesValue, REDACTED } from '../report/secrets.js';
import { requestKeys, type KeyRef } from '../codec/request-keys.js';
import { decodeK8sEncryption, decodeK8sValue } from '../codec/k8s.js';
import { shortType } from '../report/entry-view.js';

export interface EntryColumns {
  index: string;
  term: string;
  type: string;
  kind: string;
  key: string;
  value: string;
  size: string;
}

/** Bytes of a value shown before it is cut: a column holds a few dozen characters at most. */
const EXCERPT_BYTES = 48;

/** A value for a narrow column: a Kubernetes object by kind and name, a Secret redacted, anything else quoted and cut. */
export function valueExcerpt(key: Uint8Array, value: Uint8Array, opts: RenderOptions = {}): string {
  if (hidesValue(policyOf(opts), key, value)) return REDACTED;
  const enc = decodeK8sEncryption(value);
  if (enc) return `k8s encrypted ${enc.provider} ${enc.keyName}`;
  const k8s = decodeK8sValue(value);
  if (k8s) return `k8s ${k8s.kind} ${k8s.namespace ? k8s.namespace + '/' : ''}${k8s.name ?? ''}`.trimEnd();
  return value.length > EXCERPT_BYTES ? `${goQuote(value.subarray(0, EXCERPT_BYTES))}…(${value.length} bytes)` : goQuote(value);
}

/** etcd's range form: no end is one key, "\0" every key from it on. */
function refText(r: KeyRef): string {
  const end = r.rangeEnd;
  if (!end || end.length === 0) return goQuote(r.key);
  return end.length === 1 && end[0] === 0 ? `${goQuote(r.key)}..` : `${goQuote(r.key)}..${goQuote(end)}`;
}

function keyText(d: DecodedRequest): string {
  const refs = requestKeys(d);
  if (refs.length === 0) return d.kind === 'v2' && typeof d.v2?.Path === 'string' ? goQuote(d.v2.Path) : '';
  return refs.length > 1 ? `${refText(refs[0])} +${refs.length - 1}` : refText(refs[0]);
}

function valueText(d: DecodedRequest, opts: RenderOptions): string {
  const put = d.kind === 'put' ? d.message?.put : undefined;
  if (put) return valueExcerpt(put.key ?? new Uint8Array(0), put.value ?? new Uint8Array(0), opts);
  if (d.kind === 'empty') return '';
  // The kind has its own column.
  const line = describeRequest(d, opts);
  return line.startsWith(d.kind + ' ') ? line.slice(d.kind.length + 1) : line;
}

export function entryColumns(e: Entry, opts: RenderOptions = {}): EntryColumns {
  const common = { index: String(e.index), term: String(e.term), type: shortType(e), size: String(e.data?.length ?? 0) };
  if (common.type !== 'norm') {
    const d = decodeConfChangeEntry(e);
    const c = d.change;
    const kind = c && 'type' in c ? (ConfChangeType[c.type] ?? String(c.type)).replace(/^ConfChange/, '') : c ? 'joint' : 'unknown';
    return { ...common, kind, key: '', value: d.error ? `undecodable: ${d.error}` : describeConfChange(d) };
  }
  const d = decodeNormalEntry(e.data);
  return { ...common, kind: d.kind, key: keyText(d), value: valueText(d, opts) };
}

export interface ColumnWidths {
  index: number;
  term: number;
  kind: number;
  key: number;
  value: number;
}

const TYPE_WIDTH = 5;
/** etcd takes records up to 10 MB: eight digits. */
const SIZE_WIDTH = 8;

/** Column widths for a pane `width` wide; the key and value columns share what the others leave. */
export function columnWidths(width: number, lastIndex: bigint): ColumnWidths {
  const index = Math.max(5, String(lastIndex).length);
  const term = 4;
  const kind = width >= 120 ? 18 : width >= 96 ? 14 : 10;
  // The mark, then each column and the space after it.
  const fixed = 2 + index + 1 + term + 1 + TYPE_WIDTH + 1 + kind + 1 + SIZE_WIDTH + 1;
  const rest = Math.max(12, width - fixed);
  const key = Math.floor(rest * 0.45);
  return { index, term, kind, key, value: rest - key - 1 };
}

/** East Asian wide characters (CJK, Hangul, full-width forms, most emoji) take two columns of a terminal. */
const WIDE = /[\u1100-\u115f\u2e80-\ua4cf\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6\u{1f300}-\u{1f64f}\u{1f900}-\u{1f9ff}\u{20000}-\u{3fffd}]/u;

/** `s` cut (with …) or padded to `n` terminal columns. */
export function fit(s: string, n: number): string {
  let width = 0;
  let out = '';
  for (const ch of s) {
    const w = WIDE.test(ch) ? 2 : 1;
    if (width + w > n) {
      // Room for the ellipsis: drop characters until it fits.
      while (width + 1 > n && out.length > 0) {
        const last = [...out].pop()!;
        out = out.slice(0, -last.length);
        width -= WIDE.test(last) ? 2 : 1;
      }
      return out + (n > 0 ? '…' : '') + ' '.repeat(Math.max(0, n - width - 1));
    }
    out += ch;
    width += w;
  }
  return out + ' '.repeat(n - width);
}

export function rowText(mark: string, c: EntryColumns, w: ColumnWidths): string {
  return `${mark} ${c.index.padStart(w.index)} ${fit(c.term, w.term)} ${fit(c.type, TYPE_WIDTH)} ${fit(c.kind, w.kind)} ${fit(c.key, w.key)} ${fit(c.value, w.value)} ${c.size.padStart(SIZE_WIDTH)}`;
}

export function headerText(w: ColumnWidths): string {
  return rowText(' ', { index: 'index', term: 'term', type: 'type', kind: 'kind', key: 'key', value: 'value', size: 'bytes' }, w);
}
