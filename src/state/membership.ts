/**
 * Cluster membership as etcd applies it (etcdserver/api/membership/cluster.go):
 * members added, updated, promoted and removed by conf changes, their names
 * and client URLs published by a v2 PUT of /0/members/<id>/attributes (3.4)
 * or a cluster_member_attr_set request (3.5+), and the cluster version.
 *
 * etcd 3.4 and 3.5 keep membership in the v2 store (/0/members,
 * /0/removed_members, /0/version) and mirror it into the backend; every such
 * write bumps the v2 index, which v2 keys' created/modified indexes then show.
 * So when a v2 store is attached, every change is written there exactly as
 * etcd writes it. etcd 3.6 still writes the v2 store (its .snap carries it for
 * a rollback to 3.5) but holds in memory what the backend holds: the
 * `membership-in-backend` rule (version-rules.ts).
 */
import { fail } from './etcd-errors.js';
import { StateError } from './errors.js';
import type { V2Store } from './v2store.js';
import type { RuleId } from './version-rules.js';

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

/** A conf change as membership sees it: ConfChangeAddNode (a promotion too), ConfChangeAddLearnerNode, ConfChangeRemoveNode, ConfChangeUpdateNode. */
export type MemberChange = 'add' | 'add-learner' | 'remove' | 'update';

export interface ClusterOptions {
  /** cluster.go maxLearners: 1, a setting (--max-learners) from 3.6. */
  maxLearners?: () => number;
  /** Told of each cluster version set, for the version's apply rules. */
  onVersion?: (version: string) => void;
  /** Whether a version rule is in force; without, none is. */
  rule?: (id: RuleId) => boolean;
}

interface Membership {
  members: Map<bigint, Member>;
  removed: Set<bigint>;
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

  /**
   * ValidateConfigurationChange: throws the error etcd answers a refused conf
   * change with. `shouldApplyV3` is whether the entry is above the
   * consistent index (etcd's ShouldApplyV3).
   */
  validate(change: MemberChange, id: bigint, member: (Member & { isPromote?: boolean }) | undefined, shouldApplyV3: boolean): void {
    const current = this.checkedAgainst(shouldApplyV3);
    if (current === undefined) return;
    const { members, removed } = current;
    if (removed.has(id)) fail('ErrIDRemoved', idString(id));
    const existing = members.get(id);
    if (change === 'remove') {
      if (!existing) fail('ErrIDNotFound', idString(id));
      return;
    }
    if (change === 'update') {
      if (!existing) fail('ErrIDNotFound', idString(id));
      checkPeerURLs(members, member?.peerURLs ?? [], id);
      return;
    }
    if (member?.isPromote) {
      if (!existing) fail('ErrIDNotFound', idString(id));
      if (!existing.isLearner) fail('ErrMemberNotLearner', idString(id));
      return;
    }
    if (existing) fail('ErrIDExists', idString(id));
    checkPeerURLs(members, member?.peerURLs ?? [], undefined);
    const counted = member?.isLearner === true && (change === 'add-learner' || !this.rule('learner-limit-learner-node'));
    if (counted && [...members.values()].filter((m) => m.isLearner).length + 1 > (this.opts.maxLearners?.() ?? 1)) fail('ErrTooManyLearners');
  }

  addMember(m: Member, shouldApplyV3: boolean): void {
    this.v2?.create(`${MEMBERS}/${idString(m.id)}/raftAttributes`, false, raftAttributesJson(m), false, 0n);
    if (!this.changesMemory(shouldApplyV3)) return;
    this.members.set(m.id, { id: m.id, name: m.name, peerURLs: [...m.peerURLs], clientURLs: [...m.clientURLs], isLearner: m.isLearner });
  }

