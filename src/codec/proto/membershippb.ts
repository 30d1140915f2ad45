/**
 * membershippb (etcd api/membershippb/membership.proto, new in 3.5; proto3):
 * the membership requests that 3.5 moved from v2 store writes into
 * InternalRaftRequest (cluster_version_set, cluster_member_attr_set,
 * downgrade_info_set), and the Member stored in the backend's `members` bucket.
 */
import { fields, type MessageSpec } from './schema.js';

export const RaftAttributesSpec: MessageSpec = {
  name: 'membershippb.RaftAttributes',
  fields: fields([1, 'peer_urls', 'string', { repeated: true }], [2, 'is_learner', 'bool']),
};

export const AttributesSpec: MessageSpec = {
  name: 'membershippb.Attributes',
  fields: fields([1, 'name', 'string'], [2, 'client_urls', 'string', { repeated: true }]),
};

export const MemberSpec: MessageSpec = {
  name: 'membershippb.Member',
  fields: fields(
    [1, 'ID', 'uint64'],
    [2, 'raft_attributes', 'message', { msg: () => RaftAttributesSpec }],
    [3, 'member_attributes', 'message', { msg: () => AttributesSpec }],
  ),
};

export const ClusterVersionSetRequestSpec: MessageSpec = {
  name: 'membershippb.ClusterVersionSetRequest',
  fields: fields([1, 'ver', 'string']),
};

export const ClusterMemberAttrSetRequestSpec: MessageSpec = {
  name: 'membershippb.ClusterMemberAttrSetRequest',
  fields: fields([1, 'member_ID', 'uint64'], [2, 'member_attributes', 'message', { msg: () => AttributesSpec }]),
};

export const DowngradeInfoSetRequestSpec: MessageSpec = {
  name: 'membershippb.DowngradeInfoSetRequest',
  fields: fields([1, 'enabled', 'bool'], [2, 'ver', 'string']),
};
