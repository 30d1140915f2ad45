/**
 * A Kubernetes object's protobuf bytes as the JSON the API server prints,
 * walked field by field with protobufjs's Reader and the types of
 * k8s-schema.ts. Not protobufjs's Type.decode: that drops the fields a type
 * does not declare, and walt keeps them, by number, with their wire values
 * as `protoc --decode_raw` shows them (decodeRaw).
 *
 * Values: strings, booleans, int32 as numbers, int64 as bigint (exact),
 * bytes as Uint8Array (the caller prints base64, as Kubernetes' JSON does).
 * Fields come in the order the .proto declares them (Kubernetes' Go structs,
 * so the API server's JSON order), then unknown ones by number. Every field on the wire
 * is shown (Kubernetes writes each non-pointer field, zero or not) except
 * empty strings, which kubectl's omitempty drops.
 */
import { isUtf8 } from 'node:buffer';
import protobuf from 'protobufjs';
import { META } from './k8s-schema.js';

export type K8sJson = string | number | bigint | boolean | null | Uint8Array | K8sJson[] | { [key: string]: K8sJson };
export type K8sJsonObject = { [key: string]: K8sJson };

export interface WalkOptions {
  /** Nesting deeper than this stops the walk there (protobuf's own default limit is 100). */
  maxDepth: number;
}

export const DEFAULT_WALK: WalkOptions = { maxDepth: 64 };

/** What a walk found besides the object: the first place it stopped short, if any. */
export interface WalkState {
  readonly opts: WalkOptions;
  error?: string;
}

const WIRE = { VARINT: 0, FIXED64: 1, LEN: 2, FIXED32: 5 } as const;

/**
 * Fields Go embeds with `json:",inline"` (k8s.io/api/core/v1/types.go): their
 * members print in the enclosing object.
 */
const INLINE = new Set([
  'k8s.io.api.core.v1.Volume.volumeSource',
  'k8s.io.api.core.v1.ConfigMapKeySelector.localObjectReference',
  'k8s.io.api.core.v1.SecretKeySelector.localObjectReference',
  'k8s.io.api.core.v1.ConfigMapEnvSource.localObjectReference',
  'k8s.io.api.core.v1.SecretEnvSource.localObjectReference',
  'k8s.io.api.core.v1.ConfigMapVolumeSource.localObjectReference',
  'k8s.io.api.core.v1.ConfigMapProjection.localObjectReference',
  'k8s.io.api.core.v1.SecretProjection.localObjectReference',
]);

/** Messages that print as one JSON value, as their Go types marshal themselves. */
const SCALAR_MESSAGES: Record<string, (m: K8sJsonObject) => K8sJson> = {
  // metav1.Time: RFC 3339 in UTC to the second; the zero time is an empty message and prints null.
  [`${META}.Time`]: (m) => (m.seconds === undefined && m.nanos === undefined ? null : rfc3339(m, false)),
  // metav1.MicroTime: RFC 3339 with microseconds.
  [`${META}.MicroTime`]: (m) => (m.seconds === undefined && m.nanos === undefined ? null : rfc3339(m, true)),
  // The managed fields' set, stored as its JSON text.
  [`${META}.FieldsV1`]: (m) => (m.Raw instanceof Uint8Array ? jsonOrText(m.Raw) : null),
  // intstr.IntOrString: type 0 is intVal, 1 strVal.
  'k8s.io.apimachinery.pkg.util.intstr.IntOrString': (m) => (m.type === 1n ? ((m.strVal as string) ?? '') : ((m.intVal as number) ?? 0)),
  // resource.Quantity: its canonical text.
  'k8s.io.apimachinery.pkg.api.resource.Quantity': (m) => (m.string as string) ?? '',
};

/** Go's time.RFC3339 (or with microseconds, metav1.MicroTime's format) in UTC; a time JavaScript cannot hold stays {seconds, nanos}. */
function rfc3339(m: K8sJsonObject, micro: boolean): K8sJson {
  const date = new Date(Number((m.seconds as bigint | undefined) ?? 0n) * 1000);
  if (Number.isNaN(date.getTime())) return m;
  const iso = date.toISOString().slice(0, 19);
  const nanos = (m.nanos as number | undefined) ?? 0;
  return micro ? `${iso}.${String(Math.floor(nanos / 1000)).padStart(6, '0')}Z` : `${iso}Z`;
}

