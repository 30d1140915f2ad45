/**
 * The keys a request touches: the key (and range end) of a put, a delete, a
 * range, and of every operation in a txn's branches and compares, nested txns
 * included. For `dump --key/--prefix` and the key-prefix statistics.
 */
import type { Msg } from './proto/schema.js';
import type { DecodedRequest } from './request.js';

export interface KeyRef {
  op: 'put' | 'delete_range' | 'range' | 'compare';
  key: Uint8Array;
  rangeEnd?: Uint8Array;
}

function* opKeys(req: Msg | undefined): Generator<KeyRef> {
  if (!req) return;
  if (req.put ?? req.request_put) {
    const p = req.put ?? req.request_put;
    yield { op: 'put', key: p.key ?? new Uint8Array(0) };
  }
  const d = req.delete_range ?? req.request_delete_range;
  if (d) yield { op: 'delete_range', key: d.key ?? new Uint8Array(0), rangeEnd: d.range_end };
  const r = req.range ?? req.request_range;
  if (r) yield { op: 'range', key: r.key ?? new Uint8Array(0), rangeEnd: r.range_end };
  const t = req.txn ?? req.request_txn;
  if (t) {
    for (const c of t.compare ?? []) yield { op: 'compare', key: c.key ?? new Uint8Array(0), rangeEnd: c.range_end };
    for (const op of [...(t.success ?? []), ...(t.failure ?? [])]) yield* opKeys(op);
  }
}

export function requestKeys(d: DecodedRequest): KeyRef[] {
  return d.wire === 'InternalRaftRequest' ? [...opKeys(d.message)] : [];
}

const startsWith = (b: Uint8Array, prefix: Uint8Array) => b.length >= prefix.length && Buffer.compare(b.subarray(0, prefix.length), prefix) === 0;

/**
 * Whether a key reference covers `key`, with etcd's range semantics: no range
 * end is the key alone; "\0" is every key from `key` on; otherwise [key, end).
 */
export function refCovers(ref: KeyRef, key: Uint8Array): boolean {
  const end = ref.rangeEnd;
  if (!end || end.length === 0) return Buffer.compare(ref.key, key) === 0;
  if (Buffer.compare(key, ref.key) < 0) return false;
  return (end.length === 1 && end[0] === 0) || Buffer.compare(key, end) < 0;
}

/** Whether a key reference touches any key under `prefix` (its own key, or a range overlapping the prefix). */
export function refTouchesPrefix(ref: KeyRef, prefix: Uint8Array): boolean {
  if (startsWith(ref.key, prefix)) return true;
  const end = ref.rangeEnd;
  if (!end || end.length === 0) return false;
  // A range [key, end) that starts before the prefix overlaps it when it ends after the prefix begins.
  return Buffer.compare(ref.key, prefix) < 0 && ((end.length === 1 && end[0] === 0) || Buffer.compare(end, prefix) > 0);
}
