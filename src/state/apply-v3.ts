/**
 * The v3 request dispatch of etcd's apply loop (etcdserver/apply.go
 * applierV3backend.Apply, wrapped by apply_auth.go authApplierV3 and, while an
 * alarm is raised, by newApplierV3Capped or newApplierV3Corrupt). Reads are
 * not applied: with no client waiting, as in a replay, etcd skips them
 * (server.go applyEntryNormal, noSideEffect).
 */
import { etcdserverpb, type InternalRaftOp, type InternalRaftRequest } from '../codec/proto/etcdserverpb.js';
import { AlarmType, type AlarmStore } from './alarm.js';
import type { AuthInfo, AuthStore } from './auth.js';
import { fail } from './etcd-errors.js';
import { StateError } from './errors.js';
import { latin1 } from './kv.js';
import { applyDeleteRange, applyPut, applyTxn, checkLeasePuts, type KvContext, type KvResult } from './kv-apply.js';
import type { Lessor } from './lease.js';
import type { RaftCluster } from './membership.js';
import type { MvccStore } from './mvcc.js';
import type { VersionRules } from './version-rules.js';

export interface V3Outcome extends Partial<KvResult> {
  /** Why the request changed nothing by design (a read, a request walt does not model). */
  skipped?: string;
}

/** apply_auth.go needAdminPermission. */
const ADMIN_OPS = new Set<InternalRaftOp>([
  'auth_enable',
  'auth_disable',
  'auth_user_add',
  'auth_user_delete',
  'auth_user_change_password',
  'auth_user_grant_role',
  'auth_user_revoke_role',
  'auth_role_add',
  'auth_role_grant_permission',
  'auth_role_revoke_permission',
  'auth_role_delete',
  'auth_user_list',
  'auth_role_list',
]);

const EMPTY = new Uint8Array();
/** proto3 strings: an absent field decodes as undefined, which etcd reads as "". */
const str = (s: string | undefined): string => s ?? '';

export interface V3Parts {
  store: MvccStore;
  lessor: Lessor;
  auth: AuthStore;
  alarms: AlarmStore;
  cluster: RaftCluster;
  rules: VersionRules;
}

export class V3Applier {
  /** Which applier an alarm put in place: NOSPACE refuses puts and grants, CORRUPT every kv and lease request. */
  mode: 'normal' | 'nospace' | 'corrupt' = 'normal';
  /**
   * An alarm raised while applying replaces the whole applier chain with one
   * built on the bare backend applier, so auth is not checked until it is
   * cleared; on restart the alarm applier wraps the auth one instead.
   */
  checkAuth = true;

  constructor(private readonly s: V3Parts) {}

  /** Mode after loading a backend (server.go restoreAlarms). */
  restoreAlarms(): void {
    this.checkAuth = true;
    this.mode = this.s.alarms.get(AlarmType.CORRUPT).length > 0 ? 'corrupt' : this.s.alarms.get(AlarmType.NOSPACE).length > 0 ? 'nospace' : 'normal';
  }

