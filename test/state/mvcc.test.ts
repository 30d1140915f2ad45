/**
 * MVCC edge cases written from etcd's semantics (mvcc/kvstore_txn.go,
 * key_index.go, etcdserver/apply.go), each entry encoded as etcd proposes it
 * and applied through EtcdState.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Msg } from '../../src/codec/proto/message.js';
import { EtcdState, type ApplyResult } from '../../src/state/apply.js';
import { CompareResult, CompareTarget } from '../../src/state/compare.js';
import { StateError } from '../../src/state/errors.js';
import { EtcdRequestError } from '../../src/state/etcd-errors.js';
import { b, EntryLog } from './helpers.js';

class Cluster {
  readonly state: EtcdState;
  readonly log = new EntryLog();
  constructor(keepHistory = true, etcdVersion?: string) {
    this.state = new EtcdState({ keepHistory, etcdVersion });
  }
  apply(m: Msg): ApplyResult {
    return this.state.applyEntry(this.log.request(m));
  }
  put(key: string, value: string, more: Msg = {}): ApplyResult {
    return this.apply({ put: { key: b(key), value: b(value), ...more } });
  }
  get(key: string, rev = 0n) {
    return this.state.range(b(key), undefined, { rev }).kvs[0];
  }
  /** [main, sub] of each change of the key as history shows it, oldest first. */
  changes(key: string): Array<[bigint, bigint, 'put' | 'del']> {
    return this.state.store.keyIndex(key)!.since(0n).map((r) => [r.main, BigInt(r.sub), r.tombstone ? 'del' : 'put']);
  }
  get rev(): bigint {
    return this.state.store.currentRev;
  }
}

const put = (key: string, value: string, more: Msg = {}): Msg => ({ request_put: { key: b(key), value: b(value), ...more } });
const del = (key: string, rangeEnd?: string): Msg => ({ request_delete_range: { key: b(key), range_end: rangeEnd === undefined ? undefined : b(rangeEnd) } });
const cmp = (key: string, target: CompareTarget, result: CompareResult, value: Msg, rangeEnd?: string): Msg => ({ key: b(key), target, result, ...value, range_end: rangeEnd === undefined ? undefined : b(rangeEnd) });
const txn = (compare: Msg[], success: Msg[], failure: Msg[] = []): Msg => ({ txn: { compare, success, failure } });
const nested = (compare: Msg[], success: Msg[], failure: Msg[] = []): Msg => ({ request_txn: { compare, success, failure } });

test('a new store is at revision 1; each write txn takes the next; create revision and version follow the key', () => {
  const c = new Cluster();
  assert.equal(c.rev, 1n);
  assert.equal(c.put('k', 'a').revision, 2n);
  assert.equal(c.put('k', 'b').revision, 3n);
  assert.deepEqual({ ...c.get('k'), key: undefined, value: undefined }, { key: undefined, value: undefined, createRevision: 2n, modRevision: 3n, version: 2n, lease: 0n });
  assert.equal(c.get('k', 2n).value.toString(), 'a');
});

test("txn: create_revision = 0 on a missing key holds (the key is absent); a value compare on a missing key fails", () => {
  const c = new Cluster();
  const absent = [cmp('k', CompareTarget.CREATE, CompareResult.EQUAL, { create_revision: 0n })];
  const r1 = c.apply(txn(absent, [put('k', 'first')], [put('lost', 'x')]));
  assert.deepEqual([r1.succeeded, r1.revision], [true, 2n]);
  const r2 = c.apply(txn(absent, [put('k', 'second')], [put('lost', 'x')]));
  assert.deepEqual([r2.succeeded, r2.revision], [false, 3n]);
  assert.equal(c.get('k').value.toString(), 'first');
  const r3 = c.apply(txn([cmp('nokey', CompareTarget.VALUE, CompareResult.EQUAL, { value: b('') })], [put('a', '1')], [put('b', '1')]));
  assert.equal(r3.succeeded, false);
  const r4 = c.apply(txn([cmp('nokey', CompareTarget.VALUE, CompareResult.NOT_EQUAL, { value: b('x') })], [put('a', '1')], [put('b', '1')]));
  assert.equal(r4.succeeded, false, 'even != fails on a missing key');
});

