/**
 * Each version rule (src/state/version-rules.ts): the same entries applied
 * under the release before the rule and the release that introduced it give
 * what etcd's source of each release does (the file and function are named in
 * the table). version-rules-live.test.ts judges those Debian has against
 * running etcd.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Msg } from '../../src/codec/proto/message.js';
import { ConfChangeType } from '../../src/codec/proto/raftpb.js';
import { readSnapFile } from '../../src/codec/snap-file.js';
import { EtcdState, type ApplyResult } from '../../src/state/apply.js';
import { PermissionType } from '../../src/state/auth.js';
import { StateError } from '../../src/state/errors.js';
import { V2Store } from '../../src/state/v2store.js';
import { v2StoreJson } from '../../src/state/v2store-save.js';
import { hasRule, parseEtcdVersion, VERSION_RULES, VersionRules, type RuleId } from '../../src/state/version-rules.js';
import { Scratch } from '../helpers/fixtures.js';
import { b, EntryLog } from './helpers.js';
import { memberJson36, membershipRows, membershipSnapData, promoteContext36, row, u64be, writeBackendFile, type Member36 } from './etcd36.js';

const scratch = new Scratch();
after(() => scratch.remove());

const FRESH = 1000n;

function setup(etcdVersion?: string) {
  const state = new EtcdState({ etcdVersion });
  const log = new EntryLog();
  const apply = (m: Msg, username = '', authRevision = 0n): ApplyResult => state.applyEntry(log.request({ ...m, header: { username, auth_revision: authRevision } }));
  return { state, log, apply };
}

/** root (root role), role app with readwrite [/a/, /a0), user u with app; auth enabled. */
function withAuth(etcdVersion: string) {
  const s = setup(etcdVersion);
  s.apply({ auth_user_add: { name: 'root', options: { no_password: true } } });
  s.apply({ auth_user_grant_role: { user: 'root', role: 'root' } });
  s.apply({ auth_role_add: { name: 'app' } });
  s.apply({ auth_role_grant_permission: { name: 'app', perm: { permType: PermissionType.READWRITE, key: b('/a/'), range_end: b('/a0') } } });
  s.apply({ auth_user_add: { name: 'u', options: { no_password: true } } });
  s.apply({ auth_user_grant_role: { user: 'u', role: 'app' } });
  assert.equal(s.apply({ auth_enable: {} }).error, undefined);
  return s;
}

test('the table: each rule is in force from its release in each series, and in later series; parse takes X.Y as the newest patch', () => {
  const on = (id: RuleId, v: string) => hasRule(VERSION_RULES.find((r) => r.id === id)!, v);
  assert.deepEqual(['3.4.33', '3.4.34', '3.5.15', '3.5.16', '3.6.0', '3.7.0', '3.3.9'].map((v) => on('compaction-keeps-tombstone', v)), [false, true, false, true, true, true, false]);
  assert.deepEqual(['3.4.41', '3.4.42', '3.5.27', '3.5.28', '3.6.8', '3.6.9'].map((v) => on('nested-txn-auth', v)), [false, true, false, true, false, true]);
  assert.deepEqual(['3.4.45', '3.5.0', '3.6.0'].map((v) => on('membership-v3-requests', v)), [false, true, true]);
  for (const id of ['membership-in-backend', 'v2-membership-only', 'v2-snapshot-meta-only', 'learner-limit-learner-node'] as const) {
    assert.deepEqual(['3.4.45', '3.5.33', '3.6.0', '3.6.14'].map((v) => on(id, v)), [false, false, true, true], id);
  }
  assert.deepEqual(['3.5.33', '3.6.0', '3.6.1'].map((v) => on('membership-skips-unknown', v)), [false, false, true]);
  assert.deepEqual(['3.4.45', '3.5.30', '3.5.31', '3.6.11', '3.6.12'].map((v) => on('member-update-peer-urls-only', v)), [false, false, true, false, true]);
  assert.deepEqual(['3.5.33', '3.6.2', '3.6.3'].map((v) => on('v2-snapshot-auth-allowed', v)), [false, false, true]);
  assert.equal(parseEtcdVersion('3.5'), '3.5.33');
  assert.equal(parseEtcdVersion('v3.4.23'), '3.4.23');
  assert.equal(parseEtcdVersion('3.x'), undefined);
  assert.throws(() => new VersionRules('3.5'), (e: unknown) => e instanceof StateError && e.code === 'BAD_VERSION');
});

