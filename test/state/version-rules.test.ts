/**
 * Each version rule (src/state/version-rules.ts): the same entries applied
 * under the release before the rule and the release that introduced it give
 * what etcd's source of each release does (the file and function are named in
 * the table). version-rules-live.test.ts judges those Debian has against
 * running etcd.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Msg } from '../../src/codec/proto/schema.js';
import { ConfChangeType } from '../../src/codec/proto/raftpb.js';
import { EtcdState, type ApplyResult } from '../../src/state/apply.js';
import { PermissionType } from '../../src/state/auth.js';
import { StateError } from '../../src/state/errors.js';
import { hasRule, parseEtcdVersion, VERSION_RULES, VersionRules, type RuleId } from '../../src/state/version-rules.js';
import { b, EntryLog } from './helpers.js';

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