test('txn compares over a range (3.5 range_end): every key must hold; an empty range compares a zero KeyValue', () => {
  const c = new Cluster();
  c.put('p/1', 'x');
  c.put('p/2', 'x');
  c.put('p/2', 'y');
  const over = (result: CompareResult, version: bigint, end = 'p0') => c.apply(txn([cmp('p/', CompareTarget.VERSION, result, { version }, end)], [put('ok', '1')])).succeeded;
  assert.equal(over(CompareResult.GREATER, 0n), true);
  assert.equal(over(CompareResult.EQUAL, 1n), false, 'p/2 is at version 2');
  assert.equal(over(CompareResult.EQUAL, 0n, 'p/'), true, 'an empty range: version 0');
  assert.equal(c.apply(txn([cmp('p/', CompareTarget.VALUE, CompareResult.EQUAL, { value: b('x') }, '\0')], [put('ok', '2')])).succeeded, false, '"\\0": every key from p/ on, ok included');
});

test('nested txns: one main revision, sub revisions in walk order, and nested compares read the state before the txn', () => {
  const c = new Cluster();
  c.put('a', '1');
  const r = c.apply(
    txn(
      [cmp('a', CompareTarget.VALUE, CompareResult.EQUAL, { value: b('1') })],
      [put('b', 'outer'), nested([cmp('b', CompareTarget.CREATE, CompareResult.GREATER, { create_revision: 0n })], [put('seen', 'b')], [put('c', 'b-not-seen'), put('b', 'again')]), put('d', 'last')],
    ),
  );
  assert.deepEqual([r.succeeded, r.revision], [true, 3n]);
  assert.equal(c.get('seen'), undefined, 'b did not exist before the txn');
  // History shows one change per main revision, the last one (keyIndex.since): b's second put, sub 2.
  assert.deepEqual(c.changes('b'), [[3n, 2n, 'put']]);
  assert.deepEqual(c.changes('c'), [[3n, 1n, 'put']]);
  assert.deepEqual(c.changes('d'), [[3n, 3n, 'put']]);
  assert.deepEqual([c.get('b').version, c.get('b').createRevision], [2n, 3n], 'two puts in one txn are two versions');
});

test('delete range: one revision for all keys, sub revisions in key order; nothing deleted is no revision; "\\0" means from the key on', () => {
  const c = new Cluster();
  for (const k of ['k3', 'k1', 'k2', 'x']) c.put(k, 'v');
  const r = c.apply({ delete_range: { key: b('k'), range_end: b('l') } });
  assert.deepEqual([r.deleted, r.revision], [3, 6n]);
  assert.deepEqual(['k1', 'k2', 'k3'].map((k) => c.changes(k)[1]), [
    [6n, 0n, 'del'],
    [6n, 1n, 'del'],
    [6n, 2n, 'del'],
  ]);
  const none = c.apply({ delete_range: { key: b('nothing') } });
  assert.deepEqual([none.deleted, none.revision, c.rev], [0, 6n, 6n]);
  c.put('k1', 'again');
  assert.deepEqual([c.get('k1').createRevision, c.get('k1').version], [7n, 1n], 'a new generation');
  const fromKey = c.apply({ delete_range: { key: b('k'), range_end: b('\0') } });
  assert.equal(fromKey.deleted, 2, 'k1 and x');
  assert.equal(c.state.range(b(''), b('\0')).count, 0);
});

