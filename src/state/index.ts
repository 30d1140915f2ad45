/**
 * The state layer: what an etcd member holds, rebuilt from its backend file
 * and changed entry by entry as etcd's apply loop changes it.
 */
export { EtcdState, type ApplyResult, type EtcdStateOptions } from './apply.js';
export { Backend, type BackendAuth, type BackendLease, type BackendMeta } from './backend.js';
export { BboltFile, Bucket, type BboltOptions, type BucketEntry } from '../codec/bbolt/index.js';
export { StateError, type StateErrorCode } from './errors.js';
export { EtcdRequestError, etcdErrorMessages, type EtcdErrorName } from './etcd-errors.js';
export { rangeResponseJson, writeRangeResponse, type ResponseHeader } from './etcdctl-json.js';
export type { KeyValue } from './kv.js';
export type { Lease } from './lease.js';
export type { Member } from './membership.js';
export type { AuthRole, AuthUser, Permission } from './auth.js';
export type { RangeOptions } from './mvcc.js';
export type { V2NodeExtern } from './v2node.js';
