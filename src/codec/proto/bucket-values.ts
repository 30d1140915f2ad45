/**
 * The messages etcd's backend stores as bucket values or keys
 * (proto/etcd/mvccpb.proto, leasepb.proto, authpb.proto, rpc.proto):
 * a key's revision ("key"), a lease ("lease"), users and roles ("authUsers",
 * "authRoles") and an alarm ("alarm", as the key).
 */
import { spec } from './message.js';

export { mvccpb, leasepb, authpb } from './etcd.gen.js';

export const KeyValueSpec = spec('mvccpb.KeyValue');
export const LeaseSpec = spec('leasepb.Lease');
export const UserSpec = spec('authpb.User');
export const RoleSpec = spec('authpb.Role');
export const PermissionSpec = spec('authpb.Permission');
export const AlarmMemberSpec = spec('etcdserverpb.AlarmMember');
