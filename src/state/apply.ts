/**
 * EtcdState: what one etcd member holds, changed entry by entry as etcd's
 * apply loop changes it (etcdserver/server.go apply, applyEntryNormal,
 * applyConfChange): the v3 key space, leases, auth, alarms, membership and
 * the v2 store, plus the consistent index that guards the v3 state against
 * applying an entry twice after a restart.
 */
import { decodeConfChangeEntry, decodeNormalEntry, type DecodedRequest, type RequestKind } from '../codec/request.js';
import { ConfChangeType, EntryType, type ConfChange, type Entry } from '../codec/proto/raftpb.js';
import type { BboltOptions } from '../codec/bbolt/index.js';
import { AlarmStore } from './alarm.js';
import { AuthStore } from './auth.js';
import { Backend } from './backend.js';
import { applyV2Request } from './apply-v2.js';
import { V3Applier, type V3Outcome } from './apply-v3.js';
import { EtcdRequestError, type EtcdErrorName } from './etcd-errors.js';
import { StateError } from './errors.js';
import { rangeResponseJson, type ResponseHeader } from './etcdctl-json.js';
import { latin1, toKeyValue, type KeyValue } from './kv.js';
import { Lessor, type LessorOptions } from './lease.js';
import { isMetaStoreOnly, membershipFromV2, RaftCluster, type Member, type MemberChange } from './membership.js';
import { MvccStore, type MvccOptions, type RangeOptions } from './mvcc.js';
import { V2Store } from './v2store.js';
import { rangeEnd } from './compare.js';
import { VersionRules } from './version-rules.js';

export interface EtcdStateOptions extends MvccOptions, LessorOptions {
  /** For response headers: from the WAL's metadata record. */
  clusterId?: bigint;
  memberId?: bigint;
  /** The etcd release (X.Y.Z) whose apply rules hold (version-rules.ts); without, the cluster version the log records. */
  etcdVersion?: string;
  /** 3.6's --max-learners; 1 before 3.6, where it is not a setting. */
  maxLearners?: number;
}

export interface ApplyResult {
  index: bigint;
  /** The request kind (codec/request.ts), or the conf change type. */
  kind: RequestKind | 'confChange';
  /** etcd's answer when it refused the request; the entry still counts as applied. */
  error?: { name: EtcdErrorName; message: string };
  revision?: bigint;
  succeeded?: boolean;
  deleted?: number;
  /** Why the entry changed nothing by design. */
  skipped?: string;
}

/** A learner's add differs from a voter's only in the context's isLearner. */
const CHANGES: Record<number, MemberChange | undefined> = {
  [ConfChangeType.ConfChangeAddNode]: 'add',
  [ConfChangeType.ConfChangeAddLearnerNode]: 'add-learner',
  [ConfChangeType.ConfChangeRemoveNode]: 'remove',
  [ConfChangeType.ConfChangeUpdateNode]: 'update',
};

export class EtcdState {
  readonly lessor: Lessor;
  readonly store: MvccStore;
  /** The apply rules of the etcd version, fixed or following the cluster version recorded. */
  readonly rules: VersionRules;
  readonly auth: AuthStore;
  readonly alarms = new AlarmStore();
  readonly cluster: RaftCluster;
  /** The v2 store; undefined when its state is unknown (a backend loaded without a `.snap`). */
  v2: V2Store | undefined = new V2Store();
  /** The index of the entry being or last applied (consistentIndex in etcd). */
  consistentIndex = 0n;
  /** The consistent_index etcd 3.4 would have written to the backend's meta bucket by now (see applyEntry). */
  backendConsistentIndex = 0n;
  appliedIndex = 0n;
  /** The term of the last applied entry: the header's raft_term. */
  term = 0n;
  clusterId: bigint;
  memberId: bigint;
  private readonly v3: V3Applier;
  private v2FromSnapshot = false;
  /** The index of the entry being applied, for the rules' record of versions. */
  private applying = 0n;

  constructor(opts: EtcdStateOptions = {}) {
    this.rules = new VersionRules(opts.etcdVersion);
    this.lessor = new Lessor(opts);
    this.store = new MvccStore(this.lessor, opts);
    this.auth = new AuthStore(this.rules);
    this.cluster = new RaftCluster(this.v2, {
      maxLearners: () => (this.rules.has('max-learners-setting') ? (opts.maxLearners ?? 1) : 1),
      onVersion: (v) => this.rules.clusterVersion(v, this.applying),
      rule: (id) => this.rules.has(id),
    });
    this.clusterId = opts.clusterId ?? 0n;
    this.memberId = opts.memberId ?? 0n;
    this.v3 = new V3Applier(this);
  }

