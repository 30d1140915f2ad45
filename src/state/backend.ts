/**
 * etcd's buckets in a bbolt backend (`member/snap/db`, `*.snap.db`), decoded:
 * `key` (mvcc/kvstore.go: revision → mvccpb.KeyValue), `meta`
 * (consistent_index, scheduledCompactRev, finishedCompactRev; `term` from 3.5),
 * `lease` (lease/lessor.go: 8-byte big-endian ID → leasepb.Lease), `members`
 * and `members_removed` (membership/store.go: hex ID → member JSON or
 * "removed"), `cluster` (clusterVersion, downgrade), `auth`, `authUsers`, `authRoles`
 * (auth/store.go) and `alarm` (v3alarm: marshalled AlarmMember → empty).
 * A bucket etcd has not created yet reads as empty.
 */
import { BboltFile, type BboltOptions, type Bucket, type BucketEntry } from '../codec/bbolt/index.js';
import { StateError } from './errors.js';
import { decodeMessage, type MessageSpec } from '../codec/proto/message.js';
import { KeyValueSpec, LeaseSpec, RoleSpec, UserSpec, type authpb, type leasepb, type mvccpb } from '../codec/proto/bucket-values.js';
import { parseMemberContext } from '../codec/request.js';
import { latin1 } from './kv.js';
import { parseRevisionKey, REV_BYTES_LEN } from './revision.js';
import type { StoredRevision } from './mvcc.js';
import type { Member } from './membership.js';
import type { AuthRole, AuthUser, Permission } from './auth.js';
import { decodeAlarmMember, type AlarmMember } from './alarm.js';

export interface BackendMeta {
  /** The index of the last entry whose apply wrote the backend's meta (absent in a new backend). */
  consistentIndex?: bigint;
  /** The term of that entry (3.5+). */
  term?: bigint;
  scheduledCompactRev?: bigint;
  finishedCompactRev?: bigint;
}

export interface BackendLease {
  id: bigint;
  ttl: bigint;
  remainingTTL: bigint;
}

export interface BackendAuth {
  enabled: boolean;
  revision: bigint;
  users: AuthUser[];
  roles: AuthRole[];
}

const name = (s: string) => Buffer.from(s);

export class Backend {
  private constructor(private readonly db: BboltFile) {}

  static open(path: string, opts: BboltOptions = {}): Backend {
    return new Backend(BboltFile.open(path, opts));
  }

  get path(): string {
    return this.db.path;
  }

  close(): void {
    this.db.close();
  }

  /** The `key` bucket in revision order; streamed page by page. */
  *revisions(): Generator<StoredRevision> {
    const bucket = this.bucket('key');
    if (bucket === undefined) throw new StateError('BACKEND_NO_KEY_BUCKET', 'no `key` bucket: not an etcd v3 backend', { file: this.path });
    for (const e of bucket.entries()) {
      const rev = parseRevisionKey(e.key);
      if (rev === undefined || e.isBucket) throw this.bad(e, `key bucket key ${e.key.toString('hex')} is not a revision`);
      const m = this.decode<mvccpb.KeyValue>(KeyValueSpec, e);
      yield {
        main: rev.main,
        sub: rev.sub,
        tombstone: rev.tombstone,
        kv: { key: latin1(m.key ?? new Uint8Array()), createRevision: m.create_revision, modRevision: m.mod_revision, version: m.version, value: latin1(m.value ?? new Uint8Array()), lease: m.lease },
      };
    }
  }

  meta(): BackendMeta {
    const b = this.bucket('meta');
    const u64 = (k: string) => {
      const v = b?.get(name(k));
      return v && v.length >= 8 ? v.readBigUInt64BE(0) : undefined;
    };
    // The compaction keys hold a whole revision; only its main part is used (kvstore.go restore).
    const rev = (k: string) => {
      const v = b?.get(name(k));
      return v && v.length === REV_BYTES_LEN ? parseRevisionKey(v)?.main : undefined;
    };
    return { consistentIndex: u64('consistent_index'), term: u64('term'), scheduledCompactRev: rev('scheduledCompactRev'), finishedCompactRev: rev('finishedCompactRev') };
  }

