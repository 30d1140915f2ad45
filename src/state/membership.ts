/**
 * Cluster membership as etcd applies it (etcdserver/api/membership/cluster.go):
 * members added, updated, promoted and removed by conf changes, their names
 * and client URLs published by a v2 PUT of /0/members/<id>/attributes (3.4)
 * or a cluster_member_attr_set request (3.5+), and the cluster version.
 *
 * etcd 3.4 keeps membership in the v2 store (/0/members, /0/removed_members,
 * /0/version) and mirrors it into the backend; every such write bumps the v2
 * index, which v2 keys' created/modified indexes then show. So when a v2 store
 * is attached, every change is written there exactly as etcd writes it.
 */
import { fail } from './etcd-errors.js';
import { StateError } from './errors.js';
import type { V2Store } from './v2store.js';

export interface Member {
  id: bigint;
  name: string;
  peerURLs: string[];
  clientURLs: string[];
  isLearner: boolean;
}

const MEMBERS = '/0/members';
const REMOVED = '/0/removed_members';
export const CLUSTER_VERSION_PATH = '/0/version';

/** types.ID.String(): lowercase hex without padding. */
export const idString = (id: bigint): string => id.toString(16);

/** Go's encoding/json escapes <, > and & (and U+2028/9), which JSON.stringify leaves. */
const goJson = (v: unknown): string => JSON.stringify(v).replace(/[<>&\u2028\u2029]/g, (c) => '\\u' + c.charCodeAt(0).toString(16).padStart(4, '0'));

/** json.Marshal of RaftAttributes and Attributes, with their omitempty tags. */
const raftAttributesJson = (m: Member): string => goJson({ peerURLs: m.peerURLs, ...(m.isLearner ? { isLearner: true } : {}) });
const attributesJson = (m: Member): string => goJson({ ...(m.name ? { name: m.name } : {}), ...(m.clientURLs.length ? { clientURLs: m.clientURLs } : {}) });

/** json.Marshal of a Member, as the backend's `members` bucket holds it (membership/store.go): the ID as a number, then the two attribute sets. */
export function memberJson(m: Member): string {
  const fields = [raftAttributesJson(m), attributesJson(m)].map((j) => j.slice(1, -1)).filter((j) => j !== '');
  return `{"id":${m.id},${fields.join(',')}}`;
}

export type MemberChange = 'add' | 'remove' | 'update';

export interface ClusterOptions {
  /** cluster.go maxLearners: 1, a setting (--max-learners) from 3.6. */
  maxLearners?: () => number;
  /** Told of each cluster version set, for the version's apply rules. */
  onVersion?: (version: string) => void;
}

export class RaftCluster {
  readonly members = new Map<bigint, Member>();
  readonly removed = new Set<bigint>();
  version?: string;
  /** DowngradeInfoSet (3.5+): held in memory and in the backend's cluster bucket. */
  downgrade?: { enabled: boolean; targetVersion?: string };

  /** The v2 store to mirror into, as 3.4 does; undefined when its state is unknown. */
  constructor(
    public v2?: V2Store,
    private readonly opts: ClusterOptions = {},
  ) {}

  /** Members by ID (cluster.Members). */
  list(): Member[] {
    return [...this.members.values()].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  }

  /** ValidateConfigurationChange: throws the error etcd answers a refused conf change with. */
  validate(change: MemberChange, id: bigint, member?: Member & { isPromote?: boolean }): void {
    if (this.removed.has(id)) fail('ErrIDRemoved', idString(id));
    const existing = this.members.get(id);
    if (change === 'remove') {
      if (!existing) fail('ErrIDNotFound', idString(id));
      return;
    }
    if (change === 'update') {
      if (!existing) fail('ErrIDNotFound', idString(id));
      this.checkPeerURLs(member?.peerURLs ?? [], id);
      return;
    }
    if (member?.isPromote) {
      if (!existing) fail('ErrIDNotFound', idString(id));
      if (!existing.isLearner) fail('ErrMemberNotLearner', idString(id));
      return;
    }
    if (existing) fail('ErrIDExists', idString(id));
    this.checkPeerURLs(member?.peerURLs ?? [], undefined);
    if (member?.isLearner && [...this.members.values()].filter((m) => m.isLearner).length + 1 > (this.opts.maxLearners?.() ?? 1)) fail('ErrTooManyLearners');
  }