test('put with ignore_value / ignore_lease needs the key (ErrKeyNotFound, nothing written) and keeps its value / lease', () => {
  const c = new Cluster();
  const miss = c.put('k', '', { ignore_value: true });
  assert.equal(miss.error?.name, 'ErrKeyNotFound');
  assert.equal(c.rev, 1n);
  c.apply({ lease_grant: { ID: 42n, TTL: 100n } });
  c.put('k', 'kept', { lease: 42n });
  c.put('k', '', { ignore_value: true, lease: 0n });
  assert.deepEqual([c.get('k').value.toString(), c.get('k').lease], ['kept', 0n]);
  c.put('k', 'new', { lease: 42n });
  c.put('k', 'newer', { ignore_lease: true });
  assert.deepEqual([c.get('k').value.toString(), c.get('k').lease], ['newer', 42n]);
  assert.equal(c.put('k', 'v', { lease: 43n }).error?.name, 'ErrLeaseNotFound');
});

test("a txn whose ops fail etcd's checks is not applied at all, nested ops included", () => {
  const c = new Cluster();
  c.put('a', '1');
  const rev = c.rev;
  const r1 = c.apply(txn([], [put('x', '1'), put('missing', '', { ignore_value: true })]));
  assert.equal(r1.error?.name, 'ErrKeyNotFound');
  const r2 = c.apply(txn([], [put('x', '1'), nested([], [{ request_range: { key: b('a'), revision: 99n } }])]));
  assert.equal(r2.error?.name, 'ErrFutureRev');
  const r3 = c.apply(txn([], [put('x', '1', { lease: 5n })]));
  assert.equal(r3.error?.name, 'ErrLeaseNotFound');
  assert.equal(c.rev, rev);
  assert.equal(c.get('x'), undefined);
  // A top-level range with a future revision is dropped before the checks (no client waits in a replay).
  assert.equal(c.apply(txn([], [{ request_range: { key: b('a'), revision: 99n } }, put('x', '1')])).revision, rev + 1n);
});

test('compaction: history below it is gone (ErrCompacted), the latest revision at it is kept, deleted keys leave the index (3.4.23)', () => {
  // 3.4.23 drops a tombstone at the compaction revision; version-rules.test.ts has the later rule.
  const c = new Cluster(true, '3.4.23');
  c.put('k', 'v2');
  c.put('k', 'v3');
  c.put('k', 'v4');
  c.put('z', 'x');
  c.apply({ delete_range: { key: b('z') } });
  assert.equal(c.apply({ compaction: { revision: 3n } }).revision, 6n);
  assert.throws(() => c.get('k', 2n), (e: unknown) => e instanceof EtcdRequestError && e.etcdName === 'ErrCompacted');
  assert.equal(c.get('k', 3n).value.toString(), 'v3', 'the revision at the compaction stays readable');
  assert.deepEqual(c.changes('k'), [
    [3n, 0n, 'put'],
    [4n, 0n, 'put'],
  ]);
  assert.equal(c.apply({ compaction: { revision: 3n } }).error?.name, 'ErrCompacted');
  assert.equal(c.apply({ compaction: { revision: 7n } }).error?.name, 'ErrFutureRev');
  assert.equal(c.state.store.indexedKeys, 2);
  c.apply({ compaction: { revision: 6n } });
  assert.equal(c.state.store.indexedKeys, 1, 'z, deleted at or below the compaction, is gone');
  assert.equal(c.state.store.history('z').length, 0);
});

