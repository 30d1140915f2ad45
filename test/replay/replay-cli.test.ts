/**
 * `walt replay-to-state` as a user runs it, against what the live members
 * served before they were stopped (etcdctl's records beside each fixture) and
 * what etcd wrote in their WALs.
 */
import type { InternalRaftRequest } from '../../src/codec/proto/etcdserverpb.js';
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { cpSync, readFileSync } from 'node:fs';
import { fixturesDir, readFixtureJson, runWalt, Scratch, walOf, type OracleReadAll } from '../helpers/fixtures.js';
import { records } from '../helpers/corrupt.js';
import { WalWriter } from '../../src/codec/wal-writer.js';
import { RecordType, decodeWalSnapshot } from '../../src/codec/proto/walpb.js';
import { EntryType, decodeEntry, decodeHardState, emptyHardState } from '../../src/codec/proto/raftpb.js';
import { encodeInternalRaftRequest } from '../../src/codec/proto/etcdserverpb.js';
import { decodeNormalEntry } from '../../src/codec/request.js';

const scratch = new Scratch();
after(() => scratch.remove());
const single = scratch.unpack('single');
const cluster = scratch.unpack('cluster3');
// A member that never took a snapshot: etcd restarts it from an empty v2 store and replays its WAL from index 1.
const k8s = scratch.unpack('k8s');