test('the version follows the cluster version the log records (its newest patch), unless fixed', () => {
  const log = new EntryLog();
  const s = new EtcdState();
  assert.equal(s.rules.origin, 'default');
  s.applyEntry(log.v2({ Method: 'PUT', Path: '/0/version', Val: '3.4.0' }));
  assert.deepEqual([s.rules.version, s.rules.origin], ['3.4.45', 'log']);
  s.applyEntry(log.v2({ Method: 'PUT', Path: '/0/version', Val: '3.5.0' }));
  assert.deepEqual(s.rules.recorded, [{ version: '3.4.45', index: 1n }, { version: '3.5.33', index: 2n }]);
  const fixed = new EtcdState({ etcdVersion: '3.5.16' });
  fixed.applyEntry(new EntryLog().v2({ Method: 'PUT', Path: '/0/version', Val: '3.4.0' }));
  assert.deepEqual([fixed.rules.version, fixed.rules.origin], ['3.5.16', 'flag']);
});

test('grant-needs-permission (3.4.25, 3.5.0): refused before the role is looked up; before, the nil permission panicked etcd', () => {
  const after = setup('3.5.0');
  after.apply({ auth_role_add: { name: 'r' } });
  assert.equal(after.apply({ auth_role_grant_permission: { name: 'r' } }).error?.name, 'ErrPermissionNotGiven');
  assert.equal(after.apply({ auth_role_grant_permission: { name: 'nobody' } }).error?.name, 'ErrPermissionNotGiven');
  const before = setup('3.4.24');
  before.apply({ auth_role_add: { name: 'r' } });
  assert.equal(before.apply({ auth_role_grant_permission: { name: 'nobody' } }).error?.name, 'ErrRoleNotFound');
  assert.throws(() => before.apply({ auth_role_grant_permission: { name: 'r' } }), (e: unknown) => e instanceof StateError && e.code === 'ETCD_PANIC');
});

test('grant-valid-range (3.4.25, 3.5.8): an empty key or a range end before the key is refused and bumps nothing', () => {
  for (const [v, refused] of [['3.5.7', false], ['3.5.8', true], ['3.4.24', false], ['3.4.25', true]] as const) {
    const { state, apply } = setup(v);
    apply({ auth_role_add: { name: 'r' } });
    const rev = state.auth.revision;
    const bad = apply({ auth_role_grant_permission: { name: 'r', perm: { permType: 0, key: b('/z'), range_end: b('/b') } } });
    const empty = apply({ auth_role_grant_permission: { name: 'r', perm: { permType: 0, key: b(''), range_end: b('') } } });
    assert.deepEqual([bad.error?.name, empty.error?.name], refused ? ['ErrInvalidAuthMgmt', 'ErrInvalidAuthMgmt'] : [undefined, undefined], v);
    assert.equal(state.auth.revision, refused ? rev : rev + 2n, v);
    assert.equal(apply({ auth_role_grant_permission: { name: 'r', perm: { permType: 0, key: b('/z'), range_end: b('\0') } } }).error, undefined, `${v}: "\\0" is every key from /z`);
  }
});

test('lease-puts-admin (3.4.27, 3.5.10): root revokes a lease with keys at a stale auth revision', () => {
  for (const [v, revoked] of [['3.5.9', false], ['3.5.10', true], ['3.4.26', false], ['3.4.27', true]] as const) {
    const { state, apply } = withAuth(v);
    apply({ lease_grant: { ID: 7n, TTL: 60n } }, 'root', FRESH);
    apply({ put: { key: b('/x'), value: b('1'), lease: 7n } }, 'root', FRESH);
    const r = apply({ lease_revoke: { ID: 7n } }, 'root', 2n);
    assert.equal(r.error?.name, revoked ? undefined : 'ErrAuthOldRevision', v);
    assert.equal(state.lessor.lookup(7n) === undefined, revoked, v);
  }
});

