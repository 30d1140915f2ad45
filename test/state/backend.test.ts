/**
 * etcd's backend files (member/snap/db) read with walt's bbolt reader: the
 * key space, leases, members and auth they hold are what the live member
 * served, and the history they still hold (revisions after the compaction)
 * reads the same as a replay of the WAL.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { resolveDataDir } from '../../src/codec/data-dir.js';
import { dumpEntries, planDump } from '../../src/report/dump.js';
import { EtcdState } from '../../src/state/apply.js';
import { EtcdRequestError } from '../../src/state/etcd-errors.js';
import { fixturesDir, removeDir, unpackFixture } from '../helpers/fixtures.js';
import { parseBigJson, replayDataDir } from './helpers.js';

const single = unpackFixture('single');
const cluster3 = unpackFixture('cluster3');
test.after(() => {
  removeDir(single);
  removeDir(cluster3);
});

/** A state loaded from the data dir's backend, with the IDs and term of its WAL (3.4 keeps neither in the backend). */
function loaded(dir: string, keepHistory = true): EtcdState {
  const scan = planDump(resolveDataDir(dir), 1n).scan;
  const state = new EtcdState({ clusterId: scan.metadata?.clusterId, memberId: scan.metadata?.nodeId, keepHistory });
  state.loadBackend(join(dir, 'member/snap/db'));
  state.term = scan.hardState!.term;
  return state;
}

for (const [name, dir] of [
  ['single', single],
  ['cluster3/m1', join(cluster3, 'm1')],
  ['cluster3/m2', join(cluster3, 'm2')],
  ['cluster3/m3', join(cluster3, 'm3')],
  ['cluster3/m4', join(cluster3, 'm4')],
] as const) {
  test(`${name}: the backend holds the key space etcdctl get printed, loaded with every revision or streamed keeping each key's newest`, () => {
    const expected = readFileSync(join(fixturesDir, name, 'expected-get.json'), 'utf8');
    for (const keepHistory of [true, false]) assert.equal(loaded(dir, keepHistory).toEtcdctlJson(), expected, `keepHistory ${keepHistory}`);
  });
}

test('cluster3/m4: a backend received as a leader snapshot holds the same members and lease as the others', () => {
  const state = loaded(join(cluster3, 'm4'));
  const expected = parseBigJson(readFileSync(join(fixturesDir, 'cluster3/expected-members.json'), 'utf8'));
  assert.deepEqual(
    state.cluster.list().map((m) => ({ ID: String(m.id), name: m.name, peerURLs: m.peerURLs, clientURLs: m.clientURLs })),
    expected.members,
  );
  assert.equal(state.lessor.list().length, 1);
  assert.deepEqual([...state.lessor.list()[0].keys], ['/c3/leased']);
});

test('single: leases in the backend with their keys attached on load; auth with secrets redacted', () => {
  const state = loaded(single);
  const expected = parseBigJson(readFileSync(join(fixturesDir, 'single/expected-leases.json'), 'utf8'));
  for (const l of expected.timetolive) {
    const lease = state.lessor.lookup(BigInt(l.id))!;
    assert.equal(lease.ttl, BigInt(l['granted-ttl']));
    assert.deepEqual([...lease.keys].sort(), (l.keys ?? []).map((k: string) => Buffer.from(k, 'base64').toString()).sort());
  }
  assert.equal(state.lessor.list().length, expected.timetolive.length);

  // The workload ends with auth disabled, two users and two roles left (spare ones deleted).
  const replayed = replayDataDir(single).state;
  assert.equal(state.auth.enabled, false);
  assert.equal(state.auth.revision, replayed.auth.revision);
  assert.deepEqual([...state.auth.users.keys()].sort(), [...replayed.auth.users.keys()].sort());
  assert.deepEqual([...state.auth.roles.values()].sort((a, b) => (a.name < b.name ? -1 : 1)), [...replayed.auth.roles.values()].sort((a, b) => (a.name < b.name ? -1 : 1)));
  for (const s of [state, replayed]) {
    const json = JSON.stringify(s.auth.toJSON(), (_, v) => (typeof v === 'bigint' ? String(v) : v));
    assert.doesNotMatch(json, /\$2a\$|rootpw|alicepw/);
    assert.match(json, /"password":null,"redacted":true/);
  }
});

test('single: history after the compaction reads the same from the backend as from a replay; before it, ErrCompacted', () => {
  const fromDb = loaded(single);
  const { state: replayed } = replayDataDir(single);
  assert.equal(fromDb.store.compactRev, replayed.store.compactRev);
  const all = [new Uint8Array(), new Uint8Array([0])] as const;
  for (let rev = fromDb.store.compactRev; rev <= fromDb.store.currentRev; rev += 7n) {
    assert.deepEqual(fromDb.range(...all, { rev }), replayed.range(...all, { rev }), `at revision ${rev}`);
  }
  for (const s of [fromDb, replayed]) {
    assert.throws(() => s.range(...all, { rev: s.store.compactRev - 1n }), (e: unknown) => e instanceof EtcdRequestError && e.etcdName === 'ErrCompacted');
  }
});

test('single: entries at or below the backend consistent index leave the loaded v3 state alone; later ones apply', () => {
  const state = loaded(single);
  const before = state.toEtcdctlJson();
  const ci = state.consistentIndex;
  const later: string[] = [];
  for (const { entry } of dumpEntries(planDump(resolveDataDir(single), 1n))) {
    const r = state.applyEntry(entry);
    const v3 = r.kind !== 'v2' && r.kind !== 'empty' && r.kind !== 'confChange';
    if (v3 && r.index <= ci) assert.ok(r.skipped, `entry ${r.index} (${r.kind}) applied again`);
    if (r.index > ci) later.push(r.kind);
  }
  assert.equal(state.toEtcdctlJson(), before);
  // After the last write (510) comes the lease checkpoint (511), which applies.
  assert.deepEqual(later, ['lease_checkpoint']);
  assert.ok(state.lessor.list().every((l) => l.remainingTTL > 0n));
});

test("cluster3/m4: a member's restart, from the v2 store of its `.snap`, its backend and the WAL after the snapshot", () => {
  const dir = join(cluster3, 'm4');
  const plan = planDump(resolveDataDir(dir));
  const state = new EtcdState({ clusterId: plan.scan.metadata?.clusterId, memberId: plan.scan.metadata?.nodeId });
  state.loadV2Snapshot(plan.startPoint.snap!.snapshot.data!);
  // m4 joined as a learner and got this snapshot from the leader before its promotion.
  assert.equal(state.cluster.list().find((m) => m.name === 'm4')?.isLearner, true);
  state.loadBackend(join(dir, 'member/snap/db'));
  for (const { entry } of dumpEntries(plan)) state.applyEntry(entry);
  assert.equal(state.toEtcdctlJson(), readFileSync(join(fixturesDir, 'cluster3/m4/expected-get.json'), 'utf8'));
  const expected = parseBigJson(readFileSync(join(fixturesDir, 'cluster3/expected-members.json'), 'utf8'));
  assert.deepEqual(
    state.cluster.list().map((m) => ({ ID: String(m.id), name: m.name, peerURLs: m.peerURLs, clientURLs: m.clientURLs, isLearner: m.isLearner })),
    expected.members.map((m: any) => ({ ...m, isLearner: false })),
  );
});
