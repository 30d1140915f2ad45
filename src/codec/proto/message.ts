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
 * - Decoding is as strict as gogoproto's generated Unmarshal (e.g.
 *   etcdserver/etcdserverpb/rpc.pb.go): field number 0, a stray end-group tag,
 *   a length past the end and a known field with the wrong wire type are
 *   errors (ProtoError), checked before protobufjs reads the bytes. etcd
 *   relies on it to tell a bare v2 Request from an InternalRaftRequest
 *   (etcdserver/server.go applyEntryNormal).
 * - Decoded messages are plain objects (protobufjs decodes into constructors
 *   set here): scalars without presence default to zero, repeated fields to
 *   [], strings, bytes and messages that are absent are undefined; when a
 *   oneof has several members on the wire, the last wins.
 * - Encoding writes what gogoproto writes, so re-encoded records are etcd's
 *   bytes: in proto2, (gogoproto.nullable) = false fields always (a message
 *   as its empty value), other fields whenever set, even to zero (etcd acts on
 *   the difference: a v2 Request with PrevExist=false is `mk`, without it
 *   `set`); in proto3, oneof members, messages and bytes whenever set
 *   (Compare{create_revision: 0} asks whether a key is absent), other scalars
 *   when not zero. Fields go out in field-number order.
 */
import { createRequire } from 'node:module';
import type * as Protobuf from 'protobufjs';
import { ProtoReader, WireType, view } from './wire.js';
import { ProtoError } from '../errors.js';
import { descriptor } from './etcd.gen.js';

export type ScalarKind = 'uint64' | 'int64' | 'sint64' | 'uint32' | 'int32' | 'bool' | 'enum' | 'fixed64' | 'fixed32' | 'bytes' | 'string';

/** What walt's readers, writers and renderers need to know of a field, read from the descriptor. */
export interface FieldSpec {
  no: number;
  name: string;
  kind: ScalarKind | 'message';
  repeated: boolean;
  /** Written even when zero (proto2, (gogoproto.nullable) = false). */
  always: boolean;
  /** Decodes to undefined when absent; written whenever defined, even as zero (proto2 nullable, proto3 oneof). */
  presence: boolean;
  /** The oneof this field belongs to. */
  oneof?: string;
  msg?: () => MessageSpec;
  /** Names of the enum's values, for display. */
  enumNames?: Readonly<Record<number, string>>;
}

/** A message of proto/etcd: its full name (`etcdserverpb.PutRequest`) and fields, in declaration order. */
export interface MessageSpec {
  readonly name: string;
  readonly fields: readonly FieldSpec[];
  readonly proto2: boolean;
}

/** A decoded message walked by name (renderers); the typed view is in etcd.gen.ts. */
export type Msg = Record<string, any>;

/** What an encoder takes for a message of type T: any field may be left out (written as gogoproto writes an absent one). */
export type Encodable<T> = T extends Uint8Array | bigint | number | string | boolean ? T : T extends readonly (infer E)[] ? readonly Encodable<E>[] : { [K in keyof T]?: Encodable<T[K]> };

// ---- the descriptor, read without protobufjs ----

interface JsonField {
  type: string;
  id: number;
  rule?: string;
  options?: Record<string, unknown>;
}
interface JsonNode {
  fields?: Record<string, JsonField>;
  oneofs?: Record<string, { oneof: string[] }>;
  values?: Record<string, number>;
  options?: Record<string, unknown>;
  nested?: Record<string, JsonNode>;
}

const root = descriptor as unknown as JsonNode;

function node(fullName: string): JsonNode | undefined {
  let n: JsonNode | undefined = root;
  for (const part of fullName.split('.')) n = n?.nested?.[part];
  return n;
}

/** Resolves a type name as protobuf does: from the innermost scope outwards. */
function resolve(scope: string, name: string): string {
  const parts = scope.split('.');
  for (let i = parts.length; i >= 0; i--) {
    const full = [...parts.slice(0, i), name].join('.');
    if (node(full)) return full;
  }
  throw new Error(`proto/etcd: ${name} (in ${scope}) is not defined`);
}

