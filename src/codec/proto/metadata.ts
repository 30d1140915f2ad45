/** etcdserverpb.Metadata (proto/etcd/etcdserver.proto): the WAL's metadata record, naming the member and its cluster. */
import { decodeMessage, encodeMessage, spec } from './message.js';
import { readPlainVarints } from './wire.js';
import type { etcdserverpb } from './etcd.gen.js';

export interface WalMetadata {
  nodeId: bigint;
  clusterId: bigint;
}

const MetadataSpec = spec('etcdserverpb.Metadata');

export function decodeMetadata(b: Uint8Array): WalMetadata {
  const plain = readPlainVarints(b, 2);
  if (plain) return { nodeId: plain[0], clusterId: plain[1] };
  const m = decodeMessage<etcdserverpb.Metadata>(MetadataSpec, b);
  return { nodeId: m.NodeID, clusterId: m.ClusterID };
}

export const encodeMetadata = (m: WalMetadata): Uint8Array => encodeMessage(MetadataSpec, { NodeID: m.nodeId, ClusterID: m.clusterId } satisfies etcdserverpb.Metadata);

/** Member and cluster IDs print as etcd's types.ID does: lowercase hex, no padding. */
export const idHex = (id: bigint): string => id.toString(16);
