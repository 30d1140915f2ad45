/**
 * The protobuf wire format: a bounds-checked reader that returns views, not
 * copies, and a growable writer. uint64 values are bigint throughout.
 */
import { ProtoError } from '../errors.js';

/**
 * A view of buf[start, end): as subarray, at half its cost (subarray looks up
 * the constructor to make; a scan and a dump make several views per record).
 */
export function view(buf: Uint8Array, start: number, end: number): Uint8Array {
  return new Uint8Array(buf.buffer, buf.byteOffset + start, end - start);
}

export const WireType = { VARINT: 0, FIXED64: 1, LEN: 2, START_GROUP: 3, END_GROUP: 4, FIXED32: 5 } as const;

export class ProtoReader {
  readonly buf: Uint8Array;
  pos: number;
  readonly end: number;

  constructor(buf: Uint8Array, start = 0, end = buf.length) {
    this.buf = buf;
    this.pos = start;
    this.end = end;
  }

  done(): boolean {
    return this.pos >= this.end;
  }

  /** Reads a tag; returns field number * 8 + wire type as protobuf encodes it. */
  tag(): number {
    return this.uint32();
  }

  /** A varint that must fit in 32 bits (tags, lengths, enums, uint32). */
  uint32(): number {
    const buf = this.buf;
    let pos = this.pos;
    // Most tags and lengths are one byte: the loop below is for the rest.
    if (pos < this.end && buf[pos] < 0x80) {
      this.pos = pos + 1;
      return buf[pos];
    }
    let result = 0;
    let shift = 0;
    for (;;) {
      if (pos >= this.end) throw new ProtoError('truncated varint', pos, true);
      const b = buf[pos++];
      if (shift < 28) {
        result |= (b & 0x7f) << shift;
      } else if (shift < 35) {
        result += (b & 0x7f) * 2 ** shift;
      }
      if (b < 0x80) break;
      shift += 7;
      if (shift > 63) throw new ProtoError('varint longer than 10 bytes', pos);
    }
    this.pos = pos;
    // Negative int32 values are sign-extended to 10 bytes; keep the low 32 bits.
    return result >>> 0;
  }

  /** A varint as an unsigned 64-bit bigint. */
  uint64(): bigint {
    const buf = this.buf;
    let pos = this.pos;
    let lo = 0;
    let hi = 0;
    let shift = 0;
    for (;;) {
      if (pos >= this.end) throw new ProtoError('truncated varint', pos, true);
      const b = buf[pos++];
      if (shift < 28) {
        lo |= (b & 0x7f) << shift;
      } else if (shift === 28) {
        lo |= (b & 0x0f) << 28;
        hi |= (b & 0x7f) >> 4;
      } else {
        hi |= (b & 0x7f) << (shift - 32);
      }
      if (b < 0x80) break;
      shift += 7;
      if (shift > 63) throw new ProtoError('varint longer than 10 bytes', pos);
    }
    this.pos = pos;
    if (hi === 0) return BigInt(lo >>> 0);
    return (BigInt(hi >>> 0) << 32n) | BigInt(lo >>> 0);
  }

  int64(): bigint {
    return BigInt.asIntN(64, this.uint64());
  }

  /** An int64 as a number, for enum-like fields; exact for one-byte values, the common case, and rounded beyond 2^53. */
  int64Number(): number {
    const b = this.buf[this.pos];
    if (this.pos < this.end && b < 0x80) {
      this.pos++;
      return b;
    }
    return Number(this.int64());
  }

  sint64(): bigint {
    const n = this.uint64();
    return (n >> 1n) ^ -(n & 1n);
  }

  int32(): number {
    return this.uint32() | 0;
  }

  bool(): boolean {
    return this.uint64() !== 0n;
  }

  fixed32(): number {
    if (this.pos + 4 > this.end) throw new ProtoError('truncated fixed32', this.pos, true);
    const b = this.buf;
    const p = this.pos;
    this.pos += 4;
    return (b[p] | (b[p + 1] << 8) | (b[p + 2] << 16) | (b[p + 3] << 24)) >>> 0;
  }

  fixed64(): bigint {
    const lo = this.fixed32();
    const hi = this.fixed32();
    return (BigInt(hi) << 32n) | BigInt(lo);
  }

  /** Steps over a length-delimited field; returns where its bytes start (they end at `pos`). */
  delimited(): number {
    const len = this.uint32();
    const start = this.pos;
    if (len > this.end - start) throw new ProtoError(`length ${len} runs past the end of the message`, start, true);
    this.pos = start + len;
    return start;
  }

  /** A length-delimited field as a view into the buffer. */
  bytes(): Uint8Array {
    const start = this.delimited();
    return view(this.buf, start, this.pos);
  }

  string(): string {
    return Buffer.from(this.bytes()).toString('utf8');
  }

  skip(wireType: number): void {
    switch (wireType) {
      case WireType.VARINT:
        this.uint64();
        return;
      case WireType.FIXED64:
        this.advance(8);
        return;
      case WireType.LEN:
        this.delimited();
        return;
      case WireType.FIXED32:
        this.advance(4);
        return;
      case WireType.START_GROUP: {
        for (;;) {
          const t = this.tag();
          if ((t & 7) === WireType.END_GROUP) return;
          this.skip(t & 7);
        }
      }
      default:
        throw new ProtoError(`illegal wire type ${wireType}`, this.pos);
    }
  }