const SCALARS: Record<string, ScalarKind> = {
  uint64: 'uint64',
  int64: 'int64',
  sint64: 'sint64',
  uint32: 'uint32',
  int32: 'int32',
  bool: 'bool',
  fixed64: 'fixed64',
  fixed32: 'fixed32',
  bytes: 'bytes',
  string: 'string',
};

const specs = new Map<string, MessageSpec>();

/** The message `fullName` of proto/etcd (e.g. `raftpb.Entry`); its fields are read on first use. */
export function spec(fullName: string): MessageSpec {
  let s = specs.get(fullName);
  if (s) return s;
  const n = node(fullName);
  if (!n?.fields) throw new Error(`proto/etcd: no message ${fullName}`);
  let fields: FieldSpec[] | undefined;
  const proto2 = n.options?.['(walt.proto2)'] === true;
  s = {
    name: fullName,
    proto2,
    get fields() {
      return (fields ??= fieldsOf(fullName, n, proto2));
    },
  };
  specs.set(fullName, s);
  return s;
}

function fieldsOf(fullName: string, n: JsonNode, proto2: boolean): FieldSpec[] {
  const oneofOf = new Map<string, string>();
  for (const [name, o] of Object.entries(n.oneofs ?? {})) for (const f of o.oneof) oneofOf.set(f, name);
  return Object.entries(n.fields!).map(([name, f]): FieldSpec => {
    const repeated = f.rule === 'repeated';
    const oneof = oneofOf.get(name);
    const nonNullable = f.options?.['(gogoproto.nullable)'] === false;
    const base = { no: f.id, name, repeated, oneof, always: proto2 && nonNullable && !repeated };
    const scalar = SCALARS[f.type];
    if (scalar) return { ...base, kind: scalar, presence: !repeated && (oneof !== undefined || (proto2 && !nonNullable)) };
    const target = resolve(fullName, f.type);
    const t = node(target)!;
    if (t.values) {
      const enumNames = Object.fromEntries(Object.entries(t.values).map(([k, v]) => [v, k]));
      return { ...base, kind: 'enum', enumNames, presence: !repeated && (oneof !== undefined || (proto2 && !nonNullable)) };
    }
    return { ...base, kind: 'message', msg: () => spec(target), presence: false };
  });
}

/** The values of an enum of proto/etcd by number, e.g. enumNames('etcdserverpb.AlarmType')[1] === 'NOSPACE'. */
export function enumNames(fullName: string): Readonly<Record<number, string>> {
  const values = node(fullName)?.values;
  if (!values) throw new Error(`proto/etcd: no enum ${fullName}`);
  return Object.fromEntries(Object.entries(values).map(([k, v]) => [v, k]));
}

// ---- the strict check ----

/** Per message, by field number: the wire type a field must have (-1: unknown field), and its message, if any. */
interface CheckInfo {
  wire: Int8Array;
  packable: Uint8Array;
  msgs: Array<MessageSpec | undefined>;
  oneof: Array<string | undefined>;
  names: string[];
}
const checkInfo = new WeakMap<MessageSpec, CheckInfo>();

function infoOf(s: MessageSpec): CheckInfo {
  let info = checkInfo.get(s);
  if (info) return info;
  const max = Math.max(0, ...s.fields.map((f) => f.no));
  info = { wire: new Int8Array(max + 1).fill(-1), packable: new Uint8Array(max + 1), msgs: [], oneof: [], names: [] };
  for (const f of s.fields) {
    info.wire[f.no] = wireTypeOf(f.kind);
    info.packable[f.no] = f.repeated && f.kind !== 'bytes' && f.kind !== 'string' && f.kind !== 'message' ? 1 : 0;
    info.msgs[f.no] = f.kind === 'message' ? f.msg!() : undefined;
    info.oneof[f.no] = f.oneof;
    info.names[f.no] = f.name;
  }
  checkInfo.set(s, info);
  return info;
}

function wireTypeOf(kind: FieldSpec['kind']): number {
  switch (kind) {
    case 'fixed64':
      return WireType.FIXED64;
    case 'fixed32':
      return WireType.FIXED32;
    case 'bytes':
    case 'string':
    case 'message':
      return WireType.LEN;
    default:
      return WireType.VARINT;
  }
}

