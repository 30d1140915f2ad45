/**
 * A key-value pair as etcd returns it (mvccpb.KeyValue), and the form the
 * state layer keeps it in. Keys and values are held as latin1 strings: one
 * character per byte, so `<` on them is bytes.Compare, a Map can index them,
 * and V8 stores them at one byte per character. Converting entry data to a
 * string also copies it, which the applier must do anyway: entry data are
 * views into a reader's buffer that the next entry overwrites.
 */
export interface KeyValue {
  key: Uint8Array;
  createRevision: bigint;
  modRevision: bigint;
  version: bigint;
  value: Uint8Array;
  /** 0n when the key has no lease. */
  lease: bigint;
}

/** KeyValue with latin1 key and value: what the store holds and compares. */
export interface Kv {
  key: string;
  createRevision: bigint;
  modRevision: bigint;
  version: bigint;
  value: string;
  lease: bigint;
}

export const NO_LEASE = 0n;

export function latin1(b: Uint8Array): string {
  return Buffer.from(b.buffer, b.byteOffset, b.length).toString('latin1');
}

export function bytesOf(s: string): Buffer {
  return Buffer.from(s, 'latin1');
}

export function toKeyValue(kv: Kv): KeyValue {
  return { key: bytesOf(kv.key), createRevision: kv.createRevision, modRevision: kv.modRevision, version: kv.version, value: bytesOf(kv.value), lease: kv.lease };
}

/** bytes.Compare on latin1 strings. */
export function compareBytes(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