  addMember(m: Member): void {
    this.v2?.create(`${MEMBERS}/${idString(m.id)}/raftAttributes`, false, raftAttributesJson(m), false, 0n);
    this.members.set(m.id, { id: m.id, name: m.name, peerURLs: [...m.peerURLs], clientURLs: [...m.clientURLs], isLearner: m.isLearner });
  }

  removeMember(id: bigint): void {
    this.v2?.delete(`${MEMBERS}/${idString(id)}`, true, true);
    this.v2?.create(`${REMOVED}/${idString(id)}`, false, '', false, 0n);
    this.members.delete(id);
    this.removed.add(id);
  }

  /** A removed member's late publish is skipped; an unknown member's makes etcd panic. */
  updateAttributes(id: bigint, name: string, clientURLs: string[]): void {
    const m = this.members.get(id);
    if (m === undefined) {
      if (this.removed.has(id)) return;
      throw new StateError('ETCD_PANIC', `membership: attributes published for unknown member ${idString(id)}`);
    }
    m.name = name;
    m.clientURLs = [...clientURLs];
    this.v2?.set(`${MEMBERS}/${idString(id)}/attributes`, false, attributesJson(m), 0n);
  }

  promoteMember(id: bigint): void {
    const m = this.mustGet(id);
    m.isLearner = false;
    this.v2?.update(`${MEMBERS}/${idString(id)}/raftAttributes`, raftAttributesJson(m), 0n);
  }

  updateRaftAttributes(id: bigint, peerURLs: string[], isLearner: boolean): void {
    const m = this.mustGet(id);
    m.peerURLs = [...peerURLs];
    m.isLearner = isLearner;
    this.v2?.update(`${MEMBERS}/${idString(id)}/raftAttributes`, raftAttributesJson(m), 0n);
  }

  setVersion(version: string): void {
    this.version = version;
    this.opts.onVersion?.(version);
    this.v2?.set(CLUSTER_VERSION_PATH, false, version, 0n);
  }

  /** Members from a backend's `members`/`members_removed` buckets, or from a v2 store (3.4's Recover). */
  restore(members: Iterable<Member>, removed: Iterable<bigint>, version: string | undefined): void {
    this.members.clear();
    this.removed.clear();
    for (const m of members) this.members.set(m.id, m);
    for (const id of removed) this.removed.add(id);
    this.version = version;
  }

  private mustGet(id: bigint): Member {
    const m = this.members.get(id);
    if (m === undefined) throw new StateError('ETCD_PANIC', `membership: no member ${idString(id)}`);
    return m;
  }

  private checkPeerURLs(urls: string[], except: bigint | undefined): void {
    const used = new Set<string>();
    for (const m of this.members.values()) if (m.id !== except) for (const u of m.peerURLs) used.add(u);
    for (const u of urls) if (used.has(u)) fail('ErrPeerURLexists', u);
  }
}

/**
 * membersFromStore and clusterVersionFromStore: etcd 3.4 recovers membership
 * from the v2 store a `.snap` file carries. Undefined when it holds none.
 */
export function membershipFromV2(v2: V2Store): { members: Member[]; removed: bigint[]; version?: string } | undefined {
  const read = (path: string) => {
    try {
      return v2.get(path, true, true);
    } catch (e) {
      if ((e as { etcdName?: string }).etcdName === 'V2KeyNotFound') return undefined;
      throw e;
    }
  };
  const dir = read(MEMBERS);
  if (dir === undefined) return undefined;
  const idOf = (key: string) => BigInt('0x' + key.slice(key.lastIndexOf('/') + 1));
  const members = (dir.nodes ?? []).map((n): Member => {
    const value = (suffix: string) => n.nodes?.find((c) => c.key === `${n.key}/${suffix}`)?.value;
    const raft = JSON.parse(value('raftAttributes') ?? 'null') as { peerURLs?: string[]; isLearner?: boolean } | null;
    if (raft === null) throw new StateError('ETCD_PANIC', `v2 store: member ${n.key} has no raftAttributes`);
    const attrs = JSON.parse(value('attributes') ?? '{}') as { name?: string; clientURLs?: string[] };
    return { id: idOf(n.key!), name: attrs.name ?? '', peerURLs: raft.peerURLs ?? [], clientURLs: attrs.clientURLs ?? [], isLearner: raft.isLearner === true };
  });
  const removed = (read(REMOVED)?.nodes ?? []).map((n) => idOf(n.key!));
  return { members, removed, version: read(CLUSTER_VERSION_PATH)?.value };
}