/** A oneof's members that a later member overrode, by the offset of the message they are in. */
type Overridden = Map<number, string[]>;

/**
 * Walks the message as gogo's Unmarshal would and throws where it fails. A
 * oneof with more than one member on the wire keeps the last, as gogo does;
 * the others are returned by the offset of their message (rare: etcd writes one).
 */
function check(s: MessageSpec, buf: Uint8Array, start: number, end: number, overridden: Overridden | undefined): Overridden | undefined {
  const { wire, packable, msgs, oneof, names } = infoOf(s);
  const r = new ProtoReader(buf, start, end);
  // The first oneof member seen; the members of each oneof in wire order once a second one comes.
  let firstGroup: string | undefined;
  let firstName: string | undefined;
  let members: Map<string, string[]> | undefined;
  while (r.pos < end) {
    const at = r.pos;
    const t = r.tag();
    const wt = t & 7;
    const no = t >>> 3;
    if (no === 0) throw new ProtoError(`${s.name}: illegal field number 0`, at);
    if (wt === WireType.END_GROUP) throw new ProtoError(`${s.name}: end-group tag outside a group`, at);
    const want = no < wire.length ? wire[no] : -1;
    if (want < 0) {
      r.skip(wt);
      continue;
    }
    const packed = wt === WireType.LEN && packable[no] === 1;
    if (wt !== want && !packed) throw new ProtoError(`${s.name}: wrong wire type ${wt} for field ${names[no]}`, at);
    const group = oneof[no];
    if (group !== undefined) {
      const name = names[no];
      if (members === undefined && firstGroup === undefined) {
        firstGroup = group;
        firstName = name;
      } else if (members !== undefined || firstGroup !== group || firstName !== name) {
        members ??= new Map([[firstGroup!, [firstName!]]]);
        members.set(group, [...(members.get(group) ?? []).filter((n) => n !== name), name]);
      }
    }
    const sub = msgs[no];
    if (sub !== undefined) {
      const from = r.delimited();
      overridden = check(sub, buf, from, r.pos, overridden);
    } else if (packed) {
      const inner = new ProtoReader(buf, r.delimited(), r.pos);
      while (!inner.done()) inner.skip(want);
    } else {
      r.skip(wt);
    }
  }
  if (members) {
    for (const list of members.values()) {
      if (list.length < 2) continue;
      overridden ??= new Map();
      overridden.set(start, [...(overridden.get(start) ?? []), ...list.slice(0, -1)]);
    }
  }
  return overridden;
}

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
  const pb = createRequire(import.meta.url)('protobufjs/light') as typeof Protobuf;

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
function dropOverridden(s: MessageSpec, m: Msg, buf: Uint8Array, start: number, end: number, overridden: Overridden): void {
  for (const name of overridden.get(start) ?? []) m[name] = undefined;
  const { msgs, names } = infoOf(s);
  const r = new ProtoReader(buf, start, end);
  const seen = new Map<string, number>();
  // A repeated field's elements come in wire order; a singular field holds its last occurrence.
  const last = new Map<string, [number, number]>();
  while (!r.done()) {
    const t = r.tag();
    const sub = msgs[t >>> 3];
    if (sub === undefined) {
      r.skip(t & 7);
      continue;
    }
    const name = names[t >>> 3];
    const from = r.delimited();
    const v = m[name];
    if (Array.isArray(v)) {
      const i = seen.get(name) ?? 0;
      seen.set(name, i + 1);
      dropOverridden(sub, v[i], buf, from, r.pos, overridden);
    } else last.set(name, [from, r.pos]);
  }
  for (const [name, [from, to]] of last) dropOverridden(msgs[infoOf(s).names.indexOf(name)]!, m[name], buf, from, to, overridden);
}

// ---- encoding ----

const zero = (kind: FieldSpec['kind']): unknown => {
  const z = zeroOf(kind);
  return z === undefined ? (kind === 'string' ? '' : kind === 'bytes' ? new Uint8Array() : undefined) : z === '0n' ? 0n : z === 'false' ? false : 0;
};

function isZero(v: unknown): boolean {
  return v === undefined || v === null || v === 0 || v === 0n || v === false || v === '';
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
    } else if (f.presence || f.kind === 'bytes') {
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
