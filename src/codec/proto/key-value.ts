/**
 * mvccpb.KeyValue, the `key` bucket's value, written by hand straight into
 * the page that holds it (a restore writes one per kept revision). The bytes
 * are those of encodeMessage(KeyValueSpec) (message.ts): fields in number
 * order, an int64 left out when zero and written as its two's-complement
 * uint64 varint when negative, key and value left out when empty (mvccpb is
 * proto3: gogo writes `len(m.Value) > 0`). test/codec/key-value.test.ts
 * holds the two equal, and equal to etcd's rows.
 */

export interface KeyValueFields {
  /** The key's bytes as a latin1 string (one character per byte), as the state layer holds keys. */
  key: string;
  createRevision: bigint;
  modRevision: bigint;
  version: bigint;
  /** Undefined or empty leaves the field out (a tombstone's KeyValue{key}, a put of an empty value). */
  value: Uint8Array | undefined;
  lease: bigint;
}

const KEY = (1 << 3) | 2;
const CREATE_REVISION = 2 << 3;
const MOD_REVISION = 3 << 3;
const VERSION = 4 << 3;
const VALUE = (5 << 3) | 2;
const LEASE = 6 << 3;

/** Below 2^53 a varint is worked out with numbers; beyond, and for negatives, with bigint. */
const EXACT = BigInt(Number.MAX_SAFE_INTEGER);

function uvarintSize(v: number): number {
  let n = 1;
  while (v >= 0x80) {
    v = Math.floor(v / 0x80);
    n++;
  }
  return n;
}

function int64Size(v: bigint): number {
  if (v >= 0n && v <= EXACT) return uvarintSize(Number(v));
  let u = BigInt.asUintN(64, v);
  let n = 1;
  for (; u >= 0x80n; u >>= 7n) n++;
  return n;
}

function putUvarint(buf: Buffer, at: number, v: number): number {
  while (v >= 0x80) {
    buf[at++] = (v % 0x80) | 0x80;
    v = Math.floor(v / 0x80);
  }
  buf[at++] = v;
  return at;
}

function putInt64(buf: Buffer, at: number, v: bigint): number {
  if (v >= 0n && v <= EXACT) return putUvarint(buf, at, Number(v));
  let u = BigInt.asUintN(64, v);
  for (; u >= 0x80n; u >>= 7n) buf[at++] = Number(u & 0x7fn) | 0x80;
  buf[at++] = Number(u);
  return at;
}

/** An int64 field's bytes, tag included; none when it is zero. */
const int64FieldSize = (v: bigint): number => (v === 0n ? 0 : 1 + int64Size(v));

function putInt64Field(buf: Buffer, at: number, tag: number, v: bigint): number {
  if (v === 0n) return at;
  buf[at] = tag;
  return putInt64(buf, at + 1, v);
}

/** The encoded size of `kv`. */
export function keyValueSize(kv: KeyValueFields): number {
  let n = kv.key.length === 0 ? 0 : 1 + uvarintSize(kv.key.length) + kv.key.length;
  n += int64FieldSize(kv.createRevision) + int64FieldSize(kv.modRevision) + int64FieldSize(kv.version);
  if (kv.value !== undefined && kv.value.length > 0) n += 1 + uvarintSize(kv.value.length) + kv.value.length;
  return n + int64FieldSize(kv.lease);
}

/** Writes `kv` at buf[at], which has keyValueSize(kv) bytes of room; returns where it ends. */
export function writeKeyValue(buf: Buffer, at: number, kv: KeyValueFields): number {
  if (kv.key.length > 0) {
    buf[at] = KEY;
    at = putUvarint(buf, at + 1, kv.key.length);
    at += buf.write(kv.key, at, 'latin1');
  }
  at = putInt64Field(buf, at, CREATE_REVISION, kv.createRevision);
  at = putInt64Field(buf, at, MOD_REVISION, kv.modRevision);
  at = putInt64Field(buf, at, VERSION, kv.version);
  if (kv.value !== undefined && kv.value.length > 0) {
    buf[at] = VALUE;
    at = putUvarint(buf, at + 1, kv.value.length);
    buf.set(kv.value, at);
    at += kv.value.length;
  }
  return putInt64Field(buf, at, LEASE, kv.lease);
}
