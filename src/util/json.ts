/**
 * JSON output for scripts. uint64 values are bigint in walt and are printed
 * as exact JSON integers (JSON has no limit on digits; JSON.parse in JS would
 * round above 2^53, so member IDs are printed as hex strings, as etcd does).
 * Hand-written because JSON.stringify with a replacer is several times slower,
 * and a dump prints millions of lines. Non-ASCII characters are escaped
 * (\uXXXX, valid JSON), so output is pure ASCII and is written without
 * UTF-8 encoding.
 */
/** Bytes for JSON output: printed as a base64 string, the protobuf JSON mapping for bytes. */
export class JsonBytes {
  constructor(readonly base64: string) {}
}

/**
 * Buffer's own encoder called on the bytes as they are (it takes any
 * Uint8Array): Buffer.from and toString each add a wrapper and checks per
 * call, a tenth of a dump's time. Undocumented, so used only where present.
 */
const base64Slice = (Buffer.prototype as unknown as { base64Slice?: (this: Uint8Array, start: number, end: number) => string }).base64Slice;

export function base64(b: Uint8Array): JsonBytes {
  return new JsonBytes(base64Slice ? base64Slice.call(b, 0, b.length) : Buffer.from(b.buffer, b.byteOffset, b.length).toString('base64'));
}

/**
 * Buffer's own latin1 routines, called directly: the public wrappers' checks
 * cost more than the copy for a line's parts. Undocumented, so used only where
 * present.
 */
const latin1Write =
  (Buffer.prototype as unknown as { latin1Write?: (this: Buffer, s: string, offset: number) => number }).latin1Write ??
  function (this: Buffer, s: string, offset: number) {
    return this.write(s, offset, 'latin1');
  };

const MAX_SAFE_BIG = BigInt(Number.MAX_SAFE_INTEGER);

const BASE64_CODES = Buffer.from('ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/', 'latin1');

/** Text up to this long is copied by a loop: a call into Node costs more. */
const LOOP_CHARS = 48;
/** Strings up to this long are scanned for escapes and copied by a loop; longer ones go through JSON.stringify. */
const SCAN_CHARS = 256;

/**
 * A JSON text built as ASCII bytes in a reused buffer (json.ts escapes
 * everything else): a dump builds millions of lines, and as strings each was
 * a rope of many small pieces, flattened and copied again to be written. The
 * base64 of bytes is the one string made per value.
 */
export class JsonOut {
  private buf: Buffer;
  length = 0;

  /** `onFull`, told how many more bytes are wanted, may make room (shift) before the buffer grows. */
  constructor(
    capacity = 4096,
    private readonly onFull?: (need: number) => void,
  ) {
    this.buf = Buffer.allocUnsafe(capacity);
  }

  /** Starts over, keeping the buffer. */
  reset(): this {
    this.length = 0;
    return this;
  }

  /** The bytes written: a view of the buffer, valid until the next write or reset. */
  bytes(start = 0, end = this.length): Uint8Array {
    return this.buf.subarray(start, end);
  }

  /** Drops the first `n` bytes written, moving the rest to the front. */
  shift(n: number): void {
    this.buf.copyWithin(0, n, this.length);
    this.length -= n;
  }

  toString(): string {
    return this.buf.toString('latin1', 0, this.length);
  }

  /** Makes room for `n` more bytes. */
  private room(n: number): void {
    if (this.length + n <= this.buf.length) return;
    this.onFull?.(n);
    if (this.length + n > this.buf.length) this.grow(n);
  }

  /** Appends one byte. */
  byte(c: number): void {
    this.room(1);
    this.buf[this.length++] = c;
  }

  /** Appends bytes as they are (ASCII: constant pieces of a line, encoded once). */
  raw(bytes: Uint8Array): void {
    const n = bytes.length;
    this.room(n);
    const b = this.buf;
    const at = this.length;
    if (n > LOOP_CHARS) b.set(bytes, at);
    else for (let i = 0; i < n; i++) b[at + i] = bytes[i];
    this.length = at + n;
  }

  /** Appends a non-negative integer's digits, without making its string when it is below 2^53. */
  uint(v: bigint | number): void {
    if (typeof v === 'bigint' && v > MAX_SAFE_BIG) return this.text(v.toString());
    let n = Number(v);
    let digits = 1;
    for (let t = n; t >= 10; t = Math.floor(t / 10)) digits++;
    this.room(digits);
    const b = this.buf;
    for (let p = this.length + digits - 1; p >= this.length; p--) {
      const q = Math.floor(n / 10);
      b[p] = 48 + (n - q * 10);
      n = q;
    }
    this.length += digits;
  }

  /** Appends text as UTF-8 (a line for people, not JSON). */
  utf8(s: string): void {
    // UTF-8 takes at most 3 bytes per UTF-16 code unit.
    this.room(s.length * 3);
    this.length += this.buf.write(s, this.length, 'utf8');
  }

  /** Appends ASCII text as it is. */
  text(s: string): void {
    const n = s.length;
    this.room(n);
    const b = this.buf;
    const at = this.length;
    if (n > LOOP_CHARS) {
      this.length = at + latin1Write.call(b, s, at);
      return;
    }
    for (let i = 0; i < n; i++) b[at + i] = s.charCodeAt(i);
    this.length = at + n;
  }

