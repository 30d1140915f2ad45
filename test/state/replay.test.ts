/**
 * Every entry of real etcd 3.4 data dirs applied from index 1, compared with
 * what the live members served (fixtures/*: etcdctl get/lease/member list -w
 * json, the v2 API) and with what etcd wrote itself (the `.snap` v2 store,
 * the backend's consistent_index). Never compared with walt's own output.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Backend } from '../../src/state/backend.js';
import { V2Store } from '../../src/state/v2store.js';
import { loadNewestSnap } from '../../src/codec/snap-file.js';
import type { V2NodeExtern } from '../../src/state/v2node.js';
import type { EtcdState } from '../../src/state/apply.js';
import { fixturesDir, readFixtureJson, removeDir, unpackFixture } from '../helpers/fixtures.js';
import { parseBigJson, replayDataDir } from './helpers.js';

const single = unpackFixture('single');
const cluster3 = unpackFixture('cluster3');
test.after(() => {
  removeDir(single);
  removeDir(cluster3);
});

const members = [
  { name: 'single', dir: single, expected: 'single' },
  { name: 'cluster3/m1', dir: join(cluster3, 'm1'), expected: 'cluster3/m1' },
  { name: 'cluster3/m2', dir: join(cluster3, 'm2'), expected: 'cluster3/m2' },
  { name: 'cluster3/m3', dir: join(cluster3, 'm3'), expected: 'cluster3/m3' },
];

/**
 * etcdctl's output with raft_term set to ours: a member's WAL may end with
 * entries of a later term than when the fixture was recorded (a stopping
 * leader hands over, the new one appends an empty entry).
 */
function expectedGet(name: string, state: EtcdState): string {
  const text = readFileSync(join(fixturesDir, name, 'expected-get.json'), 'utf8');
  const term = BigInt(/"raft_term":(\d+)/.exec(text)![1]);
  assert.ok(state.term >= term, `raft_term ${state.term} below the recorded ${term}`);
  return text.replace(/"raft_term":\d+/, `"raft_term":${state.term}`);
}

for (const m of members) {
  test(`${m.name}: the key space after applying every entry is what etcdctl get printed, byte for byte`, () => {
    const { state, results } = replayDataDir(m.dir);
    assert.equal(state.toEtcdctlJson(), expectedGet(m.expected, state));
    const refused = results.filter((r) => r.error).map((r) => `${r.kind}: ${r.error!.name}`);
    // The one put the workload makes as alice to /app/, which her role may only read.
    assert.deepEqual(refused, m.name === 'single' ? ['put: ErrPermissionDenied'] : []);
  });

  test(`${m.name}: the consistent index etcd wrote to the backend is the one the replay says it wrote`, () => {
    const { state } = replayDataDir(m.dir);
    const be = Backend.open(join(m.dir, 'member/snap/db'));
    try {
      assert.equal(be.meta().consistentIndex, state.backendConsistentIndex);
    } finally {
      be.close();
    }
    assert.ok(state.backendConsistentIndex <= state.appliedIndex);
  });
}

test('single: leases as etcdctl lease list and timetolive showed them (IDs, granted TTLs, attached keys)', () => {
  const { state } = replayDataDir(single);
  const expected = parseBigJson(readFileSync(join(fixturesDir, 'single/expected-leases.json'), 'utf8'));
  const want = expected.timetolive
    .map((l: any) => ({ id: l.id, grantedTTL: String(l['granted-ttl']), keys: (l.keys ?? []).map((k: string) => Buffer.from(k, 'base64').toString('latin1')).sort() }))
    .sort((a: any, b: any) => (BigInt(a.id) < BigInt(b.id) ? -1 : 1));
  const got = state.lessor.list().map((l) => ({ id: String(l.id), grantedTTL: String(l.ttl), keys: [...l.keys].sort() }));
  assert.deepEqual(got, want);
  assert.deepEqual(expected.list.leases.map((l: any) => l.id).sort(), got.map((l) => l.id).sort());
});

for (const [name, dir] of [
  ['single', single],
  ['cluster3/m1', join(cluster3, 'm1')],
  ['cluster3/m2', join(cluster3, 'm2')],
  ['cluster3/m3', join(cluster3, 'm3')],
] as const) {
  test(`${name}: members as etcdctl member list showed them (learner added and promoted in cluster3)`, () => {
    const { state } = replayDataDir(dir);
    const file = name === 'single' ? 'single/expected-members.json' : 'cluster3/expected-members.json';
    const expected = parseBigJson(readFileSync(join(fixturesDir, file), 'utf8'));
    const want = expected.members.map((x: any) => ({ id: x.ID, name: x.name, peerURLs: x.peerURLs, clientURLs: x.clientURLs ?? [], isLearner: x.isLearner === true }));
    const got = state.cluster.list().map((x) => ({ id: String(x.id), name: x.name, peerURLs: x.peerURLs, clientURLs: x.clientURLs, isLearner: x.isLearner }));
    assert.deepEqual(got, want);
    assert.equal(state.cluster.version, '3.4.0');
  });
}

/** A node as the v2 API serves it: the store's /1 prefix taken off (the root's key with it), zero indexes omitted. */
function v2ApiNode(n: V2NodeExtern): Record<string, unknown> {
  const { key, nodes, modifiedIndex, createdIndex, ...rest } = n;
  const out: Record<string, unknown> = { ...rest };
  if (key !== '/1') out.key = key!.replace(/^\/1/, '');
  if (nodes) out.nodes = nodes.map(v2ApiNode);
  if (modifiedIndex) out.modifiedIndex = Number(modifiedIndex);
  if (createdIndex) out.createdIndex = Number(createdIndex);
  return out;
}

test('single: the v2 keys are what the v2 API served, with their created and modified indexes', () => {
  const { state } = replayDataDir(single);
  const got = { action: 'get', node: v2ApiNode(state.v2!.get('/1', true, true)) };
  assert.deepEqual(got, readFixtureJson('single/expected-v2.json'));
});

test("single: at the newest snapshot's index the v2 store is the one etcd saved in it (membership writes, expiries and all)", () => {
  const snap = loadNewestSnap(join(single, 'member/snap')).loaded!.snapshot;
  const { state } = replayDataDir(single, {}, snap.metadata.index);
  const saved = new V2Store();
  saved.recover(snap.data!);
  assert.equal(state.v2!.currentIndex, saved.currentIndex);
  assert.deepEqual(state.v2!.get('/', true, true), saved.get('/', true, true));
  assert.ok(saved.currentIndex > 10n, 'the snapshot has v2 history to compare');
});
