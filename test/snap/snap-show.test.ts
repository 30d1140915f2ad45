/**
 * `walt snap show` on real .snap files (their v2 store judged by what the
 * live clusters served: member list, v2 keys, and the cluster version etcd
 * proposed), on damaged ones, and on bbolt backends with and without the
 * SHA-256 trailer `etcdctl snapshot save` appends, including one saved by
 * real etcdctl from a throwaway etcd.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { appendFileSync, copyFileSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encodeSnapFile, readSnapFile } from '../../src/codec/snap-file.js';
import { showSnapFile, type V2StoreSummary } from '../../src/report/snap-show.js';
import { fixturesDir, readFixtureJson, removeDir, runWalt, unpackFixture } from '../helpers/fixtures.js';
import { Etcd, etcdSkip, type MemberSpec } from '../helpers/etcd.js';

const single = unpackFixture('single');
const cluster = unpackFixture('cluster3');
const scratch = mkdtempSync(join(tmpdir(), 'walt-snap-show-'));
after(() => {
  removeDir(single);
  removeDir(cluster);
  removeDir(scratch);
});

const snapOf = (dir: string, name: string) => join(dir, 'member', 'snap', name);
/** The .snap etcd's snap.Load chose in each data dir. */
const loadedBy = (...rec: string[]) => readFixtureJson(...rec, 'oracle-snapload.json');
const M1_NEWEST = snapOf(join(cluster, 'm1'), loadedBy('cluster3', 'm1').file);
const M4_SNAP = snapOf(join(cluster, 'm4'), loadedBy('cluster3', 'm4').file);
const SINGLE_NEWEST = snapOf(single, loadedBy('single').file);

/** `etcdctl member list -w json`, IDs read from the text (they exceed 2^53) and printed as etcd prints them. */
function expectedMembers(...rec: string[]) {
  const text = readFileSync(join(fixturesDir, ...rec), 'utf8').replace(/"ID":(\d+)/g, (_, id) => `"ID":"${BigInt(id).toString(16)}"`);
  return (JSON.parse(text).members as Array<{ ID: string; name: string; peerURLs: string[]; clientURLs: string[] }>)
    .map((m) => ({ id: m.ID, name: m.name, peerURLs: m.peerURLs, clientURLs: m.clientURLs }))
    .sort((a, b) => a.id.localeCompare(b.id));
}

/** The cluster version etcd proposed (a v2 PUT of /0/version), as etcd's decoder printed it. */
function proposedClusterVersion(...rec: string[]): string {
  const e = readFixtureJson(...rec).entries.find((x: { text?: string }) => x.text?.includes('Path:"/0/version"'));
  return /Val:"([^"]*)"/.exec(e.text)![1];
}

const storeOf = (path: string) => showSnapFile(path).store as V2StoreSummary;

test('a .snap: metadata and CRC as etcd’s snap.Load reads them, and its v2 store holds the members the cluster listed', () => {
  const s = showSnapFile(M1_NEWEST);
  const loaded = loadedBy('cluster3', 'm1');
  assert.equal(s.ok, true);
  assert.equal(String(s.index), loaded.index);
  assert.equal(String(s.term), loaded.term);
  assert.deepEqual(s.confState!.voters, loaded.voters);
  assert.equal(s.crc!.status, 'ok');
  assert.equal(s.crc!.stored, s.crc!.computed);
  const store = storeOf(M1_NEWEST);
  assert.equal(store.bytes, loaded.dataLen);
  assert.deepEqual(
    store.members.map(({ id, name, peerURLs, clientURLs }) => ({ id, name, peerURLs, clientURLs })),
    expectedMembers('cluster3', 'expected-members.json'),
  );
  assert.ok(store.members.every((m) => !m.isLearner), 'm4 was promoted before this snapshot');
  assert.equal(store.clusterVersion, proposedClusterVersion('cluster3', 'm1', 'oracle-readall-from0.json'));
  assert.equal(store.nodes, store.keys + store.dirs);
  assert.deepEqual(store.prefixes.map((p) => p.prefix), ['/0', '/1']);
});

test('m4’s snapshot, sent while it was a learner: learner in the ConfState and in its member record', () => {
  const s = showSnapFile(M4_SNAP);
  assert.deepEqual(s.confState!.learners, loadedBy('cluster3', 'm4').learners);
  const m4 = storeOf(M4_SNAP).members.find((m) => m.name === 'm4')!;
  assert.equal(m4.isLearner, true);
  assert.equal(m4.id, s.confState!.learners[0]);
});

