/**
 * leasepb (etcd lease/leasepb/lease.proto, server/lease/leasepb from 3.5; proto3):
 * a lease as the backend's `lease` bucket stores it (RemainingTTL is written by
 * lease checkpoints, 3.4+), and the wrappers of the TimeToLive call a follower
 * forwards to the leader over the peer port (never in the WAL).
 */
import { fields, type MessageSpec } from './schema.js';
import { LeaseTimeToLiveRequestSpec, LeaseTimeToLiveResponseSpec } from './etcdserverpb.js';

export const LeaseSpec: MessageSpec = {
  name: 'leasepb.Lease',
  fields: fields([1, 'ID', 'int64'], [2, 'TTL', 'int64'], [3, 'RemainingTTL', 'int64']),
};

export const LeaseInternalRequestSpec: MessageSpec = {
  name: 'leasepb.LeaseInternalRequest',
  fields: fields([1, 'LeaseTimeToLiveRequest', 'message', { msg: () => LeaseTimeToLiveRequestSpec }]),
};

export const LeaseInternalResponseSpec: MessageSpec = {
  name: 'leasepb.LeaseInternalResponse',
  fields: fields([1, 'LeaseTimeToLiveResponse', 'message', { msg: () => LeaseTimeToLiveResponseSpec }]),
};