test('compaction-keeps-tombstone (3.4.34, 3.5.16): a delete exactly at the compaction revision stays in the key index and history', () => {
  for (const [v, kept] of [['3.5.15', false], ['3.5.16', true], ['3.4.33', false], ['3.4.34', true]] as const) {
    const { state, apply } = setup(v);
    apply({ put: { key: b('k'), value: b('1') } });
    const del = apply({ delete_range: { key: b('k') } }).revision!;
    apply({ put: { key: b('other'), value: b('1') } });
    apply({ compaction: { revision: del } });
    assert.deepEqual(state.history(b('k')).map((e) => e.type), kept ? ['delete'] : [], v);
    apply({ compaction: { revision: del + 1n } });
    assert.deepEqual(state.history(b('k')), [], `${v}: a later compaction drops it`);
  }
});

test('nested-txn-auth (3.4.42, 3.5.28, 3.6.9): a write in a nested txn needs permission', () => {
  const nested = { txn: { compare: [], success: [{ request_txn: { compare: [], success: [{ request_put: { key: b('/b'), value: b('1') } }], failure: [] } }], failure: [] } };
  for (const [v, refused] of [['3.5.27', false], ['3.5.28', true], ['3.4.41', false], ['3.4.42', true], ['3.6.8', false], ['3.6.9', true]] as const) {
    const { state, apply } = withAuth(v);
    assert.equal(apply(nested, 'u', FRESH).error?.name, refused ? 'ErrPermissionDenied' : undefined, v);
    assert.equal(state.range(b('/b')).count, refused ? 0 : 1, v);
  }
});

test("txn-put-auth (3.4.44, 3.5.30, 3.6.11): a put in a txn is checked for its lease's keys and prev_kv", () => {
  for (const [v, refused] of [['3.5.29', false], ['3.5.30', true], ['3.4.43', false], ['3.4.44', true], ['3.6.10', false], ['3.6.11', true]] as const) {
    const { state, apply } = withAuth(v);
    apply({ lease_grant: { ID: 7n, TTL: 60n } }, 'root', FRESH);
    apply({ put: { key: b('/b'), value: b('1'), lease: 7n } }, 'root', FRESH);
    const withLease = apply({ txn: { compare: [], success: [{ request_put: { key: b('/a/1'), value: b('1'), lease: 7n } }], failure: [] } }, 'u', FRESH);
    assert.equal(withLease.error?.name, refused ? 'ErrPermissionDenied' : undefined, `${v}: a lease holding /b, which u may not write`);
    assert.equal(state.range(b('/a/1')).count, refused ? 0 : 1, v);
    assert.equal(apply({ put: { key: b('/a/2'), value: b('1'), lease: 7n } }, 'u', FRESH).error?.name, 'ErrPermissionDenied', `${v}: a lone put always was`);
  }
  // prev_kv needs read permission: a write-only role.
  for (const [v, refused] of [['3.5.29', false], ['3.5.30', true]] as const) {
    const { apply } = withAuth(v);
    apply({ auth_role_add: { name: 'w' } }, 'root', FRESH);
    apply({ auth_role_grant_permission: { name: 'w', perm: { permType: PermissionType.WRITE, key: b('/w/'), range_end: b('/w0') } } }, 'root', FRESH);
    apply({ auth_user_grant_role: { user: 'u', role: 'w' } }, 'root', FRESH);
    const r = apply({ txn: { compare: [], success: [{ request_put: { key: b('/w/1'), value: b('1'), prev_kv: true } }], failure: [] } }, 'u', FRESH);
    assert.equal(r.error?.name, refused ? 'ErrPermissionDenied' : undefined, `${v}: prev_kv`);
  }
});