  leases(): BackendLease[] {
    return this.values('lease').map((e) => {
      const m = this.decode<leasepb.Lease>(LeaseSpec, e);
      return { id: m.ID, ttl: m.TTL, remainingTTL: m.RemainingTTL };
    });
  }

  members(): { members: Member[]; removed: bigint[] } {
    const members = this.values('members').map((e): Member => {
      const m = parseMemberContext(e.value);
      if (m === undefined) throw this.bad(e, `member ${e.key.toString()} is not member JSON`);
      return { id: m.id, name: m.name ?? '', peerURLs: m.peerURLs, clientURLs: m.clientURLs ?? [], isLearner: m.isLearner };
    });
    const removed = this.values('members_removed').map((e) => {
      const hex = e.key.toString('latin1');
      if (!/^[0-9a-f]{1,16}$/.test(hex)) throw this.bad(e, `removed member key ${JSON.stringify(hex)} is not a hex ID`);
      return BigInt('0x' + hex);
    });
    return { members, removed };
  }

  clusterVersion(): string | undefined {
    return this.bucket('cluster')?.get(name('clusterVersion'))?.toString('utf8');
  }

  /** The `downgrade` key (3.5+; 3.6 schema/membership.go DowngradeInfoFromBackend): JSON {"target-version", "enabled"}. */
  downgrade(): { enabled: boolean; targetVersion?: string } | undefined {
    const v = this.bucket('cluster')?.get(name('downgrade'));
    if (v === undefined) return undefined;
    let d: { 'target-version'?: unknown; enabled?: unknown };
    try {
      d = JSON.parse(v.toString('utf8'));
    } catch {
      throw new StateError('BACKEND_BAD_RECORD', `the cluster bucket's downgrade is not JSON: ${JSON.stringify(v.toString('utf8'))}`, { file: this.path });
    }
    return d.enabled === true ? { enabled: true, targetVersion: String(d['target-version'] ?? '') } : { enabled: false };
  }

  auth(): BackendAuth {
    const b = this.bucket('auth');
    const enabled = b?.get(name('authEnabled'));
    const revision = b?.get(name('authRevision'));
    const users = this.values('authUsers').map((e): AuthUser => {
      const u = this.decode<authpb.User>(UserSpec, e);
      const hash = u.password ? Buffer.from(u.password).toString('latin1') : undefined;
      return { name: Buffer.from(u.name ?? []).toString('utf8'), roles: u.roles, hashedPassword: hash, noPassword: u.options?.no_password === true };
    });
    const roles = this.values('authRoles').map((e): AuthRole => {
      const r = this.decode<authpb.Role>(RoleSpec, e);
      const permissions = r.keyPermission.map((p): Permission => ({ permType: p.permType, key: latin1(p.key ?? new Uint8Array()), rangeEnd: latin1(p.range_end ?? new Uint8Array()) }));
      return { name: Buffer.from(r.name ?? []).toString('utf8'), permissions };
    });
    // NewAuthStore writes revision 1 into a backend that has none.
    return { enabled: enabled?.length === 1 && enabled[0] === 1, revision: revision && revision.length >= 8 ? revision.readBigUInt64BE(0) : 1n, users, roles };
  }

  alarms(): AlarmMember[] {
    return this.values('alarm').map((e) => {
      try {
        return decodeAlarmMember(e.key);
      } catch (err) {
        throw this.bad(e, `alarm key does not decode as AlarmMember: ${(err as Error).message}`);
      }
    });
  }

  private bucket(n: string): Bucket | undefined {
    return this.db.root().bucket(name(n));
  }

  private values(n: string): BucketEntry[] {
    const b = this.bucket(n);
    return b ? [...b.entries()].filter((e) => !e.isBucket) : [];
  }

  private decode<T>(spec: MessageSpec, e: BucketEntry): T {
    try {
      return decodeMessage<T>(spec, e.value);
    } catch (err) {
      throw this.bad(e, `value does not decode as ${spec.name}: ${(err as Error).message}`);
    }
  }

  private bad(e: BucketEntry, message: string): StateError {
    return new StateError('BACKEND_BAD_RECORD', message, { file: this.path, offset: e.valueOffset });
  }
}