  removeMember(id: bigint, shouldApplyV3: boolean): void {
    this.v2?.delete(`${MEMBERS}/${idString(id)}`, true, true);
    this.v2?.create(`${REMOVED}/${idString(id)}`, false, '', false, 0n);
    if (!this.changesMemory(shouldApplyV3)) return;
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

  /**
   * Every release clears the learner flag in memory, whatever the consistent
   * index: 3.6 at or below it too when the backend it loaded still has a
   * learner (PromoteMember, etcd issue 19557). A member memory lacks (in 3.6,
   * one the backend holds as removed) is skipped from 3.6.1 on.
   */
  promoteMember(id: bigint): void {
    const m = this.memberOrSkip(id, this.rule('membership-skips-unknown'));
    if (m === undefined) return;
    m.isLearner = false;
    this.v2?.update(`${MEMBERS}/${idString(id)}/raftAttributes`, raftAttributesJson(m), 0n);
  }

  updateRaftAttributes(id: bigint, peerURLs: string[], isLearner: boolean, shouldApplyV3: boolean): void {
    const peerOnly = this.rule('member-update-peer-urls-only');
    const m = this.memberOrSkip(id, peerOnly || this.rule('membership-skips-unknown'));
    if (m === undefined) return;
    if (peerOnly) {
      // 3.5.31, 3.6.12: the peer URLs alone, into memory whatever the consistent index.
      m.peerURLs = [...peerURLs];
      this.v2?.update(`${MEMBERS}/${idString(id)}/raftAttributes`, raftAttributesJson(m), 0n);
      return;
    }
    const updated = { ...m, peerURLs: [...peerURLs], isLearner };
    this.v2?.update(`${MEMBERS}/${idString(id)}/raftAttributes`, raftAttributesJson(updated), 0n);
    if (!this.changesMemory(shouldApplyV3)) return;
    m.peerURLs = updated.peerURLs;
    m.isLearner = isLearner;
  }

  setVersion(version: string): void {
    this.version = version;
    this.opts.onVersion?.(version);
    this.v2?.set(CLUSTER_VERSION_PATH, false, version, 0n);
  }

  /** Members from a v2 store (Recover before 3.6), or from a backend the caller read. */
  restore(members: Iterable<Member>, removed: Iterable<bigint>, version: string | undefined): void {
    this.members.clear();
    this.removed.clear();
    for (const m of members) this.members.set(m.id, m);
    for (const id of removed) this.removed.add(id);
    this.version = version;
  }

  /**
   * Membership from a backend's `members`, `members_removed` and `cluster`
   * buckets, as etcd 3.6 starts (bootstrap.go Finalize):
   * SyncLearnerPromotionIfNeeded first makes a voter of each member the
   * backend has as a learner and the v2 store (the .snap's) as a voter, then
   * Recover reads the backend (cluster.go UnsafeLoad). A v2 store with no
   * members promotes none.
   */
  loadBackend(members: Member[], removed: bigint[], version: string | undefined): void {
    const voters = new Set(((this.v2 && membershipFromV2(this.v2))?.members ?? []).filter((m) => !m.isLearner).map((m) => m.id));
    this.restore(
      members.map((m) => (m.isLearner && voters.has(m.id) ? { ...m, isLearner: false } : m)),
      removed,
      version,
    );
  }

  private rule(id: RuleId): boolean {
    return this.opts.rule?.(id) ?? false;
  }

  /** 3.6 changes memory, as the backend, only above the consistent index (AddMember, RemoveMember, UpdateRaftAttributes); earlier releases always. */
  private changesMemory(shouldApplyV3: boolean): boolean {
    return shouldApplyV3 || !this.rule('membership-in-backend');
  }

  /**
   * The membership a conf change is checked against. Before 3.6 the v2
   * store's, which memory mirrors. 3.6 reads the backend's (as memory holds
   * it) above the consistent index and the v2 store's at or below it;
   * undefined when that v2 store is unknown (a backend loaded without a
   * .snap), and the change is then taken as valid: memory does not change
   * either way.
   */
  private checkedAgainst(shouldApplyV3: boolean): Membership | undefined {
    if (this.changesMemory(shouldApplyV3)) return this;
    if (this.v2 === undefined) return undefined;
    const m = membershipFromV2(this.v2);
    return { members: new Map((m?.members ?? []).map((x) => [x.id, x])), removed: new Set(m?.removed ?? []) };
  }

  /** The member; one memory lacks is skipped (undefined) where `skip`, else etcd dereferenced it and panicked. */
  private memberOrSkip(id: bigint, skip: boolean): Member | undefined {
    const m = this.members.get(id);
    if (m === undefined && !skip) throw new StateError('ETCD_PANIC', `membership: no member ${idString(id)}`);
    return m;
  }
}

/** ErrPeerURLexists when another member (not `except`) has one of `urls`. */
function checkPeerURLs(members: Map<bigint, Member>, urls: string[], except: bigint | undefined): void {
  const used = new Set<string>();
  for (const m of members.values()) if (m.id !== except) for (const u of m.peerURLs) used.add(u);
  for (const u of urls) if (used.has(u)) fail('ErrPeerURLexists', u);
}

/**
 * membership/storev2.go IsMetaStoreOnly: whether the v2 store holds nothing
 * but membership, no top-level directory other than /0 having children;
 * with `authAllowed` (3.6.3) /2 may have children that have none.
 */
export function isMetaStoreOnly(v2: V2Store, authAllowed: boolean): boolean {
  const empty = (n: { nodes?: unknown[] }) => (n.nodes ?? []).length === 0;
  return (v2.get('/', true, false).nodes ?? []).every((n) => n.key === '/0' || empty(n) || (authAllowed && n.key === '/2' && (n.nodes ?? []).every(empty)));
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