function jsonOrText(b: Uint8Array): K8sJson {
  const text = Buffer.from(b.buffer, b.byteOffset, b.length).toString('utf8');
  try {
    return JSON.parse(text) as K8sJson;
  } catch {
    return text;
  }
}

/** The message in `bytes` as `type` declares it; unknown fields by number. What decoded before damage is kept, the damage named in `state`. */
export function walkMessage(type: protobuf.Type, bytes: Uint8Array, state: WalkState, depth = 0): K8sJson {
  const declared = new Map<number, K8sJson[]>();
  // By number: fields the type does not declare, and declared ones whose wire type is not the declared one.
  const unknown = new Map<number, K8sJson[]>();
  const add = (m: Map<number, K8sJson[]>, id: number, v: K8sJson) => (m.get(id) ?? (m.set(id, []), m.get(id)!)).push(v);
  const r = protobuf.Reader.create(bytes);
  try {
    if (depth > state.opts.maxDepth) throw new Error(`nested deeper than ${state.opts.maxDepth}`);
    while (r.pos < r.len) {
      const tag = r.uint32();
      const id = tag >>> 3;
      const f = type.fieldsById[id];
      const v = f ? fieldValue(f, tag & 7, r, state, depth) : undefined;
      if (v === undefined) add(unknown, id, rawValue(tag & 7, r, state, depth + 1));
      else if (v instanceof Packed) for (const x of v.values) add(declared, id, x);
      else add(declared, id, v);
    }
  } catch (e) {
    state.error ??= `${type.fullName.slice(1)} at byte ${r.pos}: ${(e as Error).message}`;
  }
  const out: K8sJsonObject = {};
  for (const f of type.fieldsArray) {
    const values = declared.get(f.id);
    if (!values) continue;
    if (f.map) out[f.name] = Object.fromEntries(values as unknown as Array<[string, K8sJson]>);
    else if (INLINE.has(`${type.fullName.slice(1)}.${f.name}`)) Object.assign(out, values.at(-1));
    else if (f.repeated) out[f.name] = values;
    else if (values.at(-1) !== '') out[f.name] = values.at(-1)!;
  }
  for (const [id, values] of unknown) out[id] = values.length === 1 ? values[0] : values;
  const asValue = SCALAR_MESSAGES[type.fullName.slice(1)];
  return asValue ? asValue(out) : out;
}

/** Several values of a packed repeated field. */
class Packed {
  constructor(readonly values: K8sJson[]) {}
}

/**
 * A declared field's value, or undefined when its wire type is not the one
 * the declaration expects (then it is kept as a raw value).
 */
function fieldValue(f: protobuf.Field, wire: number, r: protobuf.Reader, state: WalkState, depth: number): K8sJson | Packed | undefined {
  if (f instanceof protobuf.MapField) return wire === WIRE.LEN ? (entryOf(f, r.bytes(), state, depth + 1) as unknown as K8sJson) : undefined;
  if (f.resolvedType instanceof protobuf.Type) return wire === WIRE.LEN ? walkMessage(f.resolvedType, r.bytes(), state, depth + 1) : undefined;
  if (f.repeated && wire === WIRE.LEN && f.type !== 'string' && f.type !== 'bytes') {
    // A packed repeated scalar: proto2 writes them one by one, but a reader must take both.
    const sub = protobuf.Reader.create(r.bytes());
    const values: K8sJson[] = [];
    while (sub.pos < sub.len) values.push(scalar(f.type, WIRE.VARINT, sub)!);
    return new Packed(values);
  }
  return scalar(f.type, wire, r);
}

