/**
 * The keys a request touches: the key (and range end) of a put, a delete, a
 * range, and of every operation in a txn's branches and compares, nested txns
 * included. For `dump --key/--prefix` and the key-prefix statistics.
 */
import type { etcdserverpb } from './proto/etcd.gen.js';
import type { DecodedRequest } from './request.js';

export interface KeyRef {
  op: 'put' | 'delete_range' | 'range' | 'compare';
  key: Uint8Array;
  rangeEnd?: Uint8Array;
}

/** An InternalRaftRequest or a txn's RequestOp: the operations that name keys. */
type Ops = Partial<Pick<etcdserverpb.InternalRaftRequest, 'put' | 'delete_range' | 'range' | 'txn'>> & etcdserverpb.RequestOp;

/** Walks a request (or a txn's RequestOp) into `out`; a loop, not a generator: a dump calls it for every entry. */
function opKeys(req: Ops | undefined, out: KeyRef[]): void {
  if (!req) return;
  const p = req.put ?? req.request_put;
  if (p) out.push({ op: 'put', key: p.key ?? EMPTY });
  const d = req.delete_range ?? req.request_delete_range;
  if (d) out.push({ op: 'delete_range', key: d.key ?? EMPTY, rangeEnd: d.range_end });
  const r = req.range ?? req.request_range;
  if (r) out.push({ op: 'range', key: r.key ?? EMPTY, rangeEnd: r.range_end });
  const t = req.txn ?? req.request_txn;
  if (t) {
    for (const c of t.compare ?? []) out.push({ op: 'compare', key: c.key ?? EMPTY, rangeEnd: c.range_end });
    for (const op of t.success ?? []) opKeys(op, out);
    for (const op of t.failure ?? []) opKeys(op, out);
  }
}

const EMPTY = new Uint8Array(0);

export function requestKeys(d: DecodedRequest): KeyRef[] {
  const out: KeyRef[] = [];
  if (d.wire === 'InternalRaftRequest') opKeys(d.message, out);
  return out;
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

/** clientv3's GetPrefixRangeEnd: the prefix with its last byte below 0xff incremented; "\0" (every key) when there is none. */
export function prefixRangeEnd(prefix: Uint8Array): Uint8Array {
  const end = Buffer.from(prefix);
  for (let i = end.length - 1; i >= 0; i--) {
    if (end[i] < 0xff) {
      end[i]++;
      return end.subarray(0, i + 1);
    }
  }
  return new Uint8Array([0]);
}
