/**
 * Put, delete range and txn as etcd applies them (etcdserver/apply.go
 * applierV3backend, and apply_auth.go authApplierV3 for the permission checks
 * made at apply time). A request etcd refuses throws EtcdRequestError before
 * anything is written, as etcd returns before opening its write txn.
 */
import type { etcdserverpb } from '../codec/proto/etcdserverpb.js';
import type { AuthInfo, AuthStore } from './auth.js';
import { compareAll, rangeEnd } from './compare.js';
import { EtcdRequestError, fail } from './etcd-errors.js';
import { StateError } from './errors.js';
import { bytesOf, latin1, NO_LEASE } from './kv.js';
import type { Lessor } from './lease.js';
import type { MvccStore, TxnWrite } from './mvcc.js';
import type { RuleId } from './version-rules.js';

export interface KvContext {
  store: MvccStore;
  lessor: Lessor;
  auth: AuthStore;
  /** Who the request runs as (its header). */
  info: AuthInfo;
  /** False while an alarm's applier stands in for the auth applier (apply.go Alarm). */
  checkAuth: boolean;
  /** The rules of the etcd version applying (version-rules.ts). */
  rules: { has(id: RuleId): boolean };
}

export interface KvResult {
  /** The header revision etcd answers with. */
  revision: bigint;
  succeeded?: boolean;
  deleted?: number;
}

const EMPTY = new Uint8Array();
const bytes = (b: Uint8Array | undefined): string => latin1(b ?? EMPTY);

type PutRequest = etcdserverpb.PutRequest;
type DeleteRangeRequest = etcdserverpb.DeleteRangeRequest;
type TxnRequest = etcdserverpb.TxnRequest;
type RequestOp = etcdserverpb.RequestOp;

export function applyPut(ctx: KvContext, p: PutRequest): KvResult {
  if (ctx.checkAuth) checkPutAuth(ctx, p);
  if (p.lease !== NO_LEASE && ctx.lessor.lookup(p.lease) === undefined) fail('ErrLeaseNotFound');
  const txn = ctx.store.write();
  try {
    return { revision: put(txn, p) };
  } finally {
    txn.end();
  }
}

export function applyDeleteRange(ctx: KvContext, dr: DeleteRangeRequest): KvResult {
  const key = bytes(dr.key);
  if (ctx.checkAuth) {
    ctx.auth.isDeleteRangePermitted(ctx.info, key, bytes(dr.range_end));
    if (dr.prev_kv) ctx.auth.isRangePermitted(ctx.info, key, bytes(dr.range_end));
  }
  const txn = ctx.store.write();
  const { deleted, rev } = txn.deleteRange(key, rangeEnd(dr.range_end));
  txn.end();
  return { revision: rev, deleted };
}

/**
 * applierV3backend.Txn. No client waits for a replayed entry, so etcd first
 * drops the txn's top-level range ops (server.go applyEntryNormal,
 * removeNeedlessRangeReqs); nested txns keep theirs. All compares, nested
 * ones included, read the key space as it was before the txn.
 */
export function applyTxn(ctx: KvContext, rt: TxnRequest): KvResult {
  const notRange = (op: RequestOp) => op.request_range === undefined;
  const t: TxnRequest = { compare: rt.compare, success: rt.success.filter(notRange), failure: rt.failure.filter(notRange) };
  if (ctx.checkAuth) checkTxnAuth(ctx, t);
  const path = compareToPath(ctx.store, t);
  const isWrite = [...t.success, ...t.failure].some(notRange);
  if (isWrite) walk(t, path, 0, (op) => checkPut(ctx, op));
  walk(t, path, 0, (op) => checkRange(ctx.store, op));
  if (!isWrite) return { revision: ctx.store.currentRev, succeeded: path[0] };
  const txn = ctx.store.write();
  walk(t, path, 0, (op) => applyOp(txn, op));
  txn.end();
  return { revision: txn.changed ? txn.beginRev + 1n : txn.beginRev, succeeded: path[0] };
}

/** Put with ignore_value/ignore_lease, which need the key to exist (applierV3backend.Put with a txn). */
function put(txn: TxnWrite, p: PutRequest): bigint {
  const key = bytes(p.key);
  let value: Uint8Array = p.value ?? EMPTY;
  let lease: bigint = p.lease;
  if (p.ignore_value || p.ignore_lease) {
    const prev = txn.range(key, undefined).kvs[0];
    if (prev === undefined) fail('ErrKeyNotFound');
    if (p.ignore_value) value = bytesOf(prev.value);
    if (p.ignore_lease) lease = prev.lease;
  }
  return txn.put(key, value, lease);
}