test('single’s v2 store: key counts by prefix as the v2 API served the keys, and the text and JSON output', () => {
  const v2 = readFixtureJson('single', 'expected-v2.json');
  type V2Node = { key: string; dir?: boolean; nodes?: V2Node[] };
  const count = (n: V2Node): { keys: number; dirs: number } =>
    (n.nodes ?? []).map(count).reduce((a, b) => ({ keys: a.keys + b.keys, dirs: a.dirs + b.dirs }), n.dir ? { keys: 0, dirs: 1 } : { keys: 1, dirs: 0 });
  const store = storeOf(SINGLE_NEWEST);
  assert.deepEqual(
    store.v2Prefixes,
    (v2.node.nodes as V2Node[]).map((n) => ({ prefix: n.key, ...count(n) })),
  );
  assert.deepEqual(store.members.map(({ id, name, peerURLs, clientURLs }) => ({ id, name, peerURLs, clientURLs })), expectedMembers('single', 'expected-members.json'));
  const text = runWalt(['snap', 'show', SINGLE_NEWEST]);
  assert.equal(text.status, 0);
  assert.match(text.stdout, /CRC-32C: ok \(stored (0x[0-9a-f]{8}), computed \1\)/);
  const loaded = loadedBy('single');
  assert.match(text.stdout, new RegExp(`term ${loaded.term}, index ${loaded.index}`));
  assert.match(text.stdout, new RegExp(`${loaded.voters[0]} │ single`));
  const json = JSON.parse(runWalt(['snap', 'show', '--format', 'json', SINGLE_NEWEST]).stdout);
  assert.equal(json.store.members[0].name, 'single');
  assert.equal(json.store.clusterVersion, proposedClusterVersion('single', 'oracle-readall-from0.json'));
});

test('a .snap whose CRC fails shows both CRCs and no store; one whose store is not JSON says so; both exit 1', () => {
  const bad = join(scratch, 'flipped.snap');
  const b = readFileSync(SINGLE_NEWEST);
  b[b.length - 1] ^= 0x01;
  writeFileSync(bad, b);
  const s = showSnapFile(bad);
  assert.equal(s.ok, false);
  assert.equal(s.crc!.status, 'mismatch');
  assert.notEqual(s.crc!.stored, s.crc!.computed);
  assert.equal(s.store, undefined);
  assert.equal(runWalt(['snap', 'show', bad]).status, 1);

  const notJson = join(scratch, 'not-json.snap');
  writeFileSync(notJson, encodeSnapFile({ ...readSnapFile(SINGLE_NEWEST).snapshot, data: Buffer.from('{"Root": ') }));
  const t = showSnapFile(notJson);
  assert.equal(t.crc!.status, 'ok');
  assert.match((t.store as { error: string }).error, /does not parse as JSON/);
  const cli = runWalt(['snap', 'show', notJson]);
  assert.equal(cli.status, 1);
  assert.match(cli.stdout, /v2 store: the v2 store does not parse/);
});

test('a bbolt backend: no trailer on member/snap/db; a SHA-256 trailer appended is checked, and a wrong one is caught', () => {
  const db = snapOf(single, 'db');
  const plain = showSnapFile(db);
  assert.equal(plain.kind, 'backend');
  assert.equal(plain.backend!.trailer, 'none');
  assert.equal(plain.ok, true);
  assert.match(runWalt(['snap', 'show', db]).stdout, /bbolt backend[\s\S]*no SHA-256 trailer/);

  const saved = join(scratch, '0000000000000123.snap.db');
  copyFileSync(db, saved);
  const sha = createHash('sha256').update(readFileSync(db)).digest();
  appendFileSync(saved, sha);
  const good = showSnapFile(saved);
  assert.equal(good.backend!.trailer, 'match');
  assert.equal(good.backend!.stored, sha.toString('hex'));
  assert.equal(runWalt(['snap', 'show', saved]).status, 0);

  const wrong = join(scratch, 'wrong.db');
  copyFileSync(db, wrong);
  appendFileSync(wrong, createHash('sha256').update('something else').digest());
  const w = showSnapFile(wrong);
  assert.equal(w.backend!.trailer, 'mismatch');
  assert.equal(w.backend!.computed, sha.toString('hex'));
  const cli = runWalt(['snap', 'show', '--format', 'json', wrong]);
  assert.equal(cli.status, 1);
  assert.equal(JSON.parse(cli.stdout).backend.trailer, 'mismatch');

  assert.equal(runWalt(['snap', 'show', '--as', 'snap', db]).status, 1, 'a backend read as a .snap does not decode');
  assert.equal(runWalt(['snap', 'show', '--as', 'tar', db]).status, 2);
  assert.equal(runWalt(['snap', 'show', join(scratch, 'missing.snap')]).status, 2);
});

const THROWAWAY: MemberSpec = {
  name: 'walt-snapsave',
  clientPort: 26379,
  peerPort: 26380,
  initialCluster: 'walt-snapsave=http://127.0.0.1:26380',
  token: 'walt-snapsave',
  flags: [],
};

test('a backend saved by real `etcdctl snapshot save`: its trailer is reported valid', { skip: etcdSkip() }, async () => {
  const dir = mkdtempSync(join(scratch, 'etcd-'));
  const file = join(dir, 'saved.db');
  const etcd = await Etcd.start(join(dir, 'data'), THROWAWAY);
  try {
    for (let i = 0; i < 20; i++) await etcd.etcdctl('put', `/walt/key-${i}`, `value-${i}`);
    await etcd.etcdctl('snapshot', 'save', file);
  } finally {
    await etcd.stop();
  }
  assert.equal(statSync(file).size % 512, 32);
  const s = showSnapFile(file);
  assert.equal(s.backend!.trailer, 'match');
  assert.equal(s.ok, true);
  const cli = runWalt(['snap', 'show', file]);
  assert.equal(cli.status, 0);
  assert.match(cli.stdout, /SHA-256 trailer \(last 32 bytes\): matches/);
});
