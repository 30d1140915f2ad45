/**
 * The apply rules that changed between etcd releases, each with the release
 * of every minor series that introduced it (fixes were backported, so 3.4 has
 * most of them too, at other patch numbers). Each `since` was read from the
 * tagged source (git tags v3.4.x, v3.5.x, v3.6.x of etcd-io/etcd): the first
 * tag of the series whose code has the rule. A version of a later minor than
 * any listed has every rule; of an earlier one, none.
 *
 * Which version applies: --etcd-version X.Y.Z, else the cluster version etcd
 * recorded (v2 PUT /0/version, cluster_version_set, the backend's or the
 * snapshot's), which names a minor only: its newest patch release is taken.
 */
import { StateError } from './errors.js';

export type RuleId =
  | 'grant-needs-permission'
  | 'grant-valid-range'
  | 'lease-puts-admin'
  | 'compaction-keeps-tombstone'
  | 'nested-txn-auth'
  | 'txn-put-auth'
  | 'membership-v3-requests'
  | 'max-learners-setting'
  | 'membership-in-backend'
  | 'v2-membership-only'
  | 'v2-snapshot-meta-only'
  | 'learner-limit-learner-node'
  | 'membership-skips-unknown'
  | 'member-update-peer-urls-only'
  | 'v2-snapshot-auth-allowed';

export interface VersionRule {
  id: RuleId;
  /** The first release of each minor series with the rule. */
  since: string[];
  what: string;
  /** Where the rule lives in etcd's source (the paths of 3.5, or of 3.6 for a rule only 3.6 has). */
  source: string;
}

export const VERSION_RULES: readonly VersionRule[] = [
  { id: 'grant-needs-permission', since: ['3.4.25', '3.5.0'], what: 'a permission grant without a permission is refused (ErrPermissionNotGiven); before, etcd dereferenced the missing permission and panicked', source: 'server/auth/store.go RoleGrantPermission' },
  { id: 'grant-valid-range', since: ['3.4.25', '3.5.8', '3.6.0'], what: 'a permission grant with an empty key or a range end not after the key (other than "\\0") is refused (ErrInvalidAuthMgmt)', source: 'server/auth/store.go RoleGrantPermission, range_perm_cache.go isValidPermissionRange' },
  { id: 'lease-puts-admin', since: ['3.4.27', '3.5.10', '3.6.0'], what: "a user with the root role attaches and revokes a lease without each key's write check (so without the auth revision check): the leader's revokes of expired leases, made as root, no longer fail as stale", source: 'server/etcdserver/apply_auth.go checkLeasePutsKeys' },
  { id: 'compaction-keeps-tombstone', since: ['3.4.34', '3.5.16', '3.6.0'], what: 'compaction keeps a tombstone that sits exactly at the compaction revision', source: 'server/mvcc/key_index.go compact, doCompact' },
  { id: 'nested-txn-auth', since: ['3.4.42', '3.5.28', '3.6.9'], what: 'the ops of nested txns are permission-checked', source: 'server/etcdserver/apply_auth.go checkTxnReqsPermission' },
  { id: 'txn-put-auth', since: ['3.4.44', '3.5.30', '3.6.11'], what: "a put inside a txn is checked as a put is: its lease's keys and, with prev_kv, read permission", source: 'server/etcdserver/apply_auth.go checkPutAuth' },
  { id: 'membership-v3-requests', since: ['3.5.0'], what: 'cluster_version_set, cluster_member_attr_set and downgrade_info_set are applied whatever the consistent index (before 3.5 etcd does not know them)', source: 'server/etcdserver/apply.go applierV3backend.Apply' },
  { id: 'max-learners-setting', since: ['3.6.0'], what: 'the number of learners is a setting (--max-learners, default 1); before, a constant 1', source: 'server/etcdserver/api/membership/cluster.go ValidateMaxLearnerConfig' },
  {
    id: 'membership-in-backend',
    since: ['3.6.0'],
    what: "members, removed members and the cluster version are loaded at start from the backend's members, members_removed and cluster buckets, not from the .snap's v2 store (which only promotes a member the backend still has as a learner); a conf change at or below the consistent index is checked against the v2 store and changes only it, a promotion excepted",
    source: 'server/etcdserver/bootstrap.go bootstrappedCluster.Finalize; server/etcdserver/api/membership/cluster.go UnsafeLoad, SyncLearnerPromotionIfNeeded, ValidateConfigurationChange, AddMember, RemoveMember, PromoteMember, UpdateRaftAttributes',
  },
  {
    id: 'v2-membership-only',
    since: ['3.6.0'],
    what: 'a v2 request in the log is applied only as a PUT of /0/members/<id>/attributes (as cluster_member_attr_set) or of /0/version (as cluster_version_set), whatever its other fields; any other makes etcd panic',
    source: 'server/etcdserver/apply_v2.go v2ToV3Request, server/etcdserver/server.go applyEntryNormal',
  },
  {
    id: 'v2-snapshot-meta-only',
    since: ['3.6.0'],
    what: 'etcd does not start when the .snap it loads has a v2 store with a non-empty directory other than /0 (--v2-deprecation is write-only or later; not-yet is gone)',
    source: 'server/storage/util.go AssertNoV2StoreContent, server/etcdserver/api/membership/storev2.go IsMetaStoreOnly, server/etcdserver/bootstrap.go recoverSnapshot',
  },
  {
    id: 'learner-limit-learner-node',
    since: ['3.6.0'],
    what: 'the learner limit counts a new member only when the conf change is ConfChangeAddLearnerNode; before, whenever its context said isLearner',
    source: 'server/etcdserver/api/membership/cluster.go ValidateConfigurationChange',
  },
  {
    id: 'membership-skips-unknown',
    since: ['3.6.1'],
    what: 'a promotion or member update of a member that memory (the backend) no longer holds, reached at or below the consistent index, is skipped; 3.6.0 dereferenced the missing member and panicked',
    source: 'server/etcdserver/api/membership/cluster.go PromoteMember, UpdateRaftAttributes',
  },
  {
    id: 'member-update-peer-urls-only',
    since: ['3.5.31', '3.6.12'],
    what: "a member update changes the peer URLs only, so a learner stays a learner (before, it took the context's isLearner, which etcd's UpdateMember leaves false); 3.6 takes them into memory whatever the consistent index; a member unknown to memory is skipped",
    source: 'server/etcdserver/api/membership/cluster.go UpdateRaftAttributes ("MemberUpdate implicitly and unexpectedly promotes a learner")',
  },
  {
    id: 'v2-snapshot-auth-allowed',
    since: ['3.6.3'],
    what: "the start check of v2-snapshot-meta-only lets through a /2 (the v2 auth store) whose children have no children (/2/enabled, empty /2/users and /2/roles)",
    source: 'server/etcdserver/api/membership/storev2.go IsMetaStoreOnly',
  },
];

