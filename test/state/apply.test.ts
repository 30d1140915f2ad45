/**
 * Auth, membership, alarms and the v2 store as etcd applies them
 * (auth/store.go, apply_auth.go, membership/cluster.go, apply_v2.go,
 * v2store/store.go), each entry encoded as etcd proposes it.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Msg } from '../../src/codec/proto/message.js';
import { ConfChangeType } from '../../src/codec/proto/raftpb.js';
import { EtcdState, type ApplyResult } from '../../src/state/apply.js';
import { PermissionType } from '../../src/state/auth.js';
import { b, EntryLog } from './helpers.js';

function setup() {
  const state = new EtcdState();
  const log = new EntryLog();
  const apply = (m: Msg, username = '', authRevision = 0n): ApplyResult => state.applyEntry(log.request({ ...m, header: { username, auth_revision: authRevision } }));
  return { state, log, apply };
}

test('auth: refused writes, stale auth revisions and admin requests from non-root users, once auth is enabled', () => {
  const { state, apply } = setup();
  assert.equal(apply({ auth_enable: {} }).error?.name, 'ErrRootUserNotExist');
  apply({ auth_user_add: { name: 'root', password: 'secret' } });
  assert.equal(apply({ auth_enable: {} }).error?.name, 'ErrRootRoleNotExist');
  apply({ auth_user_grant_role: { user: 'root', role: 'root' } });
  apply({ auth_role_add: { name: 'app' } });
  apply({ auth_role_grant_permission: { name: 'app', perm: { permType: PermissionType.READWRITE, key: b('/a/'), range_end: b('/a0') } } });
  apply({ auth_role_grant_permission: { name: 'app', perm: { permType: PermissionType.READ, key: b('/r'), range_end: b('\0') } } });
  apply({ auth_user_add: { name: 'u', password: 'pw' } });
  apply({ auth_user_grant_role: { user: 'u', role: 'app' } });
  assert.equal(apply({ auth_user_grant_role: { user: 'u', role: 'app' } }).error, undefined, 'granted twice: a no-op');
  assert.equal(apply({ auth_enable: {} }).error, undefined);
  const rev = state.auth.revision;
  assert.equal(rev, 8n, 'a new store is at 1; seven changes; enable and the repeated grant bump nothing');

  assert.equal(apply({ put: { key: b('/a/x'), value: b('1') } }, 'u', rev).error, undefined);
  assert.equal(apply({ put: { key: b('/b'), value: b('1') } }, 'u', rev).error?.name, 'ErrPermissionDenied');
  assert.equal(apply({ put: { key: b('/r/x'), value: b('1') } }, 'u', rev).error?.name, 'ErrPermissionDenied', 'read-only range');
  assert.equal(apply({ delete_range: { key: b('/a/'), range_end: b('/a0') } }, 'u', rev).error, undefined, 'a range inside the permission');
  assert.equal(apply({ delete_range: { key: b('/a/'), range_end: b('\0') } }, 'u', rev).error?.name, 'ErrPermissionDenied', 'a range past it');
  assert.equal(apply({ put: { key: b('/a/x'), value: b('1') } }, 'u', rev - 1n).error?.name, 'ErrAuthOldRevision');
  assert.equal(apply({ put: { key: b('/a/x'), value: b('1') } }).error?.name, 'ErrUserEmpty');
  assert.equal(apply({ auth_role_add: { name: 'x' } }, 'u', rev).error?.name, 'ErrPermissionDenied');
  assert.equal(apply({ auth_user_delete: { name: 'root' } }, 'root', rev).error?.name, 'ErrInvalidAuthMgmt');
  assert.equal(apply({ put: { key: b('/anything'), value: b('1') } }, 'root', rev).error, undefined, 'root may write anywhere');
  assert.equal(apply({ txn: { compare: [{ key: b('/b'), target: 0, result: 0, version: 0n }], success: [{ request_put: { key: b('/a/t'), value: b('1') } }], failure: [] } }, 'u', rev).error?.name, 'ErrPermissionDenied', 'a compare reads /b');
  assert.equal(apply({ auth_disable: {} }, 'root', rev).error, undefined);
  assert.equal(state.auth.revision, rev + 1n);
  assert.equal(apply({ put: { key: b('/b'), value: b('1') } }).error, undefined, 'auth off: no checks');
});

test('membership: add, learners (one at most), promote, update, remove; a removed ID cannot come back', () => {
  const { state, log } = setup();
  const cc = (type: ConfChangeType, id: bigint, ctx?: object) => state.applyEntry(log.confChange(type, id, ctx && JSON.stringify(ctx).replace(/"id":"(\d+)"/, '"id":$1')));
  const member = (id: bigint, port: number, extra: object = {}) => ({ id: String(id), peerURLs: [`http://127.0.0.1:${port}`], ...extra });
  assert.equal(cc(ConfChangeType.ConfChangeAddNode, 18446744073709551615n, member(18446744073709551615n, 1, { name: 'max' })).error, undefined);
  assert.equal(cc(ConfChangeType.ConfChangeAddLearnerNode, 2n, member(2n, 2, { isLearner: true })).error, undefined);
  assert.equal(cc(ConfChangeType.ConfChangeAddLearnerNode, 3n, member(3n, 3, { isLearner: true })).error?.name, 'ErrTooManyLearners');
  assert.equal(cc(ConfChangeType.ConfChangeAddNode, 4n, member(4n, 1)).error?.name, 'ErrPeerURLexists');
  assert.equal(cc(ConfChangeType.ConfChangeAddNode, 18446744073709551615n, { ...member(18446744073709551615n, 1), isPromote: true }).error?.name, 'ErrMemberNotLearner');
  assert.equal(cc(ConfChangeType.ConfChangeAddNode, 2n, { ...member(2n, 2), isPromote: true }).error, undefined);
  assert.equal(state.cluster.members.get(2n)!.isLearner, false);
  assert.equal(cc(ConfChangeType.ConfChangeUpdateNode, 2n, member(2n, 22)).error, undefined);
  assert.deepEqual(state.cluster.members.get(2n)!.peerURLs, ['http://127.0.0.1:22']);
  state.applyEntry(log.v2({ Method: 'PUT', Path: '/0/members/2/attributes', Val: '{"name":"two","clientURLs":["http://c"]}' }));
  assert.deepEqual([state.cluster.members.get(2n)!.name, state.cluster.members.get(2n)!.clientURLs], ['two', ['http://c']]);
  assert.equal(cc(ConfChangeType.ConfChangeRemoveNode, 2n).error, undefined);
  assert.equal(cc(ConfChangeType.ConfChangeAddNode, 2n, member(2n, 2)).error?.name, 'ErrIDRemoved');
  assert.equal(cc(ConfChangeType.ConfChangeRemoveNode, 9n).error?.name, 'ErrIDNotFound');
  assert.deepEqual(state.cluster.list().map((m) => [m.id, m.name]), [[18446744073709551615n, 'max']]);
  // 3.4 keeps all of it in the v2 store: a raftAttributes create, an update per promote/update, an attributes set, a delete and a removed_members create.
  assert.equal(state.v2!.currentIndex, 7n);
  assert.deepEqual(state.v2!.get('/0/removed_members', true, true).nodes!.map((n) => n.key), ['/0/removed_members/2']);
  assert.equal(state.consistentIndex, state.appliedIndex, 'conf changes move the consistent index too');
});

test('v2 store: POST names, create/CAS/CAD refusals, TTL keys expired by SYNC, each change one index', () => {
  const { state, log } = setup();
  const v2 = (r: Msg) => state.applyEntry(log.v2(r));
  v2({ Method: 'POST', Path: '/1/queue', Val: 'a' });
  v2({ Method: 'POST', Path: '/1/queue', Val: 'b' });
  assert.deepEqual(state.v2!.get('/1/queue', true, true).nodes!.map((n) => [n.key, n.value]), [
    ['/1/queue/00000000000000000001', 'a'],
    ['/1/queue/00000000000000000002', 'b'],
  ]);
  assert.equal(v2({ Method: 'PUT', Path: '/1/queue/00000000000000000001', Val: 'x', PrevExist: false }).error?.name, 'V2NodeExist');
  assert.equal(v2({ Method: 'PUT', Path: '/1/queue/00000000000000000001', Val: 'x', PrevValue: 'wrong' }).error?.name, 'V2TestFailed');
  assert.equal(v2({ Method: 'DELETE', Path: '/1/queue' }).error?.name, 'V2NotFile');
  assert.equal(v2({ Method: 'DELETE', Path: '/1', Dir: true, Recursive: true }).error?.name, 'V2RootROnly');
  assert.equal(v2({ Method: 'PUT', Path: '/1/queue/00000000000000000001', Val: 'x', PrevIndex: 1n }).error, undefined);
  const expireAt = 1_700_000_000_000_000_000n;
  v2({ Method: 'PUT', Path: '/1/ttl/key', Val: 't', Expiration: expireAt });
  assert.equal(state.v2!.hasTTLKeys(), true);
  const index = state.v2!.currentIndex;
  v2({ Method: 'SYNC', Time: expireAt - 1n });
  assert.equal(state.v2!.currentIndex, index, 'not expired yet');
  v2({ Method: 'SYNC', Time: expireAt });
  assert.equal(state.v2!.currentIndex, index + 1n);
  assert.deepEqual(state.v2!.get('/1/ttl', true, true).nodes, [], 'the directory made on the way stays');
  assert.equal(v2({ Method: 'QGET', Path: '/1/ttl/key' }).error?.name, 'V2KeyNotFound');
  assert.equal(v2({ Method: 'HEAD', Path: '/1' }).error?.name, 'V2UnknownMethod');
});

test('alarms: NOSPACE refuses puts, grants and txns with puts but not deletes; disarming restores writes', () => {
  const { state, apply } = setup();
  apply({ put: { key: b('k'), value: b('1') } });
  apply({ alarm: { action: 1, memberID: 1n, alarm: 1 } });
  assert.equal(apply({ put: { key: b('k'), value: b('2') } }).error?.name, 'ErrNoSpace');
  assert.equal(apply({ lease_grant: { ID: 1n, TTL: 10n } }).error?.name, 'ErrNoSpace');
  assert.equal(apply({ txn: { compare: [], success: [{ request_put: { key: b('k'), value: b('2') } }], failure: [] } }).error?.name, 'ErrNoSpace');
  assert.equal(apply({ delete_range: { key: b('k') } }).error, undefined);
  apply({ alarm: { action: 2, memberID: 1n, alarm: 1 } });
  assert.equal(apply({ put: { key: b('k'), value: b('3') } }).error, undefined);
  apply({ alarm: { action: 1, memberID: 1n, alarm: 2 } });
  assert.equal(apply({ delete_range: { key: b('k') } }).error?.name, 'ErrCorrupt');
  assert.equal(state.store.currentRev, 4n);
});