  /** Applies InternalRaftRequest `req` whose operation is `op`; throws EtcdRequestError where etcd answers with an error. */
  apply(op: InternalRaftOp, req: InternalRaftRequest): V3Outcome {
    const { store, lessor, auth, rules } = this.s;
    const info: AuthInfo = { username: req.header?.username ?? '', revision: req.header?.auth_revision ?? 0n };
    if (this.checkAuth && ADMIN_OPS.has(op)) auth.isAdminPermitted(info);
    const ctx: KvContext = { store, lessor, auth, info, checkAuth: this.checkAuth, rules };
    switch (op) {
      case 'range':
      case 'auth_user_get':
      case 'auth_role_get':
        return { skipped: 'a read with no client waiting is not applied' };
      case 'put':
        this.refuse(true);
        return applyPut(ctx, req.put!);
      case 'delete_range':
        this.refuse(false);
        return applyDeleteRange(ctx, req.delete_range!);
      case 'txn':
        // applierV3Capped.Txn: refused when a put is among its top-level ops (quota cost > 0).
        this.refuse([...req.txn!.success, ...req.txn!.failure].some((o) => o.request_put !== undefined));
        return applyTxn(ctx, req.txn!);
      case 'compaction':
        this.refuse(false);
        store.compact(req.compaction!.revision, rules.has('compaction-keeps-tombstone'));
        return { revision: store.currentRev };
      case 'lease_grant':
        this.refuse(true);
        lessor.grant(req.lease_grant!.ID, req.lease_grant!.TTL);
        return { revision: store.currentRev };
      case 'lease_revoke':
        this.refuse(false);
        if (this.checkAuth) checkLeasePuts(ctx, req.lease_revoke!.ID);
        lessor.revoke(req.lease_revoke!.ID, store);
        return { revision: store.currentRev };
      case 'lease_checkpoint':
        for (const c of req.lease_checkpoint!.checkpoints) lessor.checkpoint(c.ID, c.remaining_TTL);
        return {};
      case 'alarm':
        this.alarm(req.alarm!);
        return {};
      case 'auth_enable':
        auth.enable();
        return {};
      case 'auth_disable':
        auth.disable();
        return {};
      case 'auth_user_add':
        auth.userAdd(str(req.auth_user_add!.name), str(req.auth_user_add!.password), str(req.auth_user_add!.hashedPassword), req.auth_user_add!.options?.no_password === true);
        return {};
      case 'auth_user_delete':
        auth.userDelete(str(req.auth_user_delete!.name));
        return {};
      case 'auth_user_change_password':
        auth.userChangePassword(str(req.auth_user_change_password!.name), str(req.auth_user_change_password!.password), str(req.auth_user_change_password!.hashedPassword));
        return {};
      case 'auth_user_grant_role':
        auth.userGrantRole(str(req.auth_user_grant_role!.user), str(req.auth_user_grant_role!.role));
        return {};
      case 'auth_user_revoke_role':
        auth.userRevokeRole(str(req.auth_user_revoke_role!.name), str(req.auth_user_revoke_role!.role));
        return {};
      case 'auth_role_add':
        auth.roleAdd(str(req.auth_role_add!.name));
        return {};
      case 'auth_role_delete':
        auth.roleDelete(str(req.auth_role_delete!.role));
        return {};
      case 'auth_role_grant_permission': {
        const p = req.auth_role_grant_permission!.perm;
        auth.roleGrantPermission(str(req.auth_role_grant_permission!.name), p && { permType: p.permType ?? 0, key: latin1(p.key ?? EMPTY), rangeEnd: latin1(p.range_end ?? EMPTY) });
        return {};
      }
      case 'auth_role_revoke_permission':
        auth.roleRevokePermission(str(req.auth_role_revoke_permission!.role), latin1(req.auth_role_revoke_permission!.key ?? EMPTY), latin1(req.auth_role_revoke_permission!.range_end ?? EMPTY));
        return {};
      case 'authenticate':
      case 'auth_status':
      case 'auth_user_list':
      case 'auth_role_list':
        // Authenticate only issues a token, held in memory; the others read.
        return {};
      case 'cluster_version_set':
      case 'cluster_member_attr_set':
      case 'downgrade_info_set':
        return this.applyMembership(op, req);
      case 'downgrade_version_test':
        return { skipped: 'a test request of downgrade (3.6), which changes nothing' };
      case 'v2':
        throw new StateError('ETCD_PANIC', 'a v2 request reached the v3 applier');
    }
  }

  /**
   * The membership requests of 3.5+ (apply.go applierV3backend.Apply): applied
   * before, and whatever, the consistent index says, as they change the
   * member's in-memory cluster (the backend only above it). etcd 3.4 does not
   * know these fields and applies nothing.
   */
  applyMembership(op: 'cluster_version_set' | 'cluster_member_attr_set' | 'downgrade_info_set', req: InternalRaftRequest): V3Outcome {
    const { cluster, rules } = this.s;
    if (!rules.has('membership-v3-requests')) return { skipped: `etcd ${rules.version} does not know ${op}` };
    if (op === 'cluster_version_set') cluster.setVersion(str(req.cluster_version_set!.ver));
    else if (op === 'cluster_member_attr_set') {
      const m = req.cluster_member_attr_set!;
      cluster.updateAttributes(m.member_ID, str(m.member_attributes?.name), m.member_attributes?.client_urls ?? []);
    } else {
      // DowngradeInfoSet: a target version only while enabled.
      const d = req.downgrade_info_set!;
      cluster.downgrade = d.enabled ? { enabled: true, targetVersion: str(d.ver) } : { enabled: false };
    }
    return {};
  }

  /** The capped and corrupt appliers' refusals; `writes` says whether the nospace applier refuses this one. */
  private refuse(writes: boolean): void {
    if (this.mode === 'corrupt') fail('ErrCorrupt');
    if (this.mode === 'nospace' && writes) fail('ErrNoSpace');
  }

  /** applierV3backend.Alarm. */
  private alarm(a: etcdserverpb.AlarmRequest): void {
    const alarm = a.alarm;
    if (a.action === etcdserverpb.AlarmRequest.AlarmAction.ACTIVATE) {
      if (!this.s.alarms.activate(a.memberID, alarm)) return;
      if (alarm === AlarmType.NOSPACE || alarm === AlarmType.CORRUPT) {
        this.mode = alarm === AlarmType.NOSPACE ? 'nospace' : 'corrupt';
        this.checkAuth = false;
      }
    } else if (a.action === etcdserverpb.AlarmRequest.AlarmAction.DEACTIVATE) {
      if (!this.s.alarms.deactivate(a.memberID, alarm)) return;
      if (alarm === AlarmType.NOSPACE || alarm === AlarmType.CORRUPT) {
        this.mode = 'normal';
        this.checkAuth = true;
      }
    }
  }
}
