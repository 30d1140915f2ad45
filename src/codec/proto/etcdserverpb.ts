/**
 * etcdserverpb: what a normal raft entry of etcd carries.
 *
 * - InternalRaftRequest (etcdserver/etcdserverpb/raft_internal.proto, proto3):
 *   a header, an ID, and one operation. 3.5 added auth_status (1013) and the
 *   membership requests (1300–1302), 3.6 downgrade_version_test (9900); the
 *   key-value and auth operations live in etcdserverpb-kv.ts and etcdserverpb-auth.ts.
 * - Request (etcdserver.proto, proto2): the v2 store request, proposed bare by
 *   the v2 API and by 3.4's membership publishing (PUT /0/members/…, /0/version).
 *   gogoproto non-nullable fields are written even when zero; PrevExist and
 *   Refresh are nullable (*bool), so "false" and "absent" differ.
 * etcdserverpb.Metadata, the WAL's metadata record, is in metadata.ts.
 */
import { decodeMessage, encodeMessage, fields, nullable, type FieldSpec, type MessageSpec, type Msg } from './schema.js';
import { CompactionRequestSpec, DeleteRangeRequestSpec, PutRequestSpec, RangeRequestSpec, TxnRequestSpec } from './etcdserverpb-kv.js';
import * as auth from './etcdserverpb-auth.js';
import { decodePutRequest } from './put-request.js';
import { ClusterMemberAttrSetRequestSpec, ClusterVersionSetRequestSpec, DowngradeInfoSetRequestSpec } from './membershippb.js';

export * from './etcdserverpb-kv.js';
export * from './etcdserverpb-auth.js';

const always = { always: true } as const;

export const RequestSpec: MessageSpec = nullable(
  {
    name: 'etcdserverpb.Request',
    fields: fields(
      [1, 'ID', 'uint64', always],
      [2, 'Method', 'string', always],
      [3, 'Path', 'string', always],
      [4, 'Val', 'string', always],
      [5, 'Dir', 'bool', always],
      [6, 'PrevValue', 'string', always],
      [7, 'PrevIndex', 'uint64', always],
      [8, 'PrevExist', 'bool'],
      [9, 'Expiration', 'int64', always],
      [10, 'Wait', 'bool', always],
      [11, 'Since', 'uint64', always],
      [12, 'Recursive', 'bool', always],
      [13, 'Sorted', 'bool', always],
      [14, 'Quorum', 'bool', always],
      [15, 'Time', 'int64', always],
      [16, 'Stream', 'bool', always],
      [17, 'Refresh', 'bool'],
    ),
  },
  'PrevExist',
  'Refresh',
);

/** `auth_revision` is new in 3.1; `username` is the user the request runs as. */
export const RequestHeaderSpec: MessageSpec = {
  name: 'etcdserverpb.RequestHeader',
  fields: fields([1, 'ID', 'uint64'], [2, 'username', 'string'], [3, 'auth_revision', 'uint64']),
};

export const ResponseHeaderSpec: MessageSpec = {
  name: 'etcdserverpb.ResponseHeader',
  fields: fields([1, 'cluster_id', 'uint64'], [2, 'member_id', 'uint64'], [3, 'revision', 'int64'], [4, 'raft_term', 'uint64']),
};

/** ID 0 asks the leader to choose the lease ID; the applied entry carries the chosen one. */
export const LeaseGrantRequestSpec: MessageSpec = {
  name: 'etcdserverpb.LeaseGrantRequest',
  fields: fields([1, 'TTL', 'int64'], [2, 'ID', 'int64']),
};

export const LeaseRevokeRequestSpec: MessageSpec = {
  name: 'etcdserverpb.LeaseRevokeRequest',
  fields: fields([1, 'ID', 'int64']),
};

export const LeaseCheckpointSpec: MessageSpec = {
  name: 'etcdserverpb.LeaseCheckpoint',
  fields: fields([1, 'ID', 'int64'], [2, 'remaining_TTL', 'int64']),
};

/** New in 3.4: the leader persists remaining TTLs (--experimental-enable-lease-checkpoint). */
export const LeaseCheckpointRequestSpec: MessageSpec = {
  name: 'etcdserverpb.LeaseCheckpointRequest',
  fields: fields([1, 'checkpoints', 'message', { repeated: true, msg: () => LeaseCheckpointSpec }]),
};

/** Not in raft entries: leasepb.LeaseInternalRequest wraps it for peer requests. */
export const LeaseTimeToLiveRequestSpec: MessageSpec = {
  name: 'etcdserverpb.LeaseTimeToLiveRequest',
  fields: fields([1, 'ID', 'int64'], [2, 'keys', 'bool']),
};

export const LeaseTimeToLiveResponseSpec: MessageSpec = {
  name: 'etcdserverpb.LeaseTimeToLiveResponse',
  fields: fields(
    [1, 'header', 'message', { msg: () => ResponseHeaderSpec }],
    [2, 'ID', 'int64'],
    [3, 'TTL', 'int64'],
    [4, 'grantedTTL', 'int64'],
    [5, 'keys', 'bytes', { repeated: true }],
  ),
};

