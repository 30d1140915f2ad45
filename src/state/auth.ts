/**
 * The v3 auth store (auth/store.go, range_perm_cache.go): users, roles, key
 * permissions, the enabled flag, and the auth revision that every change
 * bumps. Requests carry the auth revision their token was issued at; with
 * auth enabled, one older than the store's is refused at apply time
 * (ErrAuthOldRevision), so a replay must track the revision exactly.
 *
 * Passwords: 3.4 proposes the clear text and each member bcrypt-hashes it
 * with its own salt; 3.5+ proposes the hash. Both are kept (a backend holds
 * only hashes); toJSON shows them only when asked (the secret policy,
 * report/secrets.ts, decides).
 */
import { authpb } from '../codec/proto/bucket-values.js';
import { fail } from './etcd-errors.js';
import { StateError } from './errors.js';
import type { VersionRules } from './version-rules.js';

export const ROOT = 'root';

export import PermissionType = authpb.Permission.Type;

export interface Permission {
  permType: PermissionType;
  /** latin1 (kv.ts); rangeEnd '' for a single key, '\0' for every key from `key` on. */
  key: string;
  rangeEnd: string;
}

export interface AuthUser {
  name: string;
  /** Sorted, as UserGrantRole keeps them. */
  roles: string[];
  /** The clear text a 3.4 request carried. */
  password?: string;
  /** The bcrypt hash from a backend or a 3.5+ request. */
  hashedPassword?: string;
  noPassword: boolean;
}

export interface AuthRole {
  name: string;
  /** Sorted by key, as RoleGrantPermission keeps them. */
  permissions: Permission[];
}

/** Who a request runs as: its header's username and auth_revision. */
export interface AuthInfo {
  username: string;
  revision: bigint;
}

/** [begin, end) with '' as end meaning +infinity (adt.BytesAffineComparable). */
interface Interval {
  begin: string;
  end: string;
}

const affine = (a: string, b: string): number => (a === '' ? (b === '' ? 0 : 1) : b === '' ? -1 : a < b ? -1 : a > b ? 1 : 0);
const intersects = (a: Interval, b: Interval): boolean => affine(a.begin, b.end) < 0 && affine(b.begin, a.end) < 0;

export class AuthStore {
  enabled = false;
  /** NewAuthStore commits revision 1 into a fresh backend. */
  revision = 1n;
  readonly users = new Map<string, AuthUser>();
  readonly roles = new Map<string, AuthRole>();
  private permCache = new Map<string, { read: Interval[]; write: Interval[] }>();

  /** The rules of the etcd version applying (version-rules.ts); without, the newest's. */
  constructor(private readonly rules?: Pick<VersionRules, 'has'>) {}

  /** AuthEnable: needs a root user with the root role; a second enable is a no-op and bumps nothing. */
  enable(): void {
    if (this.enabled) return;
    const root = this.users.get(ROOT);
    if (root === undefined) fail('ErrRootUserNotExist');
    if (!root.roles.includes(ROOT)) fail('ErrRootRoleNotExist');
    this.enabled = true;
  }

  disable(): void {
    if (!this.enabled) return;
    this.enabled = false;
    this.commit();
  }

  userAdd(name: string, password: string, hashedPassword: string, noPassword: boolean): void {
    if (name === '') fail('ErrUserEmpty');
    if (this.users.has(name)) fail('ErrUserAlreadyExist');
    const user: AuthUser = { name, roles: [], noPassword };
    if (!noPassword) {
      if (hashedPassword !== '') user.hashedPassword = hashedPassword;
      else user.password = password;
    }
    this.users.set(name, user);
    this.commit();
  }

  userDelete(name: string): void {
    if (this.enabled && name === ROOT) fail('ErrInvalidAuthMgmt');
    if (!this.users.delete(name)) fail('ErrUserNotFound');
    this.commit();
  }

  userChangePassword(name: string, password: string, hashedPassword: string): void {
    const user = this.users.get(name);
    if (user === undefined) fail('ErrUserNotFound');
    user.password = hashedPassword === '' ? password : undefined;
    user.hashedPassword = hashedPassword === '' ? undefined : hashedPassword;
    this.commit();
  }

  /** A role already granted is a no-op that bumps nothing. */
  userGrantRole(name: string, role: string): void {
    const user = this.users.get(name);
    if (user === undefined) fail('ErrUserNotFound');
    if (role !== ROOT && !this.roles.has(role)) fail('ErrRoleNotFound');
    if (user.roles.includes(role)) return;
    user.roles = [...user.roles, role].sort();
    this.commit();
  }

