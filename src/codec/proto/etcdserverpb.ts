/**
 * etcdserverpb (proto/etcd/etcdserver.proto, raft_internal.proto, rpc.proto):
 * what a normal raft entry of etcd carries.
 *
 * - InternalRaftRequest: a header, an ID, and one operation (the v3 requests,
 *   the auth requests at 1000-1204, membershippb's at 1300-1302 from 3.5).
 * - Request: the v2 store request, proposed bare by the v2 API and by 3.4's
 *   membership publishing (PUT /0/members/..., /0/version).
 *
 * Puts, most entries, are read by hand (put-request.ts); the rest by protobufjs.
 */
import { decodeMessage, encodeMessage, spec, type Encodable } from './message.js';
import { etcdserverpb } from './etcd.gen.js';
import { decodePutRequest } from './put-request.js';

export { etcdserverpb, membershippb } from './etcd.gen.js';
export type InternalRaftRequest = etcdserverpb.InternalRaftRequest;
export type V2Request = etcdserverpb.Request;

export const InternalRaftRequestSpec = spec('etcdserverpb.InternalRaftRequest');
export const RequestSpec = spec('etcdserverpb.Request');
export const RequestHeaderSpec = spec('etcdserverpb.RequestHeader');
export const PutRequestSpec = spec('etcdserverpb.PutRequest');
export const CompareSpec = spec('etcdserverpb.Compare');
export const RequestOpSpec = spec('etcdserverpb.RequestOp');
export const LeaseGrantRequestSpec = spec('etcdserverpb.LeaseGrantRequest');
export const LeaseRevokeRequestSpec = spec('etcdserverpb.LeaseRevokeRequest');
export const LeaseCheckpointSpec = spec('etcdserverpb.LeaseCheckpoint');
export const AlarmRequestSpec = spec('etcdserverpb.AlarmRequest');
export const AuthUserAddRequestSpec = spec('etcdserverpb.AuthUserAddRequest');
export const AuthUserChangePasswordRequestSpec = spec('etcdserverpb.AuthUserChangePasswordRequest');
export const InternalAuthenticateRequestSpec = spec('etcdserverpb.InternalAuthenticateRequest');
export const ClusterMemberAttrSetRequestSpec = spec('membershippb.ClusterMemberAttrSetRequest');

/** The operations of an InternalRaftRequest: one is set per request (etcdserver/apply.go dispatches on it). */
export type InternalRaftOp = Exclude<keyof InternalRaftRequest, 'header' | 'ID'>;

/** The operation names in raft_internal.proto's declaration order. */
export const internalRaftOps: readonly InternalRaftOp[] = InternalRaftRequestSpec.fields.map((f) => f.name).filter((n): n is InternalRaftOp => n !== 'header' && n !== 'ID');

/** Throws ProtoError where etcd's Unmarshal fails (message.ts). */
export const decodeInternalRaftRequest = (b: Uint8Array): InternalRaftRequest => decodePutRequest(b) ?? decodeMessage<InternalRaftRequest>(InternalRaftRequestSpec, b);
export const encodeInternalRaftRequest = (m: Encodable<InternalRaftRequest>): Uint8Array => encodeMessage(InternalRaftRequestSpec, m);
export const decodeV2Request = (b: Uint8Array): V2Request => decodeMessage<V2Request>(RequestSpec, b);
export const encodeV2Request = (m: Encodable<V2Request>): Uint8Array => encodeMessage(RequestSpec, m);
