/**
 * The detail pane's lines for the selected row: the problems found at that
 * record, where it lies and its CRC, the decoded request as a tree, and the
 * raw entry bytes in hex. For the end row: why reading stopped there.
 */
import { entryTypeName } from '../codec/proto/raftpb.js';
import { InternalRaftRequestSpec, RequestSpec } from '../codec/proto/etcdserverpb.js';
import type { FieldSpec, MessageSpec } from '../codec/proto/message.js';
import { hex32 } from '../codec/record-reader.js';
import { goQuote, type RenderedMessage, type RenderOptions } from '../report/render.js';
import { REDACTED } from '../report/secrets.js';
import { entryJson } from '../report/entry-view.js';
import type { Problem } from '../report/problem.js';
import { JsonBytes, toJSON } from '../util/json.js';
import type { Row } from './session.js';
import type { Tone } from './theme.js';

export interface DetailLine {
  text: string;
  tone?: Tone;
  bold?: boolean;
}

/** Bytes a tree value shows before it is cut (the hex dump below has them all, up to HEX_BYTES). */
const TREE_BYTES = 200;
const HEX_BYTES = 4096;

const problemLine = (p: Problem): DetailLine => ({ text: `✗ ${p.code}: ${p.message}`, tone: p.severity === 'error' ? 'error' : 'warning' });

function scalar(v: unknown, f: FieldSpec | undefined): string {
  // Bytes are rendered as a quoted base64 JSON string.
  if (v instanceof JsonBytes) {
    const b = Buffer.from(v.base64, 'base64');
    return b.length > TREE_BYTES ? `${goQuote(b.subarray(0, TREE_BYTES))}…(${b.length} bytes)` : goQuote(b);
  }
  if (v === null) return REDACTED;
  if (typeof v === 'string' && f?.kind === 'string') return goQuote(v);
  return String(v);
}

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v) && !(v instanceof JsonBytes);

/**
 * A rendered message (render.ts: set fields only, secrets redacted, bytes as
 * base64) as an indented tree, bytes as quoted text; with the message's spec,
 * string fields are quoted too.
 */
function treeLines(obj: Record<string, unknown>, spec: MessageSpec | undefined, depth = 0): string[] {
  const out: string[] = [];
  const pad = '  '.repeat(depth);
  for (const [name, v] of Object.entries(obj)) {
    const f = spec?.fields.find((x) => x.name === name);
    if (Array.isArray(v) && !v.some(isObject)) {
      out.push(`${pad}${name}: [${v.map((x) => scalar(x, f)).join(', ')}]`);
    } else if (Array.isArray(v) || isObject(v)) {
      const items = Array.isArray(v) ? v : [v];
      items.forEach((item, i) => {
        const label = `${pad}${name}${Array.isArray(v) ? `[${i}]` : ''}`;
        const inner = treeLines(item as Record<string, unknown>, f?.msg?.(), depth + 1);
        out.push(...(inner.length ? [label, ...inner] : [`${label}: {}`]));
      });
    } else {
      out.push(`${pad}${name}: ${scalar(v, f)}`);
    }
  }
  return out;
}

/** The entry as `walt dump --format ndjson` decodes it (report/entry-view.ts), as a tree. */
function requestTree(fields: Record<string, any>): string[] {
  if (fields.kind === 'empty') return ['empty: the entry a new leader appends at the start of its term'];
  const lines: string[] = fields.error ? [`${fields.kind}: ${fields.error}`] : [];
  if (fields.confChange) lines.push(...treeLines(fields.confChange, undefined));
  if (fields.request) lines.push(...treeLines((fields.request as RenderedMessage).toJSON(), fields.wire === 'Request' ? RequestSpec : InternalRaftRequestSpec));
  if (fields.k8s) lines.push('k8s', ...treeLines(fields.k8s, undefined, 1));
  // k8s-full: the object as kubectl -o json prints it.
  if (fields.k8sObject) lines.push('object', ...toJSON(fields.k8sObject, 2).split('\n').map((l) => '  ' + l));
  return lines;
}

/** Offset, hex and printable ASCII, 16 bytes a line (8 when narrow). */
function hexLines(b: Uint8Array, width: number): string[] {
  const per = width >= 78 ? 16 : 8;
  const shown = b.subarray(0, HEX_BYTES);
  const out: string[] = [];
  for (let at = 0; at < shown.length; at += per) {
    const chunk = shown.subarray(at, at + per);
    const hex = [...chunk].map((x) => x.toString(16).padStart(2, '0')).join(' ');
    const ascii = [...chunk].map((x) => (x >= 0x20 && x < 0x7f ? String.fromCharCode(x) : '.')).join('');
    out.push(`${at.toString(16).padStart(5, '0')}  ${hex.padEnd(per * 3 - 1)}  ${ascii}`);
  }
  if (b.length > shown.length) out.push(`… ${b.length - shown.length} more bytes (walt dump --format ndjson has them all)`);
  return out;
}

export function detailLines(row: Row | undefined, width: number, opts: RenderOptions = {}): DetailLine[] {
  if (!row) return [{ text: 'no entry selected', tone: 'muted' }];
  if (row.kind === 'end') {
    return [{ text: `✗ reading stopped: ${row.reason}`, tone: 'error' }, ...row.problems.map(problemLine), { text: 'etcd reads no further than this; `walt dump --raw` lists the records that follow.', tone: 'muted' }];
  }
  const { entry: e, segment, offset, recordBytes, padBytes, crc, computedCrc } = row.item;
  const data = e.data ?? new Uint8Array(0);
  const { fields, secret } = entryJson(e, opts);
  const crcOk = crc === computedCrc;
  return [
    ...row.problems.map(problemLine),
    { text: `entry ${e.index}  term ${e.term}  ${entryTypeName(e.type)}  ${data.length} bytes of data`, bold: true },
    { text: `${segment.name} byte ${offset} (0x${offset.toString(16)}), record ${recordBytes}+${padBytes} bytes` },
    { text: `CRC-32C stored ${hex32(crc)}, computed ${hex32(computedCrc)}: ${crcOk ? 'ok' : 'MISMATCH'}`, tone: crcOk ? 'ok' : 'error' },
    { text: 'request', bold: true },
    ...requestTree(fields).map((text) => ({ text: '  ' + text })),
    { text: `raw data (${data.length} bytes)`, bold: true },
    ...(secret ? [{ text: `  ${REDACTED}: it carries a secret (--show-secrets shows it)`, tone: 'muted' as const }] : hexLines(data, width).map((text) => ({ text: '  ' + text }))),
  ];
}