  userRevokeRole(name: string, role: string): void {
    if (this.enabled && name === ROOT && role === ROOT) fail('ErrInvalidAuthMgmt');
    const user = this.users.get(name);
    if (user === undefined) fail('ErrUserNotFound');
    const roles = user.roles.filter((r) => r !== role);
    if (roles.length === user.roles.length) fail('ErrRoleNotGranted');
    user.roles = roles;
    this.commit();
  }

  roleAdd(name: string): void {
    if (name === '') fail('ErrRoleEmpty');
    if (this.roles.has(name)) fail('ErrRoleAlreadyExist');
    this.roles.set(name, { name, permissions: [] });
    this.commit();
  }

  /** Deletes the role and takes it from every user. */
  roleDelete(name: string): void {
    if (this.enabled && name === ROOT) fail('ErrInvalidAuthMgmt');
    if (!this.roles.delete(name)) fail('ErrRoleNotFound');
    for (const user of this.users.values()) user.roles = user.roles.filter((r) => r !== name);
    this.commit();
  }

  /**
   * Updates the type of a permission on the same range, else adds it and
   * re-sorts by key. etcd's sort.Sort is an insertion sort (stable) for the
   * few permissions a role has; Array.prototype.sort is stable too.
   */
  roleGrantPermission(name: string, perm: Permission | undefined): void {
    const has = (id: 'grant-needs-permission' | 'grant-valid-range') => this.rules?.has(id) ?? true;
    // store.go RoleGrantPermission: both checks come before the role is looked up.
    if (perm === undefined && has('grant-needs-permission')) fail('ErrPermissionNotGiven');
    if (perm !== undefined && has('grant-valid-range') && !isValidPermissionRange(perm.key, perm.rangeEnd)) fail('ErrInvalidAuthMgmt');
    const role = this.roles.get(name);
    if (role === undefined) fail('ErrRoleNotFound');
    // Before the check, etcd read r.Perm.Key of the missing permission: a nil dereference.
    if (perm === undefined) throw new StateError('ETCD_PANIC', `auth: permission grant to role ${JSON.stringify(name)} without a permission`);
    const perms = role.permissions;
    let idx = 0;
    while (idx < perms.length && perms[idx].key < perm.key) idx++;
    if (idx < perms.length && perms[idx].key === perm.key && perms[idx].rangeEnd === perm.rangeEnd) perms[idx].permType = perm.permType;
    else role.permissions = [...perms, { ...perm }].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
    this.commit();
  }

  roleRevokePermission(name: string, key: string, rangeEnd: string): void {
    const role = this.roles.get(name);
    if (role === undefined) fail('ErrRoleNotFound');
    const kept = role.permissions.filter((p) => p.key !== key || p.rangeEnd !== rangeEnd);
    if (kept.length === role.permissions.length) fail('ErrPermissionNotGranted');
    role.permissions = kept;
    this.commit();
  }

  isPutPermitted(info: AuthInfo, key: string): void {
    this.checkOp(info, key, '', PermissionType.WRITE);
  }

  isRangePermitted(info: AuthInfo, key: string, rangeEnd: string): void {
    this.checkOp(info, key, rangeEnd, PermissionType.READ);
  }

  isDeleteRangePermitted(info: AuthInfo, key: string, rangeEnd: string): void {
    this.checkOp(info, key, rangeEnd, PermissionType.WRITE);
  }

  isAdminPermitted(info: AuthInfo): void {
    if (!this.enabled) return;
    if (info.username === '') fail('ErrUserEmpty');
    const user = this.users.get(info.username);
    if (user === undefined) fail('ErrUserNotFound');
    if (!user.roles.includes(ROOT)) fail('ErrPermissionDenied');
  }

  /** IsAdminPermitted(...) == nil: auth off, or a user with the root role (no auth revision check). */
  isAdmin(info: AuthInfo): boolean {
    return !this.enabled || (info.username !== '' && this.users.get(info.username)?.roles.includes(ROOT) === true);
  }

  /** Recover from a backend's auth buckets. */
  restore(state: { enabled: boolean; revision: bigint; users: AuthUser[]; roles: AuthRole[] }): void {
    this.enabled = state.enabled;
    this.revision = state.revision;
    for (const u of state.users) this.users.set(u.name, u);
    for (const r of state.roles) this.roles.set(r.name, r);
    this.permCache.clear();
  }

