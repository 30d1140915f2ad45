/**
 * JSON output for scripts. uint64 values are bigint in walt and are printed
 * as exact JSON integers (JSON has no limit on digits; JSON.parse in JS would
 * round above 2^53, so member IDs are printed as hex strings, as etcd does).
 * Hand-written because JSON.stringify with a replacer is several times slower,
 * and a dump prints millions of lines. Non-ASCII characters are escaped
 * (\uXXXX, valid JSON), so output is pure ASCII and is written without
 * UTF-8 encoding.
 */
/** A value already in JSON form, printed as it is (base64 needs no escaping, and scanning it costs). */
export class JsonRaw {
  constructor(readonly text: string) {}
}

/** Bytes as a base64 JSON string, the protobuf JSON mapping for bytes. */
export function base64(b: Uint8Array): JsonRaw {
  return new JsonRaw(`"${Buffer.from(b.buffer, b.byteOffset, b.length).toString('base64')}"`);
}

export function toJSON(value: unknown, indent?: number): string {
  return write(value, indent ? ' '.repeat(indent) : '', '');
}

const HAS_NON_ASCII = /[^\x00-\x7f]/;
const NON_ASCII = /[^\x00-\x7f]/g;

/** Short strings repeat from line to line (types, kinds, segment names): each is escaped once. */
const quoted = new Map<string, string>();

function quote(s: string): string {
  const short = s.length <= 64;
  if (short) {
    const hit = quoted.get(s);
    if (hit !== undefined) return hit;
  }
  let q = JSON.stringify(s);
  if (HAS_NON_ASCII.test(q)) q = q.replace(NON_ASCII, (c) => '\\u' + c.charCodeAt(0).toString(16).padStart(4, '0'));
  if (short && quoted.size < 10_000) quoted.set(s, q);
  return q;
}

const keys = new Map<string, string>();

/** Object keys repeat on every line: quote each once. */
function quotedKey(k: string): string {
  let q = keys.get(k);
  if (q === undefined) {
    q = quote(k) + ':';
    if (keys.size < 10_000) keys.set(k, q);
  }
  return q;
}

function write(v: unknown, step: string, pad: string): string {
  switch (typeof v) {
    case 'string':
      return quote(v);
    case 'number':
      return Number.isFinite(v) ? String(v) : 'null';
    case 'bigint':
      return v.toString();
    case 'boolean':
      return v ? 'true' : 'false';
    case 'object':
      break;
    default:
      return 'null';
  }
  if (v === null) return 'null';
  if (v instanceof JsonRaw) return v.text;
  const inner = pad + step;
  const nl = step ? '\n' : '';
  const sep = step ? ',\n' : ',';
  if (Array.isArray(v)) {
    if (v.length === 0) return '[]';
    const items = v.map((x) => inner + (x === undefined ? 'null' : write(x, step, inner)));
    return `[${nl}${items.join(sep)}${nl}${pad}]`;
  }
  if (typeof (v as { toJSON?: unknown }).toJSON === 'function') return write((v as { toJSON(): unknown }).toJSON(), step, pad);
  let out = '';
  for (const k in v as Record<string, unknown>) {
    const x = (v as Record<string, unknown>)[k];
    if (x === undefined || typeof x === 'function') continue;
    out += (out ? sep : '') + inner + quotedKey(k) + (step ? ' ' : '') + write(x, step, inner);
  }
  return out ? `{${nl}${out}${nl}${pad}}` : '{}';
}