export const alarmActionNames: Record<number, string> = { 0: 'GET', 1: 'ACTIVATE', 2: 'DEACTIVATE' };
export const alarmTypeNames: Record<number, string> = { 0: 'NONE', 1: 'NOSPACE', 2: 'CORRUPT' };

/** Every action goes through raft, GET included (etcdctl alarm list/disarm). */
export const AlarmRequestSpec: MessageSpec = {
  name: 'etcdserverpb.AlarmRequest',
  fields: fields([1, 'action', 'enum', { enumNames: alarmActionNames }], [2, 'memberID', 'uint64'], [3, 'alarm', 'enum', { enumNames: alarmTypeNames }]),
};

/** New in 3.6, proposed only by etcd's own downgrade tests. */
export const DowngradeVersionTestRequestSpec: MessageSpec = {
  name: 'etcdserverpb.DowngradeVersionTestRequest',
  fields: fields([1, 'ver', 'string']),
};

/**
 * InternalRaftRequest's operations: one is set per request (etcdserver/apply.go
 * dispatches on it). In raft_internal.proto's declaration order, which the
 * text format follows (3.5 declares auth_status before authenticate); the
 * encoder sorts by number itself.
 */
const ops = [
  [2, 'v2', RequestSpec],
  [3, 'range', RangeRequestSpec],
  [4, 'put', PutRequestSpec],
  [5, 'delete_range', DeleteRangeRequestSpec],
  [6, 'txn', TxnRequestSpec],
  [7, 'compaction', CompactionRequestSpec],
  [8, 'lease_grant', LeaseGrantRequestSpec],
  [9, 'lease_revoke', LeaseRevokeRequestSpec],
  [10, 'alarm', AlarmRequestSpec],
  [11, 'lease_checkpoint', LeaseCheckpointRequestSpec],
  [1000, 'auth_enable', auth.AuthEnableRequestSpec],
  [1011, 'auth_disable', auth.AuthDisableRequestSpec],
  [1013, 'auth_status', auth.AuthStatusRequestSpec],
  [1012, 'authenticate', auth.InternalAuthenticateRequestSpec],
  [1100, 'auth_user_add', auth.AuthUserAddRequestSpec],
  [1101, 'auth_user_delete', auth.AuthUserDeleteRequestSpec],
  [1102, 'auth_user_get', auth.AuthUserGetRequestSpec],
  [1103, 'auth_user_change_password', auth.AuthUserChangePasswordRequestSpec],
  [1104, 'auth_user_grant_role', auth.AuthUserGrantRoleRequestSpec],
  [1105, 'auth_user_revoke_role', auth.AuthUserRevokeRoleRequestSpec],
  [1106, 'auth_user_list', auth.AuthUserListRequestSpec],
  [1107, 'auth_role_list', auth.AuthRoleListRequestSpec],
  [1200, 'auth_role_add', auth.AuthRoleAddRequestSpec],
  [1201, 'auth_role_delete', auth.AuthRoleDeleteRequestSpec],
  [1202, 'auth_role_get', auth.AuthRoleGetRequestSpec],
  [1203, 'auth_role_grant_permission', auth.AuthRoleGrantPermissionRequestSpec],
  [1204, 'auth_role_revoke_permission', auth.AuthRoleRevokePermissionRequestSpec],
  [1300, 'cluster_version_set', ClusterVersionSetRequestSpec],
  [1301, 'cluster_member_attr_set', ClusterMemberAttrSetRequestSpec],
  [1302, 'downgrade_info_set', DowngradeInfoSetRequestSpec],
  [9900, 'downgrade_version_test', DowngradeVersionTestRequestSpec],
] as const;

export type InternalRaftOp = (typeof ops)[number][1];

/** The operation names in declaration order. */
export const internalRaftOps: readonly InternalRaftOp[] = ops.map(([, name]) => name);

export const InternalRaftRequestSpec: MessageSpec = {
  name: 'etcdserverpb.InternalRaftRequest',
  fields: [
    ...fields([100, 'header', 'message', { msg: () => RequestHeaderSpec }], [1, 'ID', 'uint64']),
    ...ops.map(([no, name, spec]): FieldSpec => ({ no, name, kind: 'message', msg: () => spec })),
  ],
};

/** Throws ProtoError where etcd's Unmarshal fails (see gogo.ts). Puts, most entries, are read by hand (put-request.ts). */
export const decodeInternalRaftRequest = (b: Uint8Array): Msg => decodePutRequest(b) ?? decodeMessage(InternalRaftRequestSpec, b);
export const encodeInternalRaftRequest = (m: Msg): Uint8Array => encodeMessage(InternalRaftRequestSpec, m);
export const decodeV2Request = (b: Uint8Array): Msg => decodeMessage(RequestSpec, b);
export const encodeV2Request = (m: Msg): Uint8Array => encodeMessage(RequestSpec, m);