  /**
   * Applies one committed entry. Entry data may be a view into a reader's
   * buffer: nothing of it is kept. Throws StateError ETCD_PANIC for an entry
   * that makes etcd panic; etcd's refusals are results. A conf change with an
   * error is one etcd's membership refused: etcd then has raft apply it with
   * node ID 0, a no-op. `term` overrides the entry's term as the raft_term
   * responses report (etcd takes the applied entry's).
   */
  applyEntry(entry: Entry, term?: bigint): ApplyResult {
    const rev = this.store.currentRev;
    const authRev = this.auth.revision;
    let kind: ApplyResult['kind'] = 'confChange';
    let result: ApplyResult;
    this.applying = entry.index;
    try {
      if (entry.type === EntryType.EntryNormal) {
        const d = decodeNormalEntry(entry.data);
        kind = d.kind;
        result = this.applyNormal(entry.index, d);
      } else {
        result = this.applyConfChange(entry);
      }
    } catch (e) {
      if (!(e instanceof EtcdRequestError)) throw e;
      result = { index: entry.index, kind, error: { name: e.etcdName, message: e.message } };
    }
    // 3.4 writes consistent_index with every mvcc write txn that changed something (kvstore_txn.go
    // End, saveIndex) and every auth change (auth/store.go saveConsistentIndex), not otherwise.
    if (this.store.currentRev !== rev || this.auth.revision !== authRev) this.backendConsistentIndex = this.consistentIndex;
    this.appliedIndex = entry.index;
    this.term = term ?? entry.term;
    return result;
  }

  /** KV().Commit at a raft snapshot, which also writes consistent_index (server.go snapshot). */
  commitBackend(): void {
    this.backendConsistentIndex = this.consistentIndex;
  }

  /**
   * Initialises a new EtcdState's v3 state from a backend file, as etcd does at start:
   * leases, then keys (with the history the file still has) attached to them,
   * auth, alarms, and the consistent index, below which entries do not touch
   * the v3 state again. Membership comes from the backend unless a v2
   * snapshot supplied it (3.4 and 3.5 recover membership from the v2 store;
   * 3.6 from the backend whatever the .snap holds). Without a v2 snapshot the
   * v2 store's state is unknown from here on. The rules follow the backend's
   * cluster version where it has one: its consistent index is never behind
   * the .snap.
   */
  loadBackend(path: string, opts: BboltOptions = {}): void {
    const be = Backend.open(path, opts);
    try {
      const meta = be.meta();
      this.applying = 0n;
      const version = be.clusterVersion() ?? (this.v2FromSnapshot ? this.cluster.version : undefined);
      if (version !== undefined) this.rules.clusterVersion(version, 0n);
      this.lessor.restore(be.leases());
      this.store.restore(be.revisions(), { finished: meta.finishedCompactRev, scheduled: meta.scheduledCompactRev }, this.rules.has('compaction-keeps-tombstone'));
      this.auth.restore(be.auth());
      this.alarms.restore(be.alarms());
      this.v3.restoreAlarms();
      if (!this.v2FromSnapshot || this.rules.has('membership-in-backend')) {
        const { members, removed } = be.members();
        this.cluster.loadBackend(members, removed, be.clusterVersion());
        if (!this.v2FromSnapshot) this.v2 = this.cluster.v2 = undefined;
      }
      this.cluster.downgrade = be.downgrade();
      this.consistentIndex = this.backendConsistentIndex = meta.consistentIndex ?? 0n;
      if (meta.term !== undefined) this.term = meta.term;
    } finally {
      be.close();
    }
  }

  /**
   * The v2 store and membership as etcd has them when it starts with no
   * snapshot at all: empty, to be rebuilt by replaying the WAL from index 1
   * (so a backend loaded next does not supply the membership).
   */
  startWithoutSnapshot(): void {
    this.v2FromSnapshot = true;
  }

  /** Recovers the v2 store from a `.snap` file's data (raftpb.Snapshot.data), and membership from it. */
  loadV2Snapshot(data: Uint8Array | string): void {
    const v2 = new V2Store();
    v2.recover(data);
    this.v2 = this.cluster.v2 = v2;
    this.v2FromSnapshot = true;
    const m = membershipFromV2(v2);
    if (m) this.cluster.restore(m.members, m.removed, m.version);
    if (m?.version !== undefined) this.rules.clusterVersion(m.version, 0n);
    if (this.rules.has('v2-snapshot-meta-only') && !isMetaStoreOnly(v2, this.rules.has('v2-snapshot-auth-allowed'))) {
      throw new StateError('BAD_V2_SNAPSHOT', `etcd ${this.rules.version} does not start: the .snap's v2 store holds keys outside /0 (AssertNoV2StoreContent: v2 data is refused from 3.6 on)`);
    }
  }

  header(): ResponseHeader {
    return { clusterId: this.clusterId, memberId: this.memberId, revision: this.store.currentRev, raftTerm: this.term };
  }