/** The newest patch release of each minor series when this table was written (git tags of etcd-io/etcd). */
export const NEWEST_PATCH: Record<string, string> = { '3.4': '3.4.45', '3.5': '3.5.33', '3.6': '3.6.14' };

/** The version assumed while a log has recorded none. */
export const DEFAULT_VERSION = NEWEST_PATCH['3.5'];

type Triple = [number, number, number];

/** Parses X.Y.Z, or X.Y for that minor's newest patch; undefined when it is neither. */
export function parseEtcdVersion(text: string): string | undefined {
  const m = /^v?(\d+)\.(\d+)(?:\.(\d+))?$/.exec(text.trim());
  if (!m) return undefined;
  if (m[3] !== undefined) return `${Number(m[1])}.${Number(m[2])}.${Number(m[3])}`;
  const minor = `${Number(m[1])}.${Number(m[2])}`;
  return NEWEST_PATCH[minor] ?? `${minor}.0`;
}

const triple = (v: string): Triple => {
  const t = v.split('.').map(Number);
  if (t.length !== 3 || t.some((n) => !Number.isInteger(n))) throw new StateError('BAD_VERSION', `not an etcd version X.Y.Z: "${v}"`);
  return t as Triple;
};
const cmp = (a: Triple, b: Triple): number => a[0] - b[0] || a[1] - b[1] || a[2] - b[2];

/** Whether `version` (X.Y.Z) has `rule`. */
export function hasRule(rule: VersionRule, version: string): boolean {
  const v = triple(version);
  const same = rule.since.map(triple).find((s) => s[0] === v[0] && s[1] === v[1]);
  if (same) return cmp(v, same) >= 0;
  // A minor the rule does not list: later than every listed one has it.
  return rule.since.map(triple).every((s) => cmp([v[0], v[1], 0], [s[0], s[1], 0]) > 0);
}

/**
 * The rules in force, following the version: fixed by the caller, or the
 * cluster version the log records (each change noted with the entry index).
 */
export class VersionRules {
  private on = new Set<RuleId>();
  version: string;
  /** Where the version came from. */
  origin: 'flag' | 'log' | 'default';
  /** Each version taken from the log, and the index of the entry (0 for a backend or snapshot) it came from. */
  readonly recorded: Array<{ version: string; index: bigint }> = [];

  constructor(fixed?: string) {
    this.version = fixed ?? DEFAULT_VERSION;
    this.origin = fixed ? 'flag' : 'default';
    this.select();
  }

  has(id: RuleId): boolean {
    return this.on.has(id);
  }

  /** The cluster version etcd recorded ("3.5.0"): its minor's newest patch, unless fixed by the caller. */
  clusterVersion(recorded: string, index: bigint): void {
    if (this.origin === 'flag') return;
    const v = parseEtcdVersion(recorded.split('.').slice(0, 2).join('.'));
    if (v === undefined || v === this.version) {
      if (v !== undefined) this.origin = 'log';
      return;
    }
    this.version = v;
    this.origin = 'log';
    this.recorded.push({ version: v, index });
    this.select();
  }

  /** What replay-to-state reports: the version, where it came from, and each rule in force. */
  toJSON(): { version: string; origin: string; recorded: Array<{ version: string; index: bigint }>; rules: Array<{ id: RuleId; since: string[]; applied: boolean }> } {
    return { version: this.version, origin: this.origin, recorded: this.recorded, rules: VERSION_RULES.map((r) => ({ id: r.id, since: r.since, applied: this.on.has(r.id) })) };
  }

  private select(): void {
    this.on = new Set(VERSION_RULES.filter((r) => hasRule(r, this.version)).map((r) => r.id));
  }
}
