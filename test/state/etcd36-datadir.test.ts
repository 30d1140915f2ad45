/**
 * A data dir in the shape etcd 3.6 leaves it, written by walt's WAL writer
 * with entries as 3.6's server proposes them, a .snap holding the membership
 * only, and a backend at a consistent index between the two; then
 * replay-to-state from the WAL and from the backend. No etcd 3.6 is packaged,
 * so each expected value is read off etcd's source (tag v3.6.0), cited at
 * the entry or file that makes it; none is walt's own output.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { resolveDataDir } from '../../src/codec/data-dir.js';
import { encodeSnapFile, snapName } from '../../src/codec/snap-file.js';
import { WalWriter } from '../../src/codec/wal-writer.js';
import { encodeMetadata } from '../../src/codec/proto/metadata.js';
import { encodeInternalRaftRequest } from '../../src/codec/proto/etcdserverpb.js';
import { KeyValueSpec } from '../../src/codec/proto/bucket-values.js';
import { ConfChangeType, EntryType, encodeConfChange, type ConfState, type Entry } from '../../src/codec/proto/raftpb.js';
import { encodeMessage, type Msg } from '../../src/codec/proto/message.js';
import { replayDataDir, type ReplaySource } from '../../src/replay/replay.js';
import { Scratch, runWalt } from '../helpers/fixtures.js';
import { b } from './helpers.js';
import { memberJson36, membershipRows, membershipSnapData, promoteContext36, row, u64be, writeBackendFile, type Member36, type Rows } from './etcd36.js';

const scratch = new Scratch();
after(() => scratch.remove());

const CLUSTER = 0xc1c1n;
const m = (n: number, extra: Partial<Member36> = {}): Member36 => ({ id: BigInt(0x1000 * n + n), name: `m${n}`, peerURLs: [`http://10.0.0.${n}:2380`], clientURLs: [`http://10.0.0.${n}:2379`], ...extra });
const [m1, m2, m3, m4, m5] = [1, 2, 3, 4, 5].map((n) => m(n));
const SNAP_INDEX = 10n;
const CONSISTENT_INDEX = 16n;

/** The log of member m1, as 3.6's server and raft write it; the comments give each write's revision. */
function entries(): Entry[] {
  const out: Entry[] = [];
  const push = (term: bigint, type: EntryType, data?: Uint8Array) => out.push({ index: BigInt(out.length + 1), term, type, data });
  const request = (r: Msg) => push(2n, EntryType.EntryNormal, encodeInternalRaftRequest({ header: { ID: BigInt(0x7000 + out.length) }, ...r }));
  const conf = (term: bigint, id: bigint, type: ConfChangeType, nodeId: bigint, context?: string) => push(term, EntryType.EntryConfChange, encodeConfChange({ id, type, nodeId, context: context === undefined ? undefined : Buffer.from(context) }));
  // 1-3, term 1: raft's Bootstrap (go.etcd.io/raft/v3 bootstrap.go) of the peers etcd gives it
  // (server/etcdserver/bootstrap.go bootstrapRaftFromCluster: the context is json.Marshal of each
  // new member, its name set and no client URLs yet).
  for (const x of [m1, m2, m3]) conf(1n, 0n, ConfChangeType.ConfChangeAddNode, x.id, memberJson36({ ...x, clientURLs: undefined }));
  push(2n, EntryType.EntryNormal); // 4: the new leader's empty entry (raft.go becomeLeader)
  // 5-7: each member publishes its attributes (server.go publishV3); 8: the cluster version (server.go updateClusterVersionV3).
  for (const x of [m1, m2, m3]) request({ cluster_member_attr_set: { member_ID: x.id, member_attributes: { name: x.name, client_urls: x.clientURLs } } });
  request({ cluster_version_set: { ver: '3.6.0' } });
  request({ put: { key: b('/a'), value: b('1') } }); // 9: rev 2
  request({ put: { key: b('/b'), value: b('1') } }); // 10: rev 3; the .snap is taken here
  // 11: member add --learner (server.go AddMember: json.Marshal(memb), ConfChangeAddLearnerNode), 12: m4 publishes,
  // 13: member promote (server.go promoteMember: ConfigChangeContext{Member{ID}, IsPromote: true}).
  conf(2n, 0x9001n, ConfChangeType.ConfChangeAddLearnerNode, m4.id, memberJson36({ id: m4.id, peerURLs: m4.peerURLs, isLearner: true }));
  request({ cluster_member_attr_set: { member_ID: m4.id, member_attributes: { name: m4.name, client_urls: m4.clientURLs } } });
  conf(2n, 0x9002n, ConfChangeType.ConfChangeAddNode, m4.id, promoteContext36(m4.id));
  request({ put: { key: b('/b'), value: b('2') } }); // 14: rev 4
  // 15: another learner, 16: member remove (server.go RemoveMember: ConfChangeRemoveNode, no context). The backend is at 16.
  conf(2n, 0x9003n, ConfChangeType.ConfChangeAddLearnerNode, m5.id, memberJson36({ id: m5.id, peerURLs: m5.peerURLs, isLearner: true }));
  conf(2n, 0x9004n, ConfChangeType.ConfChangeRemoveNode, m5.id);
  request({ put: { key: b('/c'), value: b('1') } }); // 17: rev 5
  request({ delete_range: { key: b('/a') } }); // 18: rev 6
  // 19: member update (server.go UpdateMember: json.Marshal of the Member with its ID and new peer URLs).
  conf(2n, 0x9005n, ConfChangeType.ConfChangeUpdateNode, m2.id, memberJson36({ id: m2.id, peerURLs: ['http://10.0.0.22:2380'] }));
  request({ put: { key: b('/d'), value: b('1') } }); // 20: rev 7
  return out;
}