test('membership-v3-requests (3.5.0): member attributes and the cluster version apply below the consistent index; downgrade info is kept', () => {
  const member = `{"id":${0x2an},"peerURLs":["http://p:1"],"name":""}`;
  for (const [v, applied] of [['3.5.0', true], ['3.4.45', false]] as const) {
    const log = new EntryLog();
    const state = new EtcdState({ etcdVersion: v });
    state.applyEntry(log.confChange(ConfChangeType.ConfChangeAddNode, 0x2an, member));
    // As after loading a backend whose consistent index is past these entries.
    state.consistentIndex = 100n;
    const attr = state.applyEntry(log.request({ cluster_member_attr_set: { member_ID: 0x2an, member_attributes: { name: 'm1', client_urls: ['http://c:1'] } } }));
    state.applyEntry(log.request({ cluster_version_set: { ver: '3.5.0' } }));
    state.applyEntry(log.request({ downgrade_info_set: { enabled: true, ver: '3.4.0' } }));
    assert.deepEqual([state.cluster.list()[0].name, state.cluster.list()[0].clientURLs], applied ? ['m1', ['http://c:1']] : ['', []], v);
    assert.equal(state.cluster.version, applied ? '3.5.0' : undefined, v);
    assert.deepEqual(state.cluster.downgrade, applied ? { enabled: true, targetVersion: '3.4.0' } : undefined, v);
    assert.equal(attr.skipped !== undefined, !applied, v);
  }
});

test('max-learners-setting (3.6.0): a second learner is refused at the default of 1, accepted with --max-learners 2; before 3.6 the setting is not there', () => {
  const learner = (id: bigint) => `{"id":${id},"peerURLs":["http://p:${id}"],"name":"","isLearner":true}`;
  for (const [v, maxLearners, second] of [['3.6.0', 2, undefined], ['3.6.0', undefined, 'ErrTooManyLearners'], ['3.5.16', 2, 'ErrTooManyLearners']] as const) {
    const log = new EntryLog();
    const state = new EtcdState({ etcdVersion: v, maxLearners });
    state.applyEntry(log.confChange(ConfChangeType.ConfChangeAddNode, 1n, `{"id":1,"peerURLs":["http://p:0"],"name":"a"}`));
    assert.equal(state.applyEntry(log.confChange(ConfChangeType.ConfChangeAddLearnerNode, 2n, learner(2n))).error, undefined);
    assert.equal(state.applyEntry(log.confChange(ConfChangeType.ConfChangeAddLearnerNode, 3n, learner(3n))).error?.name, second, `${v} max ${maxLearners}`);
  }
});

const peer = (n: number) => [`http://10.0.0.${n}:2380`];
const client = (n: number) => [`http://10.0.0.${n}:2379`];

test("membership-in-backend (3.6.0): at start the members, removed members and cluster version are the backend's, not the .snap's; a learner the .snap has as a voter is promoted; the downgrade is the backend's in both", () => {
  // The .snap: members 1 and 2, both voters. The backend (written later, at consistent index 5):
  // 2 still a learner (etcd issue 19557), 3 added, 4 removed, and a downgrade enabled.
  const snapMembers: Member36[] = [
    { id: 1n, name: 'a', peerURLs: peer(1), clientURLs: client(1) },
    { id: 2n, name: 'b', peerURLs: peer(2), clientURLs: client(2) },
  ];
  const backendMembers: Member36[] = [snapMembers[0], { ...snapMembers[1], isLearner: true }, { id: 3n, name: 'c', peerURLs: peer(3), clientURLs: client(3) }];
  const db = scratch.fresh('db');
  writeBackendFile(db, { ...membershipRows(backendMembers, [4n], '3.6.0', { enabled: true, targetVersion: '3.5.0' }), meta: [row('consistent_index', u64be(5n))] });
  const data = membershipSnapData(snapMembers, [], '3.6.0');
  const load = (etcdVersion: string) => {
    const state = new EtcdState({ etcdVersion });
    state.loadV2Snapshot(data);
    state.loadBackend(db);
    return state;
  };
  const listed = (s: EtcdState) => s.cluster.list().map((m) => `${m.id}${m.isLearner ? ' learner' : ''}`);
  const v36 = load('3.6.0');
  assert.deepEqual(listed(v36), ['1', '2', '3'], 'the backend\'s members, 2 promoted as the .snap has it (SyncLearnerPromotionIfNeeded)');
  assert.deepEqual([...v36.cluster.removed], [4n]);
  const v35 = load('3.5.33');
  assert.deepEqual(listed(v35), ['1', '2'], "3.5: the .snap's v2 store (cluster.go Recover with a v2 store)");
  assert.deepEqual([...v35.cluster.removed], []);
  for (const s of [v36, v35]) assert.deepEqual(s.cluster.downgrade, { enabled: true, targetVersion: '3.5.0' }, 'Recover reads the downgrade from the backend');
});

