/**
 * etcd's messages, decoded and encoded by protobufjs from the descriptor that
 * scripts/gen-etcd-proto.mjs makes of proto/etcd/*.proto (etcd.gen.ts, which
 * also holds their TypeScript types). protobufjs is loaded on the first
 * message, not at start: most commands read only WAL framing and entries,
 * which have their own readers (walpb.ts, raftpb.ts, put-request.ts).
 *
 * What walt adds to protobufjs, and why:
 * - 64-bit integers are bigint, read and written exactly (a reader and a
 *   writer that override protobufjs's Long handling).
 * - Decoding is as strict as gogoproto's generated Unmarshal (strict.ts,
 *   before protobufjs reads the bytes): etcd relies on it to tell a bare v2
 *   Request from an InternalRaftRequest (etcdserver/server.go applyEntryNormal).
 * - Decoded messages are plain objects (protobufjs decodes into constructors
 *   set here): scalars without presence default to zero, repeated fields to
 *   [], strings, bytes and messages that are absent are undefined; when a
 *   oneof has several members on the wire, the last wins.
 * - Encoding writes what gogoproto writes, so re-encoded records are etcd's
 *   bytes: in proto2, (gogoproto.nullable) = false fields always (a message
 *   as its empty value), other fields whenever set, even to zero (etcd acts on
 *   the difference: a v2 Request with PrevExist=false is `mk`, without it
 *   `set`); in proto3, oneof members and messages whenever set
 *   (Compare{create_revision: 0} asks whether a key is absent), other fields
 *   when not zero or empty (gogo's `len(m.Value) > 0`: a put of an empty value
 *   carries no value field). Fields go out in field-number order.
 */
import { createRequire } from 'node:module';
import type * as Protobuf from 'protobufjs';
import { view } from './wire.js';
import { ProtoError } from '../errors.js';
import { descriptor } from './etcd.gen.js';
import { spec, type FieldSpec, type MessageSpec, type Msg } from './descriptor.js';
import { check, dropOverridden } from './strict.js';

export { spec, enumNames, type Encodable, type FieldSpec, type MessageSpec, type Msg, type ScalarKind } from './descriptor.js';

// ---- protobufjs, loaded on first use ----

interface Runtime {
  root: Protobuf.Root;
  Reader: new (buf: Uint8Array) => Protobuf.Reader;
  RawStringReader: new (buf: Uint8Array) => Protobuf.Reader;
  Writer: new () => Protobuf.Writer;
  types: Map<string, Protobuf.Type>;
}

let runtime: Runtime | undefined;

function load(): Runtime {
  if (runtime) return runtime;
  const pb = createRequire(import.meta.url)('protobufjs/dist/light/protobuf.js') as typeof Protobuf;

  /**
   * protobufjs's reader with exact 64-bit integers and views for bytes. Its
   * uint32 reads a varint to its last byte, as gogo does (protobufjs's own
   * steps over 10 bytes after a long fifth one).
   */
  class BigReader extends pb.Reader {
    override uint32(): number {
      const buf = this.buf;
      let pos = this.pos;
      let result = 0;
      for (let shift = 0; ; shift += 7) {
        if (pos >= this.len) throw new ProtoError('truncated varint', pos, true);
        if (shift > 63) throw new ProtoError('varint longer than 10 bytes', pos);
        const b = buf[pos++];
        if (shift < 28) result |= (b & 0x7f) << shift;
        else if (shift === 28) result |= (b & 0x0f) << 28;
        if (b < 0x80) break;
      }
      this.pos = pos;
      return result >>> 0;
    }
    override uint64(): any {
      const buf = this.buf;
      let pos = this.pos;
      let lo = 0;
      let hi = 0;
      for (let shift = 0; ; shift += 7) {
        if (pos >= this.len) throw new ProtoError('truncated varint', pos, true);
        if (shift > 63) throw new ProtoError('varint longer than 10 bytes', pos);
        const b = buf[pos++];
        if (shift < 28) lo |= (b & 0x7f) << shift;
        else if (shift === 28) {
          lo |= (b & 0x0f) << 28;
          hi |= (b & 0x7f) >> 4;
        } else hi |= (b & 0x7f) << (shift - 32);
        if (b < 0x80) break;
      }
      this.pos = pos;
      return hi === 0 ? BigInt(lo >>> 0) : (BigInt(hi >>> 0) << 32n) | BigInt(lo >>> 0);
    }
    override int64(): any {
      return BigInt.asIntN(64, this.uint64());
    }
    override sint64(): any {
      const n = this.uint64() as bigint;
      return (n >> 1n) ^ -(n & 1n);
    }
    override fixed64(): any {
      const lo = this.fixed32();
      return (BigInt(this.fixed32()) << 32n) | BigInt(lo);
    }
    override sfixed64(): any {
      return BigInt.asIntN(64, this.fixed64());
    }
    override bool(): boolean {
      return this.uint64() !== 0n;
    }
    override bytes(): Uint8Array {
      const len = this.uint32();
      const start = this.pos;
      this.pos += len;
      return view(this.buf, start, this.pos);
    }
    override string(): string {
      const b = this.bytes();
      return Buffer.from(b.buffer, b.byteOffset, b.length).toString('utf8');
    }
  }

  /** Strings as their bytes, for etcd's text format, which quotes the bytes as Go does. */
  class RawStringReader extends BigReader {
    override string(): any {
      return this.bytes();
    }
  }

  const bits = (v: bigint | number): any => {
    if (typeof v !== 'bigint') return v;
    const n = BigInt.asUintN(64, v);
    return { low: Number(n & 0xffffffffn) | 0, high: Number(n >> 32n) | 0, unsigned: true };
  };
  const base = pb.Writer.prototype;

  /** protobufjs's writer taking bigint for 64-bit integers. */
  class BigWriter extends pb.Writer {
    override uint64(v: any): this {
      return base.uint64.call(this, bits(v)) as this;
    }
    override int64(v: any): this {
      return base.int64.call(this, bits(v)) as this;
    }
    override sint64(v: any): this {
      return base.sint64.call(this, bits(v)) as this;
    }
    override fixed64(v: any): this {
      return base.fixed64.call(this, bits(v)) as this;
    }
    override sfixed64(v: any): this {
      return base.sfixed64.call(this, bits(v)) as this;
    }
  }

  const root = pb.Root.fromJSON(descriptor as unknown as Protobuf.INamespace);
  root.resolveAll();
  // protobufjs decodes into `new type.ctor`: a plain object holding the defaults, in declaration order.
  const withCtors = (ns: Protobuf.NamespaceBase): void => {
    for (const o of ns.nestedArray) {
      if (o instanceof pb.Type) (o as unknown as { _ctor: unknown })._ctor = plainConstructor(spec(o.fullName.slice(1)));
      if (o instanceof pb.Namespace) withCtors(o);
    }
  };
  withCtors(root);
  runtime = { root, Reader: BigReader, RawStringReader, Writer: BigWriter, types: new Map() };
  return runtime;
}

