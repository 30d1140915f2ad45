/**
 * A small declarative protobuf engine: a message is a list of fields, and one
 * decoder and one encoder serve every etcd message that is not on a hot path.
 * Decoded messages are plain objects with bigint for 64-bit integers (protobufjs
 * would give Long objects or lose precision; see the README).
 *
 * Field presence follows the dialects etcd uses: gogoproto's proto2 with
 * (nullable) = false writes a scalar even when it is zero (`always`); proto3
 * writes only non-zero scalars; proto3 oneof members and proto2 nullable
 * fields (Go pointers) are written whenever set, even to zero (`presence`),
 * and etcd acts on the difference: Compare{create_revision: 0} asks whether a
 * key is absent, a v2 Request with PrevExist=false is `mk`, without it `set`.
 *
 * Decoding is as strict as gogoproto's generated Unmarshal (e.g.
 * etcdserver/etcdserverpb/rpc.pb.go): field number 0, a stray end-group tag
 * and a known field with the wrong wire type are errors. etcd relies on that
 * to tell a bare v2 Request from an InternalRaftRequest (etcdserver/server.go
 * applyEntryNormal).
 */
import { ProtoReader, ProtoWriter, WireType } from './wire.js';
import { ProtoError } from '../errors.js';

export type ScalarKind = 'uint64' | 'int64' | 'sint64' | 'uint32' | 'int32' | 'bool' | 'enum' | 'fixed64' | 'fixed32' | 'bytes' | 'string';

export interface FieldSpec {
  no: number;
  name: string;
  kind: ScalarKind | 'message';
  repeated?: boolean;
  /** Packed encoding for repeated scalars (proto3's default). */
  packed?: boolean;
  /** Written even when zero (gogoproto non-nullable proto2 fields). */
  always?: boolean;
  /** Decodes to undefined when absent; written whenever defined, even as zero. */
  presence?: boolean;
  /** Name of the oneof this field belongs to: reading one member clears the others. */
  oneof?: string;
  msg?: () => MessageSpec;
  /** Names of enum values, for display. */
  enumNames?: Record<number, string>;
}

export interface MessageSpec {
  name: string;
  fields: FieldSpec[];
}

/** Decoded message: field name → value; unset bytes/messages are undefined, repeated fields are arrays. */
export type Msg = Record<string, any>;

interface SpecInfo {
  byNo: Map<number, FieldSpec>;
  /** Fields in field-number order: gogoproto marshals in that order whatever the .proto order. */
  sorted: FieldSpec[];
  /** Defaults set on every decoded message: zero scalars and empty lists, not presence fields. */
  defaults: Array<[string, () => unknown]>;
  /** For each oneof member, the other members of its oneof. */
  siblings: Map<FieldSpec, FieldSpec[]>;
}

const infoCache = new WeakMap<MessageSpec, SpecInfo>();

function infoOf(spec: MessageSpec): SpecInfo {
  let info = infoCache.get(spec);
  if (info) return info;
  const siblings = new Map<FieldSpec, FieldSpec[]>();
  for (const f of spec.fields) if (f.oneof) siblings.set(f, spec.fields.filter((g) => g !== f && g.oneof === f.oneof));
  info = {
    byNo: new Map(spec.fields.map((f) => [f.no, f])),
    sorted: [...spec.fields].sort((a, b) => a.no - b.no),
    defaults: spec.fields.filter((f) => !f.presence && (f.repeated || zero(f) !== undefined)).map((f) => [f.name, f.repeated ? () => [] : constant(zero(f))]),
    siblings,
  };
  infoCache.set(spec, info);
  return info;
}

const constant = (v: unknown) => () => v;

function zero(f: FieldSpec): unknown {
  switch (f.kind) {
    case 'uint64':
    case 'int64':
    case 'sint64':
    case 'fixed64':
      return 0n;
    case 'uint32':
    case 'int32':
    case 'enum':
    case 'fixed32':
      return 0;
    case 'bool':
      return false;
    default:
      return undefined;
  }
}