  private advance(n: number): void {
    if (this.pos + n > this.end) throw new ProtoError('truncated field', this.pos, true);
    this.pos += n;
  }
}

export class ProtoWriter {
  private buf: Uint8Array;
  private pos = 0;

  constructor(initial = 64) {
    this.buf = new Uint8Array(initial);
  }

  private ensure(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.pos + n) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.buf.subarray(0, this.pos));
    this.buf = next;
  }

  tag(field: number, wireType: number): this {
    return this.uint32(field * 8 + wireType);
  }

  uint32(v: number): this {
    this.ensure(5);
    v >>>= 0;
    while (v > 0x7f) {
      this.buf[this.pos++] = (v & 0x7f) | 0x80;
      v >>>= 7;
    }
    this.buf[this.pos++] = v;
    return this;
  }

  /** Any integer as a varint; negatives as their two's-complement uint64, as protobuf does for int32/int64. */
  uint64(v: bigint | number): this {
    if (typeof v === 'number' && v >= 0 && v <= 0xffffffff) return this.uint32(v);
    let n = BigInt.asUintN(64, BigInt(v));
    this.ensure(10);
    while (n > 0x7fn) {
      this.buf[this.pos++] = Number(n & 0x7fn) | 0x80;
      n >>= 7n;
    }
    this.buf[this.pos++] = Number(n);
    return this;
  }

  sint64(v: bigint): this {
    return this.uint64((v << 1n) ^ (v >> 63n));
  }

  bool(v: boolean): this {
    return this.uint32(v ? 1 : 0);
  }

  fixed32(v: number): this {
    this.ensure(4);
    const b = this.buf;
    b[this.pos++] = v & 0xff;
    b[this.pos++] = (v >>> 8) & 0xff;
    b[this.pos++] = (v >>> 16) & 0xff;
    b[this.pos++] = (v >>> 24) & 0xff;
    return this;
  }

  fixed64(v: bigint): this {
    const n = BigInt.asUintN(64, v);
    this.fixed32(Number(n & 0xffffffffn));
    return this.fixed32(Number(n >> 32n));
  }

  bytes(v: Uint8Array): this {
    this.uint32(v.length);
    this.ensure(v.length);
    this.buf.set(v, this.pos);
    this.pos += v.length;
    return this;
  }

  string(v: string): this {
    return this.bytes(Buffer.from(v, 'utf8'));
  }

  finish(): Uint8Array {
    return this.buf.slice(0, this.pos);
  }
}

/**
 * A position for the allocation-free readers of etcd's own layouts (the
 * scan's bulk path, wal-scan.ts): they advance it instead of making a reader.
 */
export interface Cursor {
  pos: number;
}

/** A varint of at most 7 bytes (49 bits, exact as a number) at `c.pos`, which moves past it; -1 if it is longer or runs past `end`. */
export function smallVarint(buf: Uint8Array, c: Cursor, end: number): number {
  let p = c.pos;
  let v = 0;
  let scale = 1;
  for (let i = 0; i < 7 && p < end; i++) {
    const b = buf[p++];
    v += (b & 0x7f) * scale;
    if (b < 0x80) {
      c.pos = p;
      return v;
    }
    scale *= 128;
  }
  return -1;
}

/** A length-delimited field with the one-byte tag `tag` at `c.pos`: its length, with `c.pos` at its bytes, which lie before `end`; -1 if there is none. */
export function delimitedAt(buf: Uint8Array, c: Cursor, end: number, tag: number): number {
  if (c.pos >= end || buf[c.pos] !== tag) return -1;
  c.pos++;
  const len = smallVarint(buf, c, end);
  return len < 0 || c.pos + len > end ? -1 : len;
}

/** Steps `c.pos` over a varint that ProtoReader would accept (at most 10 bytes, before `end`); false if there is none. */
export function skipVarint(buf: Uint8Array, c: Cursor, end: number): boolean {
  for (let p = c.pos, i = 0; i < 10 && p < end; i++) {
    if (buf[p++] < 0x80) {
      c.pos = p;
      return true;
    }
  }
  return false;
}

/**
 * The fields of a message of `n` varint fields laid out as gogo's Marshal
 * writes it with every field set (the hard state, the WAL's metadata and its
 * snapshot records, read once each by every start-up): fields 1..n, each
 * once, in order, nothing else. Undefined for any other layout and for a
 * varint ProtoReader refuses; the generated decoder then reads the message
 * (message.ts), so every other answer and every refusal stay its own. Saves a
 * command that reads no request from loading protobufjs at all.
 */
export function readPlainVarints(buf: Uint8Array, n: number): bigint[] | undefined {
  const r = new ProtoReader(buf);
  const out: bigint[] = [];
  try {
    for (let f = 1; f <= n; f++) {
      if (r.done() || r.uint32() !== f << 3) return undefined;
      out.push(r.uint64());
    }
  } catch (e) {
    if (e instanceof ProtoError) return undefined;
    throw e;
  }
  return r.done() ? out : undefined;
}