test('lease revoke deletes the attached keys in one txn, in key order; an overwrite without the lease detaches the key', () => {
  const c = new Cluster();
  assert.equal(c.apply({ lease_grant: { ID: 7n, TTL: 1n } }).error, undefined);
  assert.equal(c.state.lessor.lookup(7n)!.ttl, 2n, 'raised to the minimum TTL');
  c.put('b', '1', { lease: 7n });
  c.put('a', '1', { lease: 7n });
  c.put('c', '1', { lease: 7n });
  c.put('c', '2');
  assert.deepEqual([...c.state.lessor.lookup(7n)!.keys].sort(), ['a', 'b']);
  const r = c.apply({ lease_revoke: { ID: 7n } });
  assert.equal(r.error, undefined);
  assert.equal(c.rev, 6n);
  assert.deepEqual([c.changes('a').at(-1), c.changes('b').at(-1)], [
    [6n, 0n, 'del'],
    [6n, 1n, 'del'],
  ]);
  assert.equal(c.get('c').value.toString(), '2');
  assert.equal(c.apply({ lease_revoke: { ID: 7n } }).error?.name, 'ErrLeaseNotFound');
  assert.equal(c.apply({ lease_grant: { ID: 0n, TTL: 5n } }).error?.name, 'ErrLeaseNotFound', 'ID 0 is never granted');
  c.apply({ lease_grant: { ID: 8n, TTL: 5n } });
  assert.equal(c.apply({ lease_grant: { ID: 8n, TTL: 5n } }).error?.name, 'ErrLeaseExists');
  c.apply({ lease_checkpoint: { checkpoints: [{ ID: 8n, remaining_TTL: 3n }] } });
  assert.equal(c.state.lessor.lookup(8n)!.remainingTTL, 3n);
});

test('without history the applied state is the same; reads of older revisions are HISTORY_DROPPED', () => {
  const full = new Cluster();
  const lean = new Cluster(false);
  for (const c of [full, lean]) {
    for (let i = 0; i < 50; i++) c.put(`k${i % 7}`, `v${i}`);
    c.apply({ delete_range: { key: b('k3') } });
    c.apply(txn([cmp('k1', CompareTarget.MOD, CompareResult.LESS, { mod_revision: 100n })], [put('k1', 'txn'), del('k2')]));
    c.apply({ compaction: { revision: 20n } });
  }
  assert.equal(lean.state.toEtcdctlJson(), full.state.toEtcdctlJson());
  assert.ok(lean.state.store.indexedKeys < full.state.store.indexedKeys, 'deleted keys are not kept');
  assert.throws(() => lean.get('k0', 30n), (e: unknown) => e instanceof StateError && e.code === 'HISTORY_DROPPED');
  assert.equal(full.get('k0', 30n).value.toString(), 'v28');
});

test('without history a backend streams into the store: each key keeps only its newest value while the revisions load (memory), and the state equals walt\'s own with history (consistency only)', () => {
  // 4,000 revisions of 1 KB over 4 keys (4 MB of history), then a delete of k3: as a backend's key bucket yields them.
  function* revisions(peak: { bytes: number }, store: () => EtcdState['store']) {
    const created = new Map<string, bigint>();
    let main = 2n;
    for (let i = 0; i < 4000; i++, main++) {
      const key = `k${i % 4}`;
      if (!created.has(key)) created.set(key, main);
      yield { main, sub: 0n, tombstone: false, kv: { key, createRevision: created.get(key)!, modRevision: main, version: BigInt(Math.floor(i / 4) + 1), value: String(i % 10).repeat(1024), lease: 0n } };
      peak.bytes = Math.max(peak.bytes, store().values.heldBytes);
    }
    yield { main, sub: 0n, tombstone: true, kv: { key: 'k3', createRevision: 0n, modRevision: 0n, version: 0n, value: '', lease: 0n } };
  }
  const loaded = (keepHistory: boolean) => {
    const state = new EtcdState({ keepHistory });
    const peak = { bytes: 0 };
    state.store.restore(revisions(peak, () => state.store), {});
    return { state, peak: peak.bytes };
  };
  const full = loaded(true);
  const lean = loaded(false);
  assert.equal(lean.state.toEtcdctlJson(), full.state.toEtcdctlJson());
  assert.equal(lean.state.store.currentRev, full.state.store.currentRev);
  assert.ok(full.peak > 4_000_000, `with history every value is held (${full.peak} bytes)`);
  assert.ok(lean.peak <= 3 << 20, `without history at most a few slabs are held (${lean.peak} bytes)`);
});