/** mvcc's `key` bucket row (revision.go: 8-byte big-endian main, '_', 8-byte sub) holding mvccpb.KeyValue. */
function keyRow(main: bigint, key: string, value: string, create: bigint, version: bigint): Rows[number] {
  const k = Buffer.alloc(17);
  k.writeBigUInt64BE(main, 0);
  k[8] = 0x5f;
  k.writeBigUInt64BE(0n, 9);
  return row(k, encodeMessage(KeyValueSpec, { key: b(key), create_revision: create, mod_revision: main, version, value: b(value) }));
}

function writeDataDir(): string {
  const dir = scratch.fresh('etcd36');
  const snapDir = join(dir, 'member', 'snap');
  mkdirSync(snapDir, { recursive: true });
  const log = entries();
  const wal = WalWriter.create(join(dir, 'member', 'wal'), encodeMetadata({ nodeId: m1.id, clusterId: CLUSTER }), { sync: false });
  const confState: ConfState = { voters: [m1.id, m2.id, m3.id], learners: [], votersOutgoing: [], learnersNext: [], autoLeave: false };
  wal.save({ term: 2n, vote: m1.id, commit: SNAP_INDEX }, log.filter((e) => e.index <= SNAP_INDEX));
  // storage.go SaveSnap: the .snap file (GetMembershipInfoInV2Format's v2 store), then the WAL's snapshot record.
  writeFileSync(join(snapDir, snapName(2n, SNAP_INDEX)), encodeSnapFile({ data: membershipSnapData([m1, m2, m3], [], '3.6.0'), metadata: { confState, index: SNAP_INDEX, term: 2n } }));
  wal.saveSnapshot({ index: SNAP_INDEX, term: 2n, confState });
  wal.save({ term: 2n, vote: m1.id, commit: BigInt(log.length) }, log.filter((e) => e.index > SNAP_INDEX));
  wal.close();
  // The backend as of entry 16: revisions 2-4, m4 a voter, m5 removed (schema/membership.go), meta's consistent_index and term (schema/cindex.go).
  writeBackendFile(join(snapDir, 'db'), {
    key: [keyRow(2n, '/a', '1', 2n, 1n), keyRow(3n, '/b', '1', 3n, 1n), keyRow(4n, '/b', '2', 3n, 2n)],
    meta: [row('consistent_index', u64be(CONSISTENT_INDEX)), row('term', u64be(2n))],
    ...membershipRows([m1, m2, m3, m4], [m5.id], '3.6.0'),
  });
  return dir;
}

const hex = (id: bigint) => id.toString(16);
/** What 3.6 holds after entry 20: m5 removed, m2 at its new peer URL, m4 a voter with the attributes it published. */
const MEMBERS = [m1, { ...m2, peerURLs: ['http://10.0.0.22:2380'] }, m3, m4].map((x) => ({ id: hex(x.id), name: x.name, peerURLs: x.peerURLs, clientURLs: x.clientURLs, isLearner: false }));
const KEYS: Array<[string, string, bigint, bigint, bigint]> = [
  ['/b', '2', 3n, 4n, 2n],
  ['/c', '1', 5n, 5n, 1n],
  ['/d', '1', 7n, 7n, 1n],
];

for (const from of ['wal', 'db'] as const satisfies readonly ReplaySource[]) {
  test(`etcd 3.6's data dir replayed --from ${from}: its members, removed member, cluster version and key space, every conf change accepted, under 3.6's rules`, () => {
    const errors: string[] = [];
    const { state, source, appliedIndex } = replayDataDir(resolveDataDir(writeDataDir()), { from, onApplied: (_s, e, r) => r.error && errors.push(`${e.index}: ${r.error.name}`) });
    assert.equal(source, from);
    assert.equal(appliedIndex, 20n);
    assert.deepEqual(errors, [], 'at or below the consistent index, 3.6 checks conf changes against the v2 store, which has none of m4 and m5 yet');
    assert.deepEqual(state.cluster.list().map((x) => ({ ...x, id: hex(x.id) })), MEMBERS);
    assert.deepEqual([...state.cluster.removed].map(hex), [hex(m5.id)]);
    assert.equal(state.cluster.version, '3.6.0');
    assert.deepEqual([state.rules.version, state.rules.origin], ['3.6.14', 'log']);
    const { kvs, revision } = state.range(b('/'), b('0'));
    assert.equal(revision, 7n);
    assert.deepEqual(
      kvs.map((kv) => [Buffer.from(kv.key).toString(), Buffer.from(kv.value).toString(), kv.createRevision, kv.modRevision, kv.version]),
      KEYS,
    );
  });
}

test("etcd 3.6's data dir: walt replay-to-state names 3.6's rules and lists the members", () => {
  const dir = writeDataDir();
  const r = runWalt(['replay-to-state', '--include', 'members,rules', '--keys-only', dir]);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stderr, /^etcd 3\.6\.14 \(the cluster version in the log/);
  const out = JSON.parse(r.stdout);
  assert.deepEqual(out.members.map((x: { id: string }) => x.id), MEMBERS.map((x) => x.id));
  const applied = out.rules.rules.filter((x: { applied: boolean }) => x.applied).map((x: { id: string }) => x.id);
  for (const id of ['membership-in-backend', 'v2-membership-only', 'v2-snapshot-meta-only', 'learner-limit-learner-node']) assert.ok(applied.includes(id), id);
});