function scalar(type: string, wire: number, r: protobuf.Reader): K8sJson | undefined {
  switch (type) {
    case 'string':
      return wire === WIRE.LEN ? r.string() : undefined;
    case 'bytes':
      return wire === WIRE.LEN ? r.bytes() : undefined;
    case 'bool':
      return wire === WIRE.VARINT ? r.bool() : undefined;
    case 'int32':
      return wire === WIRE.VARINT ? r.int32() : undefined;
    case 'int64':
      return wire === WIRE.VARINT ? BigInt(r.int64().toString()) : undefined;
    default:
      throw new Error(`walt's .proto files declare a ${type} field, which k8s-walk.ts does not read`);
  }
}

/** A map entry (key 1, value 2) as [key, value]. */
function entryOf(f: protobuf.MapField, bytes: Uint8Array, state: WalkState, depth: number): [string, K8sJson] {
  const r = protobuf.Reader.create(bytes);
  let key = '';
  const type = f.resolvedType instanceof protobuf.Type ? f.resolvedType : undefined;
  // An entry may leave its value out: the value type's zero.
  let value: K8sJson = type ? walkMessage(type, new Uint8Array(0), state, depth) : f.type === 'bytes' ? new Uint8Array(0) : '';
  while (r.pos < r.len) {
    const tag = r.uint32();
    if (tag === ((1 << 3) | WIRE.LEN)) key = r.string();
    else if (tag >>> 3 === 2 && type && (tag & 7) === WIRE.LEN) value = walkMessage(type, r.bytes(), state, depth);
    else if (tag >>> 3 === 2) value = scalar(f.type, tag & 7, r) ?? rawValue(tag & 7, r, state, depth);
    else r.skipType(tag & 7);
  }
  return [key, value];
}

// ---- decode_raw ------------------------------------------------------------

/**
 * One wire value with no declaration to read it by, as `protoc --decode_raw`
 * shows it: a varint as its unsigned value, fixed64 and fixed32 as hex, and
 * length-delimited bytes as text when they are printable UTF-8, else as a
 * message when they parse as one, else as text (valid UTF-8) or base64.
 * protoc tries the message first; text first keeps names from reading as
 * messages by chance.
 */
function rawValue(wire: number, r: protobuf.Reader, state: WalkState, depth: number): K8sJson {
  switch (wire) {
    case WIRE.VARINT:
      return BigInt(r.uint64().toString());
    case WIRE.FIXED64:
      return `0x${BigInt(r.fixed64().toString()).toString(16).padStart(16, '0')}`;
    case WIRE.FIXED32:
      return `0x${r.fixed32().toString(16).padStart(8, '0')}`;
    case WIRE.LEN:
      return rawBytes(r.bytes(), state, depth);
    default:
      throw new Error(`wire type ${wire}, which no Kubernetes object uses`);
  }
}

const PRINTABLE = /^[^\p{Cc}\p{Cs}]*$/u;

function rawBytes(b: Uint8Array, state: WalkState, depth: number): K8sJson {
  const text = isUtf8(b) ? Buffer.from(b.buffer, b.byteOffset, b.length).toString('utf8') : undefined;
  if (text !== undefined && PRINTABLE.test(text)) return text;
  if (depth <= state.opts.maxDepth) {
    const m = decodeRaw(b, state, depth);
    if (m !== undefined) return m;
  }
  return text ?? { base64: Buffer.from(b.buffer, b.byteOffset, b.length).toString('base64') };
}

/** The bytes as a message of unknown type, or undefined when they are not one (a wire type or length that does not fit). */
function decodeRaw(b: Uint8Array, state: WalkState, depth = 0): K8sJsonObject | undefined {
  const r = protobuf.Reader.create(b);
  const out: K8sJsonObject = {};
  try {
    while (r.pos < r.len) {
      const tag = r.uint32();
      if (tag >>> 3 === 0) return undefined;
      const v = rawValue(tag & 7, r, state, depth + 1);
      const id = String(tag >>> 3);
      const had = out[id];
      // A field number seen again is a repeated field: its values in an array (no single raw value is one).
      out[id] = had === undefined ? v : Array.isArray(had) ? (had.push(v), had) : [had, v];
    }
  } catch {
    return undefined;
  }
  return out;
}
