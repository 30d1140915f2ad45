/**
 * authpb (etcd auth/authpb/auth.proto, api/authpb/auth.proto from 3.5; proto3):
 * users and roles as the backend's `authUsers` and `authRoles` buckets hold
 * them, and the permission carried by AuthRoleGrantPermissionRequest.
 * UserAddOptions arrived in 3.4 (users without a password, for CN-based auth).
 */
import { fields, type MessageSpec } from './schema.js';

export const permissionTypeNames: Record<number, string> = { 0: 'READ', 1: 'WRITE', 2: 'READWRITE' };

export const UserAddOptionsSpec: MessageSpec = {
  name: 'authpb.UserAddOptions',
  fields: fields([1, 'no_password', 'bool']),
};

/** `password` here is the bcrypt hash the auth store keeps, never the clear text. */
export const UserSpec: MessageSpec = {
  name: 'authpb.User',
  fields: fields(
    [1, 'name', 'bytes'],
    [2, 'password', 'bytes'],
    [3, 'roles', 'string', { repeated: true }],
    [4, 'options', 'message', { msg: () => UserAddOptionsSpec }],
  ),
};

export const PermissionSpec: MessageSpec = {
  name: 'authpb.Permission',
  fields: fields([1, 'permType', 'enum', { enumNames: permissionTypeNames }], [2, 'key', 'bytes'], [3, 'range_end', 'bytes']),
};

export const RoleSpec: MessageSpec = {
  name: 'authpb.Role',
  fields: fields([1, 'name', 'bytes'], [2, 'keyPermission', 'message', { repeated: true, msg: () => PermissionSpec }]),
};