function applyOp(txn: TxnWrite, op: RequestOp): void {
  try {
    if (op.request_put) put(txn, op.request_put);
    else if (op.request_delete_range) txn.deleteRange(bytes(op.request_delete_range.key), rangeEnd(op.request_delete_range.range_end));
    // Ranges change nothing; their errors were ruled out by checkRange.
  } catch (e) {
    // applyTxn: "unexpected error during txn" is a panic (e.g. ignore_value on a key deleted earlier in the txn).
    if (e instanceof EtcdRequestError) throw new StateError('ETCD_PANIC', `unexpected error during txn: ${e.message}`);
    throw e;
  }
}

/** compareToPath: the branch taken by the txn and by each nested txn on it, in walk order. */
function compareToPath(store: MvccStore, t: TxnRequest): boolean[] {
  const ok = compareAll(store, t.compare);
  const path = [ok];
  for (const op of ok ? t.success : t.failure) if (op.request_txn) path.push(...compareToPath(store, op.request_txn));
  return path;
}

/**
 * Calls f on every non-txn op on the path, descending into nested txns
 * (checkRequests, applyTxn); returns how many nested txns it passed.
 */
function walk(t: TxnRequest, path: boolean[], at: number, f: (op: RequestOp) => void): number {
  let txns = 0;
  for (const op of path[at] ? t.success : t.failure) {
    if (op.request_txn) txns += walk(op.request_txn, path, at + 1 + txns, f) + 1;
    else f(op);
  }
  return txns;
}

/** checkRequestPut, against the key space before the txn. */
function checkPut(ctx: KvContext, op: RequestOp): void {
  const p = op.request_put;
  if (p === undefined) return;
  if ((p.ignore_value || p.ignore_lease) && ctx.store.range(bytes(p.key), undefined).kvs.length === 0) fail('ErrKeyNotFound');
  if (p.lease !== NO_LEASE && ctx.lessor.lookup(p.lease) === undefined) fail('ErrLeaseNotFound');
}

/** checkRequestRange. */
function checkRange(store: MvccStore, op: RequestOp): void {
  const rev: bigint | undefined = op.request_range?.revision;
  if (rev === undefined || rev === 0n) return;
  if (rev > store.currentRev) fail('ErrFutureRev');
  if (rev < store.compactRev) fail('ErrCompacted');
}

/** apply_auth.go checkPutAuth (Put): the key, the keys of its lease, and with prev_kv read access to the key. */
function checkPutAuth(ctx: KvContext, p: PutRequest): void {
  const key = bytes(p.key);
  ctx.auth.isPutPermitted(ctx.info, key);
  checkLeasePuts(ctx, p.lease);
  if (p.prev_kv) ctx.auth.isRangePermitted(ctx.info, key, '');
}

/**
 * apply_auth.go checkTxnAuth: the compares' ranges, then each op of success
 * and failure. Nested txns are checked the same way from 3.5.28
 * (nested-txn-auth), puts as a lone put is from 3.5.30 (txn-put-auth);
 * before, a nested txn passed unchecked and a put checked its key only.
 */
function checkTxnAuth(ctx: KvContext, t: TxnRequest): void {
  const { auth, info, rules } = ctx;
  for (const c of t.compare) auth.isRangePermitted(info, bytes(c.key), bytes(c.range_end));
  for (const op of [...t.success, ...t.failure]) {
    if (op.request_range) auth.isRangePermitted(info, bytes(op.request_range.key), bytes(op.request_range.range_end));
    else if (op.request_put) {
      if (rules.has('txn-put-auth')) checkPutAuth(ctx, op.request_put);
      else auth.isPutPermitted(info, bytes(op.request_put.key));
    } else if (op.request_txn) {
      if (rules.has('nested-txn-auth')) checkTxnAuth(ctx, op.request_txn);
    } else if (op.request_delete_range) {
      const dr = op.request_delete_range;
      if (dr.prev_kv) auth.isRangePermitted(info, bytes(dr.key), bytes(dr.range_end));
      auth.isDeleteRangePermitted(info, bytes(dr.key), bytes(dr.range_end));
    }
  }
}

/**
 * authApplierV3.checkLeasePuts: attaching to (or revoking) a lease needs write
 * access to all its keys; from 3.5.10 (lease-puts-admin, checkLeasePutsKeys)
 * a user with the root role passes without the per-key checks, and so
 * without their auth revision check.
 */
export function checkLeasePuts(ctx: KvContext, leaseId: bigint): void {
  const lease = ctx.lessor.lookup(leaseId);
  if (lease === undefined) return;
  if (ctx.rules.has('lease-puts-admin') && ctx.auth.isAdmin(ctx.info)) return;
  for (const key of lease.keys) ctx.auth.isPutPermitted(ctx.info, key);
}
