/**
 * The data dirs written by real etcd 3.5 (fixtures/etcd35, made by
 * `fixtures/make-fixtures.sh --etcd=3.5`) read and replayed as the 3.4 ones
 * are: dump's entries against etcd's own wal.ReadAll (3.4's reader, which
 * reads a 3.5 WAL: the format did not change), and replay-to-state, from the
 * WAL and from the backend, against what the live member served.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { chooseStart, resolveDataDir } from '../../src/codec/data-dir.js';
import { idHex } from '../../src/codec/proto/metadata.js';
import { entryTypeName } from '../../src/codec/proto/raftpb.js';
import { dumpEntries, planDump } from '../../src/report/dump.js';
import { replayDataDir, type ReplaySource } from '../../src/replay/replay.js';
import type { Member } from '../../src/state/membership.js';
import { fixturesDir, readFixtureJson, runWalt, Scratch, unpackFixture, type OracleReadAll } from '../helpers/fixtures.js';
import { parseBigJson } from '../state/helpers.js';

const DIR = join(fixturesDir, 'etcd35');
const skip = existsSync(join(DIR, 'single.tar.gz')) ? false : 'no etcd 3.5 fixtures in fixtures/etcd35 (fixtures/make-fixtures.sh --etcd=3.5 makes them)';
const scratch = new Scratch();
after(() => scratch.remove());

function unpack(name: string): string {
  const dir = scratch.fresh(name);
  mkdirSync(dir, { recursive: true });
  return unpackFixture(join('etcd35', name), dir);
}

/** The response without its header, as text: JSON.parse would round the uint64 lease IDs. */
const body = (s: string) => s.trim().replace(/^\{"header":\{[^{}]*\},/, '{');
const version = () => readFileSync(join(DIR, 'etcd-version.txt'), 'utf8').match(/(\d+\.\d+\.\d+)/)![1];

function assertMatchesOracle(dataDir: string, oracle: OracleReadAll, startIndex?: bigint): void {
  const plan = planDump(resolveDataDir(dataDir), startIndex);
  assert.equal(oracle.error, '', 'the oracle read the fixture cleanly');
  assert.equal(idHex(plan.scan.metadata!.nodeId), oracle.metadata.nodeID);
  assert.equal(plan.scan.hardState!.commit, BigInt(oracle.hardState.commit));
  const ours = [...dumpEntries(plan)].map(({ entry }) => ({ index: String(entry.index), term: String(entry.term), type: entryTypeName(entry.type), data: entry.data ? Buffer.from(entry.data).toString('base64') : '' }));
  const theirs = oracle.entries.map(({ index, term, type, data }) => ({ index, term, type, data: data ?? '' }));
  assert.equal(ours.length, theirs.length, 'entry count');
  assert.deepEqual(ours, theirs);
}

test('etcd 3.5 single member: entries equal wal.ReadAll, from the snapshot etcd loads and from index 0', { skip }, () => {
  const single = unpack('single');
  const oracle = readFixtureJson<OracleReadAll>('etcd35', 'single', 'oracle-readall.json');
  assert.equal(chooseStart(resolveDataDir(single)).snap?.file.name, oracle.snapFile, 'the same snapshot file is chosen');
  assertMatchesOracle(single, oracle);
  assertMatchesOracle(single, readFixtureJson<OracleReadAll>('etcd35', 'single', 'oracle-readall-from0.json'), 1n);
});

test('etcd 3.5 single member: replay-to-state from the WAL and from the backend serves what the live member served, under 3.5 rules', { skip }, () => {
  const single = unpack('single');
  const served = readFileSync(join(DIR, 'single', 'expected-get.json'), 'utf8');
  for (const args of [['--from', 'wal'], ['--from', 'db'], ['--from', 'wal', '--etcd-version', version()]]) {
    const r = runWalt(['replay-to-state', '--show-secrets', ...args, single]);
    assert.equal(r.status, 0, `${args.join(' ')}: ${r.stderr}`);
    assert.equal(body(r.stdout), body(served), args.join(' '));
    assert.match(r.stderr, args.includes('--etcd-version') ? new RegExp(`^etcd ${version()} \\(--etcd-version\\)`) : /^etcd 3\.5\.\d+ \(the cluster version in the log/, 'the version rules of 3.5');
  }
});

test('etcd 3.5 single member: members and leases as etcd listed them', { skip }, () => {
  const single = unpack('single');
  const ours = JSON.parse(runWalt(['replay-to-state', '--include', 'leases,members', single]).stdout);
  const members = readFileSync(join(DIR, 'single', 'expected-members.json'), 'utf8');
  const names = [...members.matchAll(/"name":"([^"]*)"/g)].map((m) => m[1]);
  assert.deepEqual(ours.members.map((m: { name: string }) => m.name), names);
  const leasesText = readFileSync(join(DIR, 'single', 'expected-leases.json'), 'utf8');
  const ids = [...leasesText.matchAll(/"id":(\d+),"ttl"/g)].map((m) => BigInt(m[1]).toString(16)).sort();
  assert.ok(ids.length > 0);
  assert.deepEqual(ours.leases.map((l: { id: string }) => l.id).sort(), ids);
});

const MEMBERS = ['m1', 'm2', 'm3', 'm4'];
const cluster3Skip = existsSync(join(DIR, 'cluster3.tar.gz')) ? false : 'no etcd 3.5 cluster3 fixture (fixtures/make-fixtures.sh --etcd=3.5 --only=cluster3 makes it)';

test('etcd 3.5 three members (a leader stopped, a learner added and promoted, another added and removed): every member\'s entries equal wal.ReadAll', { skip: cluster3Skip }, () => {
  const cluster = unpack('cluster3');
  for (const m of MEMBERS) {
    const oracle = readFixtureJson<OracleReadAll>('etcd35', join('cluster3', m), 'oracle-readall.json');
    assert.equal(chooseStart(resolveDataDir(join(cluster, m))).snap?.file.name, oracle.snapFile, `${m}: the same snapshot file is chosen`);
    assertMatchesOracle(join(cluster, m), oracle);
  }
});

test('etcd 3.5 three members: each member\'s replay serves what it served live, and lists the members etcd listed', { skip: cluster3Skip }, () => {
  const cluster = unpack('cluster3');
  const members = readFileSync(join(DIR, 'cluster3', 'expected-members.json'), 'utf8');
  const names = [...members.matchAll(/"name":"([^"]*)"/g)].map((x) => x[1]).sort();
  assert.equal(names.length, 4);
  for (const m of MEMBERS) {
    const served = readFileSync(join(DIR, 'cluster3', m, 'expected-get.json'), 'utf8');
    const r = runWalt(['replay-to-state', '--show-secrets', join(cluster, m)]);
    assert.equal(r.status, 0, `${m}: ${r.stderr}`);
    assert.equal(body(r.stdout), body(served), m);
    const ours = JSON.parse(runWalt(['replay-to-state', '--include', 'members', '--keys-only', join(cluster, m)]).stdout);
    assert.deepEqual(ours.members.map((x: { name: string }) => x.name).sort(), names, `${m}: members`);
  }
});

interface ListedMember {
  ID: string;
  name: string;
  peerURLs: string[];
  clientURLs: string[];
  isLearner?: boolean;
}

/** `etcdctl member list -w json` as hex IDs, sorted by ID, for comparing with a replay's members. */
function listed(file: string): Array<Omit<Member, 'id'> & { id: string }> {
  const { members } = parseBigJson<{ members: ListedMember[] }>(readFileSync(join(DIR, 'cluster3', file), 'utf8'));
  return members
    .map((m) => ({ id: BigInt(m.ID), name: m.name, peerURLs: m.peerURLs, clientURLs: m.clientURLs ?? [], isLearner: m.isLearner === true }))
    .sort((a, b) => (a.id < b.id ? -1 : 1))
    .map((m) => ({ ...m, id: m.id.toString(16) }));
}

const replayedMembers = (dir: string, from: ReplaySource, atIndex?: bigint) => {
  const { state } = replayDataDir(resolveDataDir(dir), { from, atIndex });
  return { members: state.cluster.list().map((m) => ({ ...m, id: m.id.toString(16) })), removed: [...state.cluster.removed].map((id) => id.toString(16)) };
};

test('etcd 3.5 three members: the learner m5 removed, every member\'s replay (from the WAL and from the backend) lists the members etcd listed after the removal, and m5 among the removed', { skip: cluster3Skip }, () => {
  const cluster = unpack('cluster3');
  const after = listed('expected-members.json');
  const removed = readFileSync(join(DIR, 'cluster3', 'expected-removed.txt'), 'utf8').trim();
  assert.ok(!after.some((m) => m.id === removed), 'etcd no longer lists the removed learner');
  for (const m of MEMBERS) {
    // m4 joined from a leader's snapshot: its WAL does not reach back to index 1.
    for (const from of m === 'm4' ? (['db'] as const) : (['wal', 'db'] as const)) {
      const ours = replayedMembers(join(cluster, m), from);
      assert.deepEqual(ours.members, after, `${m} --from ${from}: members`);
      assert.deepEqual(ours.removed, [removed], `${m} --from ${from}: members_removed`);
    }
  }
});

test('etcd 3.5 three members: just before the removal, the replay lists m5 as the learner etcd listed', { skip: cluster3Skip }, () => {
  const cluster = unpack('cluster3');
  const oracle = readFixtureJson<OracleReadAll>('etcd35', join('cluster3', 'm1'), 'oracle-readall-from0.json');
  const removal = oracle.entries.filter((e) => e.kind === 'confchange:ConfChangeRemoveNode');
  assert.equal(removal.length, 1, 'one member removed');
  const ours = replayedMembers(join(cluster, 'm1'), 'wal', BigInt(removal[0].index) - 1n);
  assert.deepEqual(ours.members, listed('expected-members-before-remove.json'));
  assert.deepEqual(ours.removed, []);
});