  /**
   * Appends a string as JSON: as it is between quotes when nothing in it needs
   * an escape (the names, kinds and IDs of a dump's lines), else escaped.
   */
  string(s: string): void {
    const n = s.length;
    if (n > SCAN_CHARS) return this.text(quote(s));
    this.room(n + 2);
    const b = this.buf;
    const at = this.length;
    b[at] = 0x22;
    for (let i = 0; i < n; i++) {
      const c = s.charCodeAt(i);
      // What JSON.stringify escapes, and what json.ts escapes beyond it (non-ASCII): the bytes written so far are let go.
      if (c < 0x20 || c === 0x22 || c === 0x5c || c > 0x7f) return this.text(quote(s));
      b[at + 1 + i] = c;
    }
    b[at + n + 1] = 0x22;
    this.length = at + n + 2;
  }

  /** Appends a value as toJSON writes it (on one line). */
  value(v: unknown): void {
    write(this, v, '', '');
  }

  /** Appends an object's key and colon, opening the object first (`first`) or after a comma. */
  key(k: string, first: boolean): void {
    this.text(first ? '{' : ',');
    this.text(quotedKey(k));
  }

  /** Appends `,"key":value` for each of the object's defined members: more members of an object already open. */
  members(o: Record<string, unknown>): void {
    members(this, o, false, '', '');
  }

  /** Appends bytes as a base64 string. */
  base64(b: JsonBytes): void {
    this.text('"');
    this.text(b.base64);
    this.text('"');
  }

  /**
   * Appends raw bytes as a base64 string: short ones (keys, IDs) encoded
   * here, as a call into Node and the string it makes cost more than the
   * encoding; long ones by Node. Of b[start, end), without a view.
   */
  base64Of(b: Uint8Array, start = 0, end = b.length): void {
    const n = end - start;
    if (n > LOOP_CHARS && base64Slice) {
      this.byte(0x22);
      this.text(base64Slice.call(b, start, end));
      this.byte(0x22);
      return;
    }
    this.room(4 * Math.ceil(n / 3) + 2);
    const out = this.buf;
    let p = this.length;
    out[p++] = 0x22;
    let i = start;
    for (; i + 2 < end; i += 3) {
      const v = (b[i] << 16) | (b[i + 1] << 8) | b[i + 2];
      out[p++] = BASE64_CODES[v >> 18];
      out[p++] = BASE64_CODES[(v >> 12) & 63];
      out[p++] = BASE64_CODES[(v >> 6) & 63];
      out[p++] = BASE64_CODES[v & 63];
    }
    if (i < end) {
      const v = (b[i] << 16) | (i + 1 < end ? b[i + 1] << 8 : 0);
      out[p++] = BASE64_CODES[v >> 18];
      out[p++] = BASE64_CODES[(v >> 12) & 63];
      out[p++] = i + 1 < end ? BASE64_CODES[(v >> 6) & 63] : 0x3d;
      out[p++] = 0x3d;
    }
    out[p++] = 0x22;
    this.length = p;
  }

  private grow(n: number): void {
    const bigger = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.length + n));
    this.buf.copy(bigger, 0, 0, this.length);
    this.buf = bigger;
  }
}

export function toJSON(value: unknown, indent?: number): string {
  const out = new JsonOut();
  write(out, value, indent ? ' '.repeat(indent) : '', '');
  return out.toString();
}

const HAS_NON_ASCII = /[^\x00-\x7f]/;
const NON_ASCII = /[^\x00-\x7f]/g;

/** A string as a JSON string, non-ASCII escaped. */
function quote(s: string): string {
  const q = JSON.stringify(s);
  return HAS_NON_ASCII.test(q) ? q.replace(NON_ASCII, (c) => '\\u' + c.charCodeAt(0).toString(16).padStart(4, '0')) : q;
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

function write(out: JsonOut, v: unknown, step: string, pad: string): void {
  switch (typeof v) {
    case 'string':
      out.string(v);
      return;
    case 'number':
      out.text(Number.isFinite(v) ? String(v) : 'null');
      return;
    case 'bigint':
      out.text(v.toString());
      return;
    case 'boolean':
      out.text(v ? 'true' : 'false');
      return;
    case 'object':
      break;
    default:
      out.text('null');
      return;
  }
  if (v === null) {
    out.text('null');
    return;
  }
  if (v instanceof JsonBytes) {
    out.base64(v);
    return;
  }
  const inner = pad + step;
  const nl = step ? '\n' : '';
  const sep = step ? ',\n' : ',';
  if (Array.isArray(v)) {
    if (v.length === 0) {
      out.text('[]');
      return;
    }
    out.text('[' + nl);
    v.forEach((x, i) => {
      out.text((i ? sep : '') + inner);
      write(out, x === undefined ? null : x, step, inner);
    });
    out.text(nl + pad + ']');
    return;
  }
  // A value that writes itself (render.ts RenderedMessage), on one line; indented output takes its toJSON.
  if (!step && typeof (v as { writeJson?: unknown }).writeJson === 'function') {
    (v as { writeJson(out: JsonOut): void }).writeJson(out);
    return;
  }
  if (typeof (v as { toJSON?: unknown }).toJSON === 'function') {
    write(out, (v as { toJSON(): unknown }).toJSON(), step, pad);
    return;
  }
  const empty = members(out, v as Record<string, unknown>, true, step, pad);
  out.text(empty ? '{}' : nl + pad + '}');
}

/** Writes an object's defined members, opening it when `first`; returns whether it wrote none while `first` (an empty object). */
function members(out: JsonOut, v: Record<string, unknown>, first: boolean, step: string, pad: string): boolean {
  const inner = pad + step;
  const sep = step ? ',\n' : ',';
  const open = '{' + (step ? '\n' : '');
  for (const k in v) {
    const x = v[k];
    if (x === undefined || typeof x === 'function') continue;
    out.text(first ? open : sep);
    if (step) out.text(inner);
    out.text(quotedKey(k));
    if (step) out.text(' ');
    first = false;
    write(out, x, step, inner);
  }
  return first;
}
