/**
 * The auth requests of etcdserverpb (rpc.proto and raft_internal.proto; proto3)
 * as InternalRaftRequest carries them at field numbers 1000–1204.
 *
 * Secrets travel in some of them: etcd 3.4 proposes AuthUserAddRequest and
 * AuthUserChangePasswordRequest with the clear-text `password`; 3.5 and later
 * hash it first and send `hashedPassword` (server/etcdserver/v3_server.go).
 * InternalAuthenticateRequest carries the new `simple_token`. render.ts redacts them.
 */
import { fields, type MessageSpec } from './schema.js';
import { PermissionSpec, UserAddOptionsSpec } from './authpb.js';

const empty = (name: string): MessageSpec => ({ name: `etcdserverpb.${name}`, fields: [] });

export const AuthEnableRequestSpec = empty('AuthEnableRequest');
export const AuthDisableRequestSpec = empty('AuthDisableRequest');
/** New in 3.5. */
export const AuthStatusRequestSpec = empty('AuthStatusRequest');
export const AuthUserListRequestSpec = empty('AuthUserListRequest');
export const AuthRoleListRequestSpec = empty('AuthRoleListRequest');

/** raft_internal.proto: AuthenticateRequest plus the token the API layer generated. */
export const InternalAuthenticateRequestSpec: MessageSpec = {
  name: 'etcdserverpb.InternalAuthenticateRequest',
  fields: fields([1, 'name', 'string'], [2, 'password', 'string'], [3, 'simple_token', 'string']),
};

/** `options` is new in 3.4, `hashedPassword` in 3.5. */
export const AuthUserAddRequestSpec: MessageSpec = {
  name: 'etcdserverpb.AuthUserAddRequest',
  fields: fields(
    [1, 'name', 'string'],
    [2, 'password', 'string'],
    [3, 'options', 'message', { msg: () => UserAddOptionsSpec }],
    [4, 'hashedPassword', 'string'],
  ),
};

export const AuthUserGetRequestSpec: MessageSpec = {
  name: 'etcdserverpb.AuthUserGetRequest',
  fields: fields([1, 'name', 'string']),
};

export const AuthUserDeleteRequestSpec: MessageSpec = {
  name: 'etcdserverpb.AuthUserDeleteRequest',
  fields: fields([1, 'name', 'string']),
};

/** `hashedPassword` is new in 3.5. */
export const AuthUserChangePasswordRequestSpec: MessageSpec = {
  name: 'etcdserverpb.AuthUserChangePasswordRequest',
  fields: fields([1, 'name', 'string'], [2, 'password', 'string'], [3, 'hashedPassword', 'string']),
};

export const AuthUserGrantRoleRequestSpec: MessageSpec = {
  name: 'etcdserverpb.AuthUserGrantRoleRequest',
  fields: fields([1, 'user', 'string'], [2, 'role', 'string']),
};

export const AuthUserRevokeRoleRequestSpec: MessageSpec = {
  name: 'etcdserverpb.AuthUserRevokeRoleRequest',
  fields: fields([1, 'name', 'string'], [2, 'role', 'string']),
};

export const AuthRoleAddRequestSpec: MessageSpec = {
  name: 'etcdserverpb.AuthRoleAddRequest',
  fields: fields([1, 'name', 'string']),
};

export const AuthRoleGetRequestSpec: MessageSpec = {
  name: 'etcdserverpb.AuthRoleGetRequest',
  fields: fields([1, 'role', 'string']),
};

export const AuthRoleDeleteRequestSpec: MessageSpec = {
  name: 'etcdserverpb.AuthRoleDeleteRequest',
  fields: fields([1, 'role', 'string']),
};

export const AuthRoleGrantPermissionRequestSpec: MessageSpec = {
  name: 'etcdserverpb.AuthRoleGrantPermissionRequest',
  fields: fields([1, 'name', 'string'], [2, 'perm', 'message', { msg: () => PermissionSpec }]),
};

export const AuthRoleRevokePermissionRequestSpec: MessageSpec = {
  name: 'etcdserverpb.AuthRoleRevokePermissionRequest',
  fields: fields([1, 'role', 'string'], [2, 'key', 'bytes'], [3, 'range_end', 'bytes']),
};