test('membership-in-backend (3.6.0): a conf change at or below the consistent index is checked against the v2 store and leaves memory (the backend) alone', () => {
  // The backend (consistent index 4) already has member 3 added at entry 2 and member 4 removed at entry 3,
  // but 3 still a learner though promoted at entry 4 (etcd issue 19557); the .snap (index 1) has none of
  // them. Entries 2 to 4 come again after the restart.
  const snap: Member36[] = [{ id: 1n, name: 'a', peerURLs: peer(1), clientURLs: client(1) }, { id: 4n, name: 'd', peerURLs: peer(4), clientURLs: client(4) }];
  const learner3: Member36 = { id: 3n, peerURLs: peer(3), isLearner: true };
  const db = scratch.fresh('db');
  writeBackendFile(db, { ...membershipRows([snap[0], learner3], [4n], '3.6.0'), meta: [row('consistent_index', u64be(4n))] });
  for (const [v, members] of [['3.6.0', ['1', '3']], ['3.5.33', ['1', '3']]] as const) {
    const state = new EtcdState({ etcdVersion: v });
    state.loadV2Snapshot(membershipSnapData(snap, [], '3.6.0'));
    state.loadBackend(db);
    const log = new EntryLog();
    log.request({ put: { key: b('/x'), value: b('1') } });
    const add = state.applyEntry(log.confChange(ConfChangeType.ConfChangeAddLearnerNode, 3n, memberJson36(learner3)));
    const remove = state.applyEntry(log.confChange(ConfChangeType.ConfChangeRemoveNode, 4n));
    // 3.6 checks both against the v2 store (3 absent, 4 present): accepted. Checked against the backend they would be refused.
    assert.deepEqual([add.error, remove.error], [undefined, undefined], v);
    assert.deepEqual(state.cluster.list().map((m) => String(m.id)), members, v);
    assert.deepEqual([...state.cluster.removed], [4n], v);
    // Both wrote the v2 store, which the next .snap carries (cluster.go AddMember, RemoveMember: mustSaveMemberToStore, mustDeleteMemberFromStore).
    assert.deepEqual(state.v2!.get('/0/removed_members', true, true).nodes?.map((n) => n.key), ['/0/removed_members/4'], v);
    // A promotion at or below the consistent index still clears the backend's learner flag in memory (PromoteMember).
    assert.equal(state.applyEntry(log.confChange(ConfChangeType.ConfChangeAddNode, 3n, promoteContext36(3n))).error, undefined, v);
    assert.equal(state.cluster.members.get(3n)?.isLearner, false, v);
  }
});

test('v2-membership-only (3.6.0): a v2 PUT of member attributes or /0/version applies as the v3 request whatever its prev conditions; any other v2 request panics etcd', () => {
  const attrs = { Method: 'PUT', Path: '/0/members/2a/attributes', Val: '{"name":"m1","clientURLs":["http://c:1"]}', PrevExist: true };
  for (const [v, published] of [['3.6.0', true], ['3.5.33', false]] as const) {
    const log = new EntryLog();
    const state = new EtcdState({ etcdVersion: v });
    state.applyEntry(log.confChange(ConfChangeType.ConfChangeAddNode, 0x2an, memberJson36({ id: 0x2an, peerURLs: peer(1) })));
    // 3.5 reads PrevExist as a v2 update of a key that does not exist yet; 3.6 converts it (apply_v2.go v2ToV3Request).
    const r = state.applyEntry(log.v2(attrs));
    assert.equal(r.error?.name, published ? undefined : 'V2KeyNotFound', v);
    assert.equal(state.cluster.members.get(0x2an)?.name, published ? 'm1' : '', v);
    state.applyEntry(log.v2({ Method: 'PUT', Path: '/0/version', Val: '3.6.0', PrevValue: 'x' }));
    assert.equal(state.cluster.version, published ? '3.6.0' : undefined, `${v}: a compare-and-swap in 3.5, which fails`);
  }
  for (const r of [{ Method: 'PUT', Path: '/1/k', Val: 'v' }, { Method: 'QGET', Path: '/1/k' }, { Method: 'DELETE', Path: '/0/members/2a/attributes' }]) {
    assert.throws(() => new EtcdState({ etcdVersion: '3.6.0' }).applyEntry(new EntryLog().v2(r)), (e: unknown) => e instanceof StateError && e.code === 'ETCD_PANIC' && /disallowed v2 WAL/.test(e.message), r.Method);
    assert.doesNotThrow(() => new EtcdState({ etcdVersion: '3.5.33' }).applyEntry(new EntryLog().v2(r)), `3.5: ${r.Method}`);
  }
});