  /** A withheld password is null beside `redacted: true`; a shown one is the 3.4 clear text or the hash. */
  toJSON(showPasswords = false): unknown {
    const users = [...this.users.values()].map((u) => {
      const password = u.hashedPassword ?? u.password;
      const shown = password === undefined ? {} : showPasswords ? { password } : { password: null, redacted: true };
      return { name: u.name, roles: u.roles, noPassword: u.noPassword || undefined, ...shown };
    });
    const roles = [...this.roles.values()].map((r) => ({
      name: r.name,
      permissions: r.permissions.map((p) => ({ permType: PermissionType[p.permType] ?? p.permType, key: Buffer.from(p.key, 'latin1').toString('base64'), rangeEnd: p.rangeEnd === '' ? undefined : Buffer.from(p.rangeEnd, 'latin1').toString('base64') })),
    }));
    return { enabled: this.enabled, revision: this.revision, users, roles };
  }

  /** commitRevision, and the permission cache refresh every change is followed by. */
  private commit(): void {
    this.revision++;
    this.permCache.clear();
  }

  /** authStore.isOpPermitted. */
  private checkOp(info: AuthInfo, key: string, rangeEnd: string, type: PermissionType): void {
    if (!this.enabled) return;
    if (info.revision === 0n) fail('ErrUserEmpty');
    if (info.revision < this.revision) fail('ErrAuthOldRevision');
    const user = this.users.get(info.username);
    if (user === undefined) fail('ErrPermissionDenied');
    if (user.roles.includes(ROOT)) return;
    const perms = this.permsOf(user);
    const ivls = type === PermissionType.READ ? perms.read : perms.write;
    if (!(rangeEnd === '' ? containsPoint(ivls, key) : containsRange(ivls, key, rangeEnd === '\0' ? '' : rangeEnd))) fail('ErrPermissionDenied');
  }

  /** getMergedPerms: the user's read and write intervals, sorted by begin. */
  private permsOf(user: AuthUser): { read: Interval[]; write: Interval[] } {
    let perms = this.permCache.get(user.name);
    if (perms) return perms;
    perms = { read: [], write: [] };
    for (const roleName of user.roles) {
      for (const p of this.roles.get(roleName)?.permissions ?? []) {
        // A range end "\0" is every key from `key` on; no range end is the key alone.
        const ivl = p.rangeEnd === '' ? { begin: p.key, end: p.key + '\0' } : { begin: p.key, end: p.rangeEnd === '\0' ? '' : p.rangeEnd };
        if (p.permType !== PermissionType.WRITE) perms.read.push(ivl);
        if (p.permType !== PermissionType.READ) perms.write.push(ivl);
      }
    }
    const byBegin = (a: Interval, b: Interval) => affine(a.begin, b.begin);
    perms.read.sort(byBegin);
    perms.write.sort(byBegin);
    this.permCache.set(user.name, perms);
    return perms;
  }
}

/**
 * range_perm_cache.go isValidPermissionRange (3.4.25, 3.5.8): a key, and a
 * range end that is empty, after the key, or "\0" (every key from `key` on).
 */
function isValidPermissionRange(key: string, rangeEnd: string): boolean {
  if (key === '') return false;
  if (rangeEnd === '') return true;
  return key < rangeEnd || rangeEnd === '\0';
}

/** checkKeyPoint: some interval holds the key. */
function containsPoint(ivls: Interval[], key: string): boolean {
  const point = { begin: key, end: key + '\0' };
  return ivls.some((i) => intersects(i, point));
}

/** intervalTree.Contains: the intervals meeting [begin, end) cover it without a gap. */
function containsRange(ivls: Interval[], begin: string, end: string): boolean {
  const want = { begin, end };
  let minBegin: string | undefined;
  let maxEnd = '';
  for (const i of ivls) {
    if (!intersects(i, want)) continue;
    if (minBegin === undefined) {
      minBegin = i.begin;
      maxEnd = i.end;
      continue;
    }
    if (affine(maxEnd, i.begin) < 0) return false;
    if (affine(i.end, maxEnd) > 0) maxEnd = i.end;
  }
  return minBegin !== undefined && affine(maxEnd, end) >= 0 && affine(minBegin, begin) <= 0;
}