  /** A range as etcd serves it: `rangeEnd` "\0" for every key from `key` on; historic with opts.rev. */
  range(key: Uint8Array, end?: Uint8Array, opts: RangeOptions = {}): { kvs: KeyValue[]; count: number; revision: bigint } {
    const r = this.rangeLazy(key, end, opts);
    // Copied: rangeLazy's values are views that the next apply may overwrite.
    return { ...r, kvs: Array.from(r.kvs, (kv) => ({ ...kv, value: Buffer.from(kv.value) })) };
  }

  /**
   * range, with each key-value made as `kvs` is iterated, its value a view of
   * the store's copy: iterate it, and use the values, before the next apply.
   * For printing a whole key space.
   */
  rangeLazy(key: Uint8Array, end?: Uint8Array, opts: RangeOptions = {}): { kvs: Iterable<KeyValue>; count: number; revision: bigint } {
    const r = this.store.rangeAs(latin1(key), rangeEnd(end), this.store.currentRev, opts, (ki, at) => ki.keyValueAt(at)!);
    return { kvs: r.kvs, count: r.count, revision: r.rev };
  }

  /** Every change of `key` still kept (since the last compaction), oldest first; one per revision. */
  history(key: Uint8Array): Array<{ type: 'put'; kv: KeyValue } | { type: 'delete'; key: Uint8Array; modRevision: bigint }> {
    return this.store.history(latin1(key)).map((e) => (e.type === 'put' ? { type: 'put', kv: toKeyValue(e.kv) } : { type: 'delete', key, modRevision: e.modRevision }));
  }

  /** What `etcdctl get "" --prefix -w json` prints. */
  toEtcdctlJson(): string {
    const { kvs, count } = this.range(new Uint8Array(), new Uint8Array([0]));
    return rangeResponseJson(this.header(), kvs, count);
  }

  private applyNormal(index: bigint, d: DecodedRequest): ApplyResult {
    let shouldApplyV3 = false;
    if (index > this.consistentIndex) {
      this.consistentIndex = index;
      shouldApplyV3 = true;
    }
    if (d.kind === 'empty') return { index, kind: 'empty' };
    if (d.kind === 'unknown') throw new StateError('ETCD_PANIC', `entry ${index}: ${d.error}`);
    // v2 requests apply whatever the consistent index: the v2 store is rebuilt from a snapshot, not the backend.
    if (d.kind === 'v2') {
      applyV2Request(this.v2, this.cluster, d.v2!, this.rules);
      return { index, kind: 'v2' };
    }
    // 3.5's membership requests change the in-memory cluster before the consistent index is asked (apply.go Apply).
    if (d.kind === 'cluster_version_set' || d.kind === 'cluster_member_attr_set' || d.kind === 'downgrade_info_set') return { index, kind: d.kind, ...this.v3.applyMembership(d.kind, d.message) };
    if (!shouldApplyV3) return { index, kind: d.kind, skipped: `at or below the consistent index ${this.consistentIndex}: already in the backend` };
    const outcome: V3Outcome = this.v3.apply(d.kind, d.message!);
    return { index, kind: d.kind, ...outcome };
  }

  /** applyConfChange; a change etcd's membership refuses is a no-op with an error. */
  private applyConfChange(entry: Entry): ApplyResult {
    const index = entry.index;
    if (entry.type !== EntryType.EntryConfChange) throw new StateError('ETCD_PANIC', `entry ${index}: etcd applies only EntryNormal and EntryConfChange, not type ${entry.type}`);
    const shouldApplyV3 = index > this.consistentIndex;
    if (shouldApplyV3) this.consistentIndex = index;
    const { change, member, error } = decodeConfChangeEntry(entry);
    if (error !== undefined) throw new StateError('ETCD_PANIC', `entry ${index}: conf change does not decode: ${error}`);
    const cc = change as ConfChange;
    const kind = CHANGES[cc.type];
    if (kind === undefined) throw new StateError('ETCD_PANIC', `entry ${index}: unknown conf change type ${cc.type}`);
    const m: (Member & { isPromote?: boolean }) | undefined = member && { id: member.id, name: member.name ?? '', peerURLs: member.peerURLs, clientURLs: member.clientURLs ?? [], isLearner: member.isLearner, isPromote: member.isPromote };
    if (kind !== 'remove' && m === undefined) throw new StateError('ETCD_PANIC', `entry ${index}: conf change context is not member JSON`);
    this.cluster.validate(kind, cc.nodeId, m, shouldApplyV3);
    if (m && m.id !== cc.nodeId) throw new StateError('ETCD_PANIC', `entry ${index}: conf change for node ${cc.nodeId} carries member ${m.id}`);
    if (kind === 'remove') this.cluster.removeMember(cc.nodeId, shouldApplyV3);
    else if (kind === 'update') this.cluster.updateRaftAttributes(m!.id, m!.peerURLs, m!.isLearner, shouldApplyV3);
    else if (m!.isPromote) this.cluster.promoteMember(m!.id);
    else this.cluster.addMember(m!, shouldApplyV3);
    return { index, kind: 'confChange' };
  }
}
