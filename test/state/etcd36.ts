/**
 * Files in the shape etcd 3.6 writes them, built from its source (tag
 * v3.6.0) since Debian packages no 3.6: the JSON of its membership types
 * (server/etcdserver/api/membership/member.go: Member, RaftAttributes,
 * Attributes with their omitempty tags), the .snap's v2 store of membership
 * only, and a backend with etcd's buckets. Nothing here is derived from
 * walt's state: each value is written as etcd's code writes it.
 */
import { AtomicFileWriter } from '../../src/codec/atomic-file.js';
import { BboltWriter } from '../../src/codec/bbolt/index.js';
import { V2Store } from '../../src/state/v2store.js';
import { v2StoreJson } from '../../src/state/v2store-save.js';

export interface Member36 {
  id: bigint;
  name?: string;
  peerURLs: string[];
  clientURLs?: string[];
  isLearner?: boolean;
}

const urls = (u: string[]) => `[${u.map((x) => JSON.stringify(x)).join(',')}]`;

/** json.Marshal(RaftAttributes): peerURLs always, isLearner omitempty. */
export const raftAttributesJson = (m: Member36): string => `{"peerURLs":${urls(m.peerURLs)}${m.isLearner ? ',"isLearner":true' : ''}}`;

/** json.Marshal(Attributes): both omitempty. */
export const attributesJson = (m: Member36): string => {
  const fields = [m.name ? `"name":${JSON.stringify(m.name)}` : '', m.clientURLs?.length ? `"clientURLs":${urls(m.clientURLs)}` : ''].filter((f) => f !== '');
  return `{${fields.join(',')}}`;
};

/**
 * json.Marshal(Member): the backend's `members` value (schema/membership.go
 * MustSaveMemberToBackend), the bootstrap conf changes' context
 * (bootstrap.go bootstrapRaftFromCluster) and AddMember's (server.go).
 */
export function memberJson36(m: Member36): string {
  const inner = [raftAttributesJson(m), attributesJson(m)].map((j) => j.slice(1, -1)).filter((j) => j !== '');
  return `{"id":${m.id},${inner.join(',')}}`;
}

/** promoteMember's context (server.go): ConfigChangeContext{Member{ID}, IsPromote: true}, its nil PeerURLs as null. */
export const promoteContext36 = (id: bigint): string => `{"id":${id},"peerURLs":null,"isPromote":true}`;

/**
 * The data of a .snap etcd 3.6 writes (server.go snapshot →
 * cluster_util.go GetMembershipInfoInV2Format → cluster.go Store): a new v2
 * store with each member's raftAttributes (mustSaveMemberToStore), its
 * attributes where it has client URLs (mustUpdateMemberAttrInStore), each
 * removed ID, then the cluster version.
 */
export function membershipSnapData(members: Member36[], removed: bigint[], version: string | undefined): Uint8Array {
  const v2 = new V2Store();
  for (const m of members) {
    v2.create(`/0/members/${m.id.toString(16)}/raftAttributes`, false, raftAttributesJson(m), false, 0n);
    if (m.clientURLs !== undefined) v2.set(`/0/members/${m.id.toString(16)}/attributes`, false, attributesJson(m), 0n);
  }
  for (const id of removed) v2.create(`/0/removed_members/${id.toString(16)}`, false, '', false, 0n);
  if (version !== undefined) v2.set('/0/version', false, version, 0n);
  return v2StoreJson(v2);
}

export type Rows = Array<readonly [Uint8Array, Uint8Array]>;

/** Every bucket etcd 3.6 creates at start (schema/bucket.go), with the rows given; keys are sorted here. */
const BUCKETS = ['alarm', 'auth', 'authRoles', 'authUsers', 'cluster', 'key', 'lease', 'members', 'members_removed', 'meta'];

export function writeBackendFile(path: string, rows: Record<string, Rows>): void {
  const out = new AtomicFileWriter(path);
  try {
    const db = new BboltWriter(out);
    for (const name of BUCKETS) db.bucket(Buffer.from(name), [...(rows[name] ?? [])].sort((a, b) => Buffer.compare(a[0], b[0])));
    db.finish();
    out.commit(true);
  } catch (e) {
    out.abort();
    throw e;
  }
}

export const row = (k: string | Uint8Array, v: string | Uint8Array): readonly [Uint8Array, Uint8Array] => [typeof k === 'string' ? Buffer.from(k) : k, typeof v === 'string' ? Buffer.from(v) : v];

export const u64be = (v: bigint): Buffer => {
  const b = Buffer.alloc(8);
  b.writeBigUInt64BE(v);
  return b;
};

/** The `members`, `members_removed` and `cluster` rows of schema/membership.go (MustSaveMemberToBackend, MustDeleteMemberFromBackend, MustSaveClusterVersionToBackend, MustSaveDowngradeToBackend). */
export function membershipRows(members: Member36[], removed: bigint[], version?: string, downgrade?: { enabled: boolean; targetVersion: string }): Record<string, Rows> {
  const cluster: Rows = [];
  if (version !== undefined) cluster.push(row('clusterVersion', version));
  // version.DowngradeInfo: {"target-version": ..., "enabled": ...}, in its field order.
  if (downgrade !== undefined) cluster.push(row('downgrade', `{"target-version":${JSON.stringify(downgrade.targetVersion)},"enabled":${downgrade.enabled}}`));
  return {
    members: members.map((m) => row(m.id.toString(16), memberJson36(m))),
    members_removed: removed.map((id) => row(id.toString(16), 'removed')),
    cluster,
  };
}