test("v2-snapshot-meta-only (3.6.0): the .snap etcd 3.5.16 wrote with v2 keys under /1 stops 3.6 at start; membership alone, an empty /1 and a top-level leaf do not", () => {
  const single = scratch.unpack('etcd35/single');
  const snapDir = join(single, 'member', 'snap');
  const newest = readdirSync(snapDir).filter((f) => f.endsWith('.snap')).sort().pop()!;
  const data = readSnapFile(join(snapDir, newest)).snapshot.data!;
  assert.throws(() => new EtcdState({ etcdVersion: '3.6.0' }).loadV2Snapshot(data), (e: unknown) => e instanceof StateError && e.code === 'BAD_V2_SNAPSHOT');
  assert.doesNotThrow(() => new EtcdState({ etcdVersion: '3.5.16' }).loadV2Snapshot(data));
  // The .snap's own cluster version (3.5.0) chooses 3.5's rules when no version is fixed.
  assert.doesNotThrow(() => new EtcdState().loadV2Snapshot(data));
  assert.doesNotThrow(() => new EtcdState({ etcdVersion: '3.6.0' }).loadV2Snapshot(membershipSnapData([{ id: 1n, name: 'a', peerURLs: peer(1), clientURLs: client(1) }], [], '3.6.0')));
  // IsMetaStoreOnly asks only whether a top-level node other than /0 has children.
  const leaf = new V2Store();
  leaf.set('/top', false, 'v', 0n);
  assert.doesNotThrow(() => new EtcdState({ etcdVersion: '3.6.0' }).loadV2Snapshot(v2StoreJson(leaf)));
});

test('learner-limit-learner-node (3.6.0): a ConfChangeAddNode whose member says isLearner is not counted against the limit; before, it was', () => {
  for (const [v, second] of [['3.6.0', undefined], ['3.5.33', 'ErrTooManyLearners']] as const) {
    const log = new EntryLog();
    const state = new EtcdState({ etcdVersion: v });
    state.applyEntry(log.confChange(ConfChangeType.ConfChangeAddNode, 1n, memberJson36({ id: 1n, name: 'a', peerURLs: peer(1) })));
    assert.equal(state.applyEntry(log.confChange(ConfChangeType.ConfChangeAddLearnerNode, 2n, memberJson36({ id: 2n, peerURLs: peer(2), isLearner: true }))).error, undefined);
    const r = state.applyEntry(log.confChange(ConfChangeType.ConfChangeAddNode, 3n, memberJson36({ id: 3n, peerURLs: peer(3), isLearner: true })));
    assert.equal(r.error?.name, second, v);
    assert.equal(state.applyEntry(log.confChange(ConfChangeType.ConfChangeAddLearnerNode, 4n, memberJson36({ id: 4n, peerURLs: peer(4), isLearner: true }))).error?.name, 'ErrTooManyLearners', `${v}: a learner node always is`);
  }
});

