/**
 * A txn's compares (etcdserver/apply.go applyCompare, compareKV): each names
 * a key or, from 3.5 on, a range (range_end), a target and a value. Every key
 * in the range must satisfy it; an empty range compares a zero KeyValue
 * instead, so `create_revision = 0` asks "is the key absent?", except that a
 * VALUE compare on no key always fails (gRPC cannot tell nil from "").
 */
import { etcdserverpb } from '../codec/proto/etcdserverpb.js';
import { compareBytes, latin1, type Kv } from './kv.js';
import type { MvccStore } from './mvcc.js';

export import CompareTarget = etcdserverpb.Compare.CompareTarget;
export import CompareResult = etcdserverpb.Compare.CompareResult;
type Compare = etcdserverpb.Compare;

const ZERO_KV: Kv = { key: '', createRevision: 0n, modRevision: 0n, version: 0n, value: '', lease: 0n };

const cmp = (a: bigint, b: bigint): number => (a < b ? -1 : a > b ? 1 : 0);

/** mkGteRange: a range end of "\0" means every key from the start on, written as an empty end. */
export function rangeEnd(end: Uint8Array | undefined): string | undefined {
  if (end === undefined) return undefined;
  return end.length === 1 && end[0] === 0 ? '' : latin1(end);
}

/** applyCompares: all must hold, read at the store's current revision. */
export function compareAll(store: MvccStore, compares: readonly Compare[]): boolean {
  return compares.every((c) => applyCompare(store, c));
}

function applyCompare(store: MvccStore, c: Compare): boolean {
  // Only a VALUE compare reads the value: the others leave it unread (from a restore's spill file, a read each).
  const withValue = c.target === CompareTarget.VALUE;
  const key = latin1(c.key ?? new Uint8Array());
  const end = rangeEnd(c.range_end);
  if (end === undefined) {
    // One key, as the API server compares a mod revision: read alone, without the lists a range makes.
    const kv = store.kvNow(key, withValue);
    return kv === undefined ? compareAbsent(c) : compareKv(c, kv);
  }
  const { kvs, count } = store.rangeAs(key, end, store.currentRev, {}, (ki, at) => ki.kvAt(at, withValue)!);
  if (count === 0) return compareAbsent(c);
  for (const kv of kvs) if (!compareKv(c, kv)) return false;
  return true;
}

/** No key in range: a zero KeyValue is compared, except that a VALUE compare fails. */
const compareAbsent = (c: Compare): boolean => c.target !== CompareTarget.VALUE && compareKv(c, ZERO_KV);

/** The compared value is the oneof member matching the target; another member, or none, compares as zero. */
function compareKv(c: Compare, kv: Kv): boolean {
  let result: number;
  switch (c.target) {
    case CompareTarget.VALUE:
      result = compareBytes(kv.value, c.value === undefined ? '' : latin1(c.value));
      break;
    case CompareTarget.CREATE:
      result = cmp(kv.createRevision, c.create_revision ?? 0n);
      break;
    case CompareTarget.MOD:
      result = cmp(kv.modRevision, c.mod_revision ?? 0n);
      break;
    case CompareTarget.VERSION:
      result = cmp(kv.version, c.version ?? 0n);
      break;
    case CompareTarget.LEASE:
      result = cmp(kv.lease, c.lease ?? 0n);
      break;
    default:
      result = 0;
  }
  switch (c.result) {
    case CompareResult.EQUAL:
      return result === 0;
    case CompareResult.NOT_EQUAL:
      return result !== 0;
    case CompareResult.GREATER:
      return result > 0;
    case CompareResult.LESS:
      return result < 0;
    default:
      return true;
  }
}