function readScalar(r: ProtoReader, kind: ScalarKind): unknown {
  switch (kind) {
    case 'uint64':
      return r.uint64();
    case 'int64':
      return r.int64();
    case 'sint64':
      return r.sint64();
    case 'uint32':
      return r.uint32();
    case 'int32':
    case 'enum':
      return r.int32();
    case 'bool':
      return r.bool();
    case 'fixed64':
      return r.fixed64();
    case 'fixed32':
      return r.fixed32();
    case 'bytes':
      return r.bytes();
    case 'string':
      return r.string();
  }
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

export function decodeMessage(spec: MessageSpec, buf: Uint8Array, start = 0, end = buf.length): Msg {
  const { byNo, defaults, siblings } = infoOf(spec);
  const out: Msg = {};
  for (const [name, make] of defaults) out[name] = make();
  const r = new ProtoReader(buf, start, end);
  while (!r.done()) {
    const at = r.pos;
    const t = r.tag();
    const wt = t & 7;
    if (t >>> 3 === 0) throw new ProtoError(`${spec.name}: illegal field number 0`, at);
    if (wt === WireType.END_GROUP) throw new ProtoError(`${spec.name}: end-group tag outside a group`, at);
    const f = byNo.get(t >>> 3);
    if (!f) {
      r.skip(wt);
      continue;
    }
    const packed = f.repeated && wt === WireType.LEN && f.kind !== 'bytes' && f.kind !== 'string' && f.kind !== 'message';
    if (wt !== wireTypeOf(f.kind) && !packed) throw new ProtoError(`${spec.name}: wrong wire type ${wt} for field ${f.name}`, at);
    if (f.oneof) for (const g of siblings.get(f)!) out[g.name] = undefined;
    if (f.kind === 'message') {
      // Read in place: a view per nested message costs more than the rest of decoding it.
      const from = r.delimited();
      const v = decodeMessage(f.msg!(), r.buf, from, r.pos);
      if (f.repeated) out[f.name].push(v);
      else out[f.name] = v;
    } else if (packed) {
      const inner = new ProtoReader(r.bytes());
      while (!inner.done()) out[f.name].push(readScalar(inner, f.kind));
    } else if (f.repeated) {
      out[f.name].push(readScalar(r, f.kind));
    } else {
      out[f.name] = readScalar(r, f.kind);
    }
  }
  return out;
}

function isZero(v: unknown): boolean {
  return v === undefined || v === null || v === 0 || v === 0n || v === false || v === '';
}

function writeScalar(w: ProtoWriter, kind: ScalarKind, v: any): void {
  switch (kind) {
    case 'uint64':
    case 'int64':
    case 'uint32':
    case 'int32':
    case 'enum':
      w.uint64(v);
      return;
    case 'sint64':
      w.sint64(BigInt(v));
      return;
    case 'bool':
      w.bool(v);
      return;
    case 'fixed64':
      w.fixed64(BigInt(v));
      return;
    case 'fixed32':
      w.fixed32(v);
      return;
    case 'bytes':
      w.bytes(v);
      return;
    case 'string':
      w.string(v);
      return;
  }
}

export function encodeInto(w: ProtoWriter, spec: MessageSpec, msg: Msg): void {
  for (const f of infoOf(spec).sorted) {
    const v = msg[f.name];
    if (f.repeated) {
      const list = (v ?? []) as unknown[];
      if (list.length === 0) continue;
      if (f.packed && f.kind !== 'message' && f.kind !== 'bytes' && f.kind !== 'string') {
        const inner = new ProtoWriter();
        for (const x of list) writeScalar(inner, f.kind, x);
        w.tag(f.no, WireType.LEN).bytes(inner.finish());
        continue;
      }
      for (const x of list) writeField(w, f, x);
      continue;
    }
    if (f.presence) {
      if (v !== undefined && v !== null) writeField(w, f, v);
      continue;
    }
    if (f.kind === 'message' || f.kind === 'bytes' || f.kind === 'string') {
      if (v === undefined || v === null) {
        if (f.always && f.kind === 'message') writeField(w, f, {});
        continue;
      }
      if (f.kind === 'string' && v === '' && !f.always) continue;
      writeField(w, f, v);
      continue;
    }
    if (!f.always && isZero(v)) continue;
    writeField(w, f, v ?? zero(f));
  }
}

function writeField(w: ProtoWriter, f: FieldSpec, v: any): void {
  w.tag(f.no, wireTypeOf(f.kind));
  if (f.kind === 'message') {
    const inner = new ProtoWriter();
    encodeInto(inner, f.msg!(), v);
    w.bytes(inner.finish());
  } else {
    writeScalar(w, f.kind, v);
  }
}

export function encodeMessage(spec: MessageSpec, msg: Msg): Uint8Array {
  const w = new ProtoWriter();
  encodeInto(w, spec, msg);
  return w.finish();
}

function pick(spec: MessageSpec, names: string[]): FieldSpec[] {
  return names.map((n) => {
    const f = spec.fields.find((x) => x.name === n);
    if (!f) throw new Error(`${spec.name} has no field ${n}`);
    return f;
  });
}

/** Marks proto2 fields declared with (gogoproto.nullable) = true: their zero is a value. */
export function nullable(spec: MessageSpec, ...names: string[]): MessageSpec {
  for (const f of pick(spec, names)) f.presence = true;
  return spec;
}

/** Marks the members of one oneof. */
export function oneof(spec: MessageSpec, ...names: string[]): MessageSpec {
  for (const f of pick(spec, names)) {
    f.presence = true;
    f.oneof = names.join('|');
  }
  return spec;
}

/** Field-list shorthand: [no, name, kind, options]. */
export function fields(...defs: Array<[number, string, FieldSpec['kind'], Partial<FieldSpec>?]>): FieldSpec[] {
  return defs.map(([no, name, kind, opts]) => ({ no, name, kind, ...opts }));
}