/** Loads protobufjs and etcd's messages now rather than at the first decode that needs them (browse, while it waits for its first entries). */
export function loadMessages(): void {
  load();
}

function typeOf(rt: Runtime, s: MessageSpec): Protobuf.Type {
  let t = rt.types.get(s.name);
  if (!t) rt.types.set(s.name, (t = rt.root.lookupType(s.name)));
  return t;
}

// ---- decoding ----

function zeroOf(kind: FieldSpec['kind']): string | undefined {
  switch (kind) {
    case 'uint64':
    case 'int64':
    case 'sint64':
    case 'fixed64':
      return '0n';
    case 'bool':
      return 'false';
    case 'bytes':
    case 'string':
    case 'message':
      return undefined;
    default:
      return '0';
  }
}

/**
 * The constructor protobufjs decodes into: a plain object (Object.prototype,
 * no Message methods) with the defaults of the head of this file set in
 * declaration order; the fields then follow in the order they first come on
 * the wire, which walt's JSON output keeps.
 */
function plainConstructor(s: MessageSpec): new () => Msg {
  const body = s.fields
    .map((f) => {
      const v = f.repeated ? '[]' : f.presence ? undefined : zeroOf(f.kind);
      return v === undefined ? '' : `this[${JSON.stringify(f.name)}]=${v};`;
    })
    .join('');
  const ctor = new Function(body) as new () => Msg;
  ctor.prototype = Object.prototype;
  return ctor;
}

export interface DecodeOptions {
  /** Strings as their bytes (Uint8Array), unconverted. */
  rawStrings?: boolean;
}

/** Decodes buf[start, end) as `s`; throws ProtoError where gogo's Unmarshal fails. */
export function decodeMessage<T = Msg>(s: MessageSpec, buf: Uint8Array, start = 0, end = buf.length, opts: DecodeOptions = {}): T {
  const overridden = check(s, buf, start, end, undefined);
  const rt = load();
  const m = typeOf(rt, s).decode(new (opts.rawStrings ? rt.RawStringReader : rt.Reader)(view(buf, start, end))) as unknown as Msg;
  if (overridden) dropOverridden(s, m, buf, start, end, overridden);
  return m as T;
}

/** Clears the oneof members a later member overrode (check), in `m` and the messages it holds. */

// ---- encoding ----

const zero = (kind: FieldSpec['kind']): unknown => {
  const z = zeroOf(kind);
  return z === undefined ? (kind === 'string' ? '' : kind === 'bytes' ? new Uint8Array() : undefined) : z === '0n' ? 0n : z === 'false' ? false : 0;
};

function isZero(v: unknown): boolean {
  return v === undefined || v === null || v === 0 || v === 0n || v === false || v === '' || (v instanceof Uint8Array && v.length === 0);
}

/** The fields gogoproto would write, as protobufjs's encoder writes every field an object has. */
function wire(s: MessageSpec, msg: Msg): Msg {
  const out: Msg = {};
  for (const f of s.fields) {
    const v = msg[f.name];
    if (f.repeated) {
      if (v !== undefined && v !== null && v.length > 0) out[f.name] = f.kind === 'message' ? v.map((x: Msg) => wire(f.msg!(), x)) : v;
    } else if (f.kind === 'message') {
      if (v !== undefined && v !== null) out[f.name] = wire(f.msg!(), v);
      else if (f.always) out[f.name] = wire(f.msg!(), {});
    } else if (f.presence || (f.kind === 'bytes' && f.always)) {
      if (v !== undefined && v !== null) out[f.name] = v;
    } else if (f.always) {
      out[f.name] = v ?? zero(f.kind);
    } else if (!isZero(v)) {
      out[f.name] = v;
    }
  }
  return out;
}

export function encodeMessage(s: MessageSpec, msg: object): Uint8Array {
  const rt = load();
  return typeOf(rt, s).encode(wire(s, msg as Msg), new rt.Writer()).finish();
}