test('membership-skips-unknown (3.6.1): a promotion or update, at or below the consistent index, of a member the backend holds as removed is skipped; 3.6.0 panicked', () => {
  // Entries 2-4 add learner 3, then promote (or update) it, then remove it; the backend (consistent index 4) has 3 removed.
  const snap: Member36[] = [{ id: 1n, name: 'a', peerURLs: peer(1), clientURLs: client(1) }];
  const learner3: Member36 = { id: 3n, peerURLs: peer(3), isLearner: true };
  const db = scratch.fresh('db');
  writeBackendFile(db, { ...membershipRows(snap, [3n], '3.6.0'), meta: [row('consistent_index', u64be(4n))] });
  for (const second of ['promote', 'update'] as const) {
    for (const [v, panics] of [['3.6.0', true], ['3.6.1', false], ['3.6.14', false]] as const) {
      const state = new EtcdState({ etcdVersion: v });
      state.loadV2Snapshot(membershipSnapData(snap, [], '3.6.0'));
      state.loadBackend(db);
      const log = new EntryLog();
      log.request({ put: { key: b('/x'), value: b('1') } });
      state.applyEntry(log.confChange(ConfChangeType.ConfChangeAddLearnerNode, 3n, memberJson36(learner3)));
      const entry =
        second === 'promote'
          ? log.confChange(ConfChangeType.ConfChangeAddNode, 3n, promoteContext36(3n))
          : log.confChange(ConfChangeType.ConfChangeUpdateNode, 3n, memberJson36({ id: 3n, peerURLs: ['http://10.0.0.33:2380'] }));
      if (panics) {
        assert.throws(() => state.applyEntry(entry), (e: unknown) => e instanceof StateError && e.code === 'ETCD_PANIC', `${v} ${second}`);
        continue;
      }
      assert.equal(state.applyEntry(entry).error, undefined, `${v} ${second}`);
      assert.equal(state.applyEntry(log.confChange(ConfChangeType.ConfChangeRemoveNode, 3n)).error, undefined, `${v} ${second}`);
      assert.deepEqual([state.cluster.list().map((m) => m.id), [...state.cluster.removed]], [[1n], [3n]], `${v} ${second}`);
    }
  }
});

test("member-update-peer-urls-only (3.5.31, 3.6.12): a learner's update (etcd's UpdateMember context, no isLearner) changes its peer URLs and leaves it a learner; before, it became a voter", () => {
  for (const [v, learner] of [['3.5.30', false], ['3.5.31', true], ['3.6.11', false], ['3.6.12', true], ['3.4.45', false]] as const) {
    const log = new EntryLog();
    const state = new EtcdState({ etcdVersion: v });
    state.applyEntry(log.confChange(ConfChangeType.ConfChangeAddNode, 1n, memberJson36({ id: 1n, name: 'a', peerURLs: peer(1) })));
    state.applyEntry(log.confChange(ConfChangeType.ConfChangeAddLearnerNode, 2n, memberJson36({ id: 2n, peerURLs: peer(2), isLearner: true })));
    assert.equal(state.applyEntry(log.confChange(ConfChangeType.ConfChangeUpdateNode, 2n, memberJson36({ id: 2n, peerURLs: ['http://10.0.0.22:2380'] }))).error, undefined, v);
    const m2 = state.cluster.members.get(2n)!;
    assert.deepEqual([m2.peerURLs, m2.isLearner], [['http://10.0.0.22:2380'], learner], v);
    // The v2 store, which the next .snap carries, says the same (mustUpdateMemberInStore).
    assert.equal(state.v2!.get('/0/members/2/raftAttributes', false, false).value, learner ? '{"peerURLs":["http://10.0.0.22:2380"],"isLearner":true}' : '{"peerURLs":["http://10.0.0.22:2380"]}', v);
  }
});

test('v2-snapshot-auth-allowed (3.6.3): a .snap whose /2 (v2 auth) holds only /2/enabled and empty users and roles starts 3.6.3, not 3.6.2; a /2/users/<name> stops both', () => {
  const store = (withUser: boolean) => {
    const v2 = new V2Store();
    v2.set('/2/enabled', false, 'false', 0n);
    v2.set('/2/users', true, '', 0n);
    v2.set('/2/roles', true, '', 0n);
    if (withUser) v2.set('/2/users/alice', false, '{}', 0n);
    return v2StoreJson(v2);
  };
  const starts = (v: string, data: Uint8Array) => {
    try {
      new EtcdState({ etcdVersion: v }).loadV2Snapshot(data);
      return true;
    } catch (e) {
      if (e instanceof StateError && e.code === 'BAD_V2_SNAPSHOT') return false;
      throw e;
    }
  };
  assert.deepEqual([starts('3.6.2', store(false)), starts('3.6.3', store(false))], [false, true]);
  assert.deepEqual([starts('3.6.2', store(true)), starts('3.6.3', store(true))], [false, false]);
});
