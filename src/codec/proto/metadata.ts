/** etcdserverpb.Metadata (etcdserver/etcdserverpb/etcdserver.proto): the WAL's metadata record, naming the member and its cluster. */
import { decodeMessage, encodeMessage, fields, type MessageSpec } from './schema.js';

export interface WalMetadata {
  nodeId: bigint;
  clusterId: bigint;
}

export const MetadataSpec: MessageSpec = {
  name: 'etcdserverpb.Metadata',
  fields: fields([1, 'nodeId', 'uint64', { always: true }], [2, 'clusterId', 'uint64', { always: true }]),
};

export const decodeMetadata = (b: Uint8Array): WalMetadata => decodeMessage(MetadataSpec, b) as WalMetadata;
export const encodeMetadata = (m: WalMetadata): Uint8Array => encodeMessage(MetadataSpec, m);

/** Member and cluster IDs print as etcd's types.ID does: lowercase hex, no padding. */
export const idHex = (id: bigint): string => id.toString(16);