/** The response without its header, as text: JSON.parse would round the uint64 lease IDs. */
const body = (s: string) => s.trim().replace(/^\{"header":\{[^{}]*\},/, '{');
const revisionOf = (s: string) => /"revision":(\d+)/.exec(s)![1];

const members: Array<[string, string[]]> = [
  [single, ['single', 'expected-get.json']],
  [k8s, ['k8s', 'expected-get.json']],
  ...['m1', 'm2', 'm3', 'm4'].map((m) => [join(cluster, m), ['cluster3', m, 'expected-get.json']] as [string, string[]]),
];

test('the key space replayed equals what each live member served, from the WAL and from the backend', () => {
  for (const [dir, rec] of members) {
    const served = readFileSync(join(fixturesDir, ...rec), 'utf8');
    for (const from of ['auto', 'db']) {
      // etcd served the Secrets' values: walt prints them only when asked.
      const r = runWalt(['replay-to-state', '--from', from, '--show-secrets', dir]);
      assert.equal(r.status, 0, `${dir} --from ${from}: ${r.stderr}`);
      assert.equal(body(r.stdout), body(served), `${rec.join('/')} --from ${from}`);
      assert.equal(revisionOf(r.stdout), revisionOf(served));
    }
  }
});

test('the learner that joined from a snapshot cannot replay from index 1; it says why and how', () => {
  const r = runWalt(['replay-to-state', '--from', 'wal', join(cluster, 'm4')]);
  assert.equal(r.status, 2);
  assert.match(r.stderr, /does not reach back to index 1.*--from db/);
});

test('--at-index stops at an entry: the value a key had just before and just after the put that changed it', () => {
  const from0 = readFixtureJson<OracleReadAll>('single', 'oracle-readall-from0.json');
  const writes = from0.entries
    .filter((e) => e.kind === 'put')
    .map((e) => ({ index: e.index, put: (decodeNormalEntry(Buffer.from(e.data!, 'base64')).message as InternalRaftRequest).put! }))
    .filter((w) => Buffer.from(w.put.key!).toString() === '/app/config/x' && w.put.value);
  assert.ok(writes.length >= 2);
  const valueAt = (index: string) => {
    const out = JSON.parse(runWalt(['replay-to-state', '--from', 'wal', '--at-index', index, '--prefix', '/app/config/x', single]).stdout);
    return out.kvs?.find((kv: any) => Buffer.from(kv.key, 'base64').toString() === '/app/config/x')?.value;
  };
  const second = writes[1];
  assert.equal(valueAt(second.index), Buffer.from(second.put.value!).toString('base64'));
  assert.equal(valueAt(String(BigInt(second.index) - 1n)), Buffer.from(writes[0].put.value!).toString('base64'));
});

test('--diff from the first entry to the last adds exactly the keys etcd served', () => {
  const served = readFixtureJson('single', 'expected-get.json');
  const r = runWalt(['replay-to-state', '--from', 'wal', '--diff', `1..${readFixtureJson<OracleReadAll>('single', 'oracle-readall-from0.json').hardState.commit}`, single]);
  assert.equal(r.status, 0, r.stderr);
  const d = JSON.parse(r.stdout);
  assert.deepEqual(d.added.map((kv: any) => kv.key).sort(), served.kvs.map((kv: any) => kv.key).sort());
  assert.deepEqual(d.removed, []);
});

test('--history lists the versions kept with the entries that wrote them; the last is what etcd served', () => {
  const served = readFixtureJson('single', 'expected-get.json').kvs.find((kv: any) => Buffer.from(kv.key, 'base64').toString() === '/app/config/x');
  const h = JSON.parse(runWalt(['replay-to-state', '--from', 'wal', '--history', '/app/config/x', single]).stdout);
  const last = h.at(-1);
  assert.equal(last.kv.value, served.value);
  assert.equal(last.revision, served.mod_revision);
  const from0 = readFixtureJson<OracleReadAll>('single', 'oracle-readall-from0.json');
  for (const v of h) {
    const e = from0.entries.find((x) => x.index === String(v.index))!;
    assert.match(e.text, /app\/config\/x/, `entry ${v.index} writes the key`);
  }
});

test('--include leases: the leases etcd had, with their keys; members as etcd listed them', () => {
  const out = runWalt(['replay-to-state', '--include', 'leases,members,auth', single]).stdout;
  const leasesText = readFileSync(join(fixturesDir, 'single', 'expected-leases.json'), 'utf8');
  const ids = [...leasesText.matchAll(/"id":(\d+),"ttl"/g)].map((m) => BigInt(m[1]).toString(16)).sort();
  const ours = JSON.parse(out);
  assert.deepEqual(ours.leases.map((l: any) => l.id).sort(), ids);
  const live = ours.leases.find((l: any) => l.keys.length > 0);
  assert.deepEqual(live.keys.sort(), ['L2xlYXNlL2xpdmUvYQ==', 'L2xlYXNlL2xpdmUvYg==']);
  assert.deepEqual(ours.members.map((m: any) => m.name), ['single']);
  assert.ok(!out.includes('rootpw') && !out.includes('alicepw'));
});

test('an uncommitted tail that a later leader overwrote is not applied: raft truncates it, as it did', () => {
  const recs = records(walOf(single));
  const meta = recs.find((r) => r.type === RecordType.metadata)!.data!;
  const dir = scratch.fresh('overwritten');
  const w = WalWriter.create(walOf(dir), meta, { sync: false });
  const lastEntry = recs.filter((r) => r.type === RecordType.entry).at(-5)!;
  let commit = 0n;
  for (const r of recs.slice(3)) {
    if (r.type === RecordType.entry) {
      const e = decodeEntry(r.data!);
      if (r.offset === lastEntry.offset) {
        // Before the last few entries, a tail in another term that never committed: puts of keys etcd never served.
        const ghosts = [1n, 2n, 3n].map((k) => ({
          term: 1n,
          index: e.index + k - 1n,
          type: EntryType.EntryNormal,
          data: encodeInternalRaftRequest({ header: { ID: 99n + k }, put: { key: Buffer.from(`/ghost/${k}`), value: Buffer.from('boo') } }),
        }));
        w.save({ term: 2n, vote: 0n, commit }, ghosts);
      }
      w.save(emptyHardState(), [e]);
    } else if (r.type === RecordType.state) {
      const hs = decodeHardState(r.data!);
      commit = hs.commit;
      w.save(hs, []);
    } else if (r.type === RecordType.snapshot) w.saveSnapshot(decodeWalSnapshot(r.data!));
  }
  w.close();
  const served = readFileSync(join(fixturesDir, 'single', 'expected-get.json'), 'utf8');
  const r = runWalt(['replay-to-state', '--from', 'wal', dir]);
  assert.equal(r.status, 0, r.stderr);
  assert.ok(!r.stdout.includes(Buffer.from('/ghost/').toString('base64').slice(0, 8)), 'no ghost key');
  assert.equal(body(r.stdout), body(served));
});

/**
 * A member that fell behind and caught up from a leader's snapshot: its WAL
 * starts at index 1 but jumps over the entries before a snapshot record.
 * etcd reads from the snapshot it loads and never sees the gap; --from auto
 * replays from the backend as etcd does, --from wal names the gap.
 */
test('a WAL from index 1 with a gap before the snapshot etcd loads: auto replays from the backend, wal says where the gap is', () => {
  const recs = records(walOf(single));
  const meta = recs.find((r) => r.type === RecordType.metadata)!.data!;
  const snaps = recs.filter((r) => r.type === RecordType.snapshot).map((r) => decodeWalSnapshot(r.data!));
  const gapTo = snaps.find((s) => s.index > 400n)!.index;
  const dir = scratch.fresh('gap');
  cpSync(join(single, 'member', 'snap'), join(dir, 'member', 'snap'), { recursive: true });
  const w = WalWriter.create(walOf(dir), meta, { sync: false });
  for (const r of recs.slice(3)) {
    if (r.type === RecordType.entry) {
      const e = decodeEntry(r.data!);
      if (e.index < 350n || e.index > gapTo) w.save(emptyHardState(), [e]);
    } else if (r.type === RecordType.state) w.save(decodeHardState(r.data!), []);
    else if (r.type === RecordType.snapshot) w.saveSnapshot(decodeWalSnapshot(r.data!));
  }
  w.close();
  const served = readFileSync(join(fixturesDir, 'single', 'expected-get.json'), 'utf8');
  const auto = runWalt(['replay-to-state', '--show-secrets', dir]);
  assert.equal(auto.status, 0, auto.stderr);
  assert.equal(body(auto.stdout), body(served));
  const wal = runWalt(['replay-to-state', '--from', 'wal', dir]);
  assert.equal(wal.status, 1, wal.stderr);
  assert.match(wal.stderr, /entry \d+ follows entry 349/);
  assert.equal(wal.stderr.trim().split('\n').length, 1, 'one line');
});

test('--etcd-version chooses the rules; without it the cluster version the log records; the rules go to stderr and to --include rules', () => {
  const byLog = runWalt(['replay-to-state', '--include', 'rules', single]);
  assert.equal(byLog.status, 0, byLog.stderr);
  assert.match(byLog.stderr, /^etcd 3\.4\.45 \(the cluster version in the log, its newest patch\); version rules applied: .*compaction-keeps-tombstone/m);
  const rules = JSON.parse(byLog.stdout).rules;
  assert.equal(rules.version, '3.4.45');
  assert.equal(rules.rules.find((r: { id: string }) => r.id === 'membership-v3-requests').applied, false);
  const fixed = runWalt(['replay-to-state', '--etcd-version', '3.4.23', single]);
  assert.match(fixed.stderr, /^etcd 3\.4\.23 \(--etcd-version\); version rules applied: none$/m);
  const bad = runWalt(['replay-to-state', '--etcd-version', 'three', single]);
  assert.equal(bad.status, 2);
  assert.match(bad.stderr, /expected an etcd release X\.Y\.Z/);
});
