/**
 * An etcd backend written from a state, as `etcdctl snapshot save` leaves one:
 * a bbolt file with etcd's buckets and encodings (backend.ts reads the same),
 * and, for a snapshot file, the SHA-256 of everything before it appended
 * (clientv3/snapshot v3_snapshot.go: `snapshot restore` checks it when the
 * size modulo 512 is 32, then truncates it away).
 *
 * Every bucket etcd creates at start is written, empty or not. The `key`
 * bucket streams the kept revisions; the others are small and sorted here.
 */
import { createHash } from 'node:crypto';
import { AtomicFileWriter } from '../codec/atomic-file.js';
import { BboltWriter, type ValueWriter } from '../codec/bbolt/index.js';
import { encodeMessage } from '../codec/proto/message.js';
import { LeaseSpec, RoleSpec, UserSpec } from '../codec/proto/bucket-values.js';
import { keyValueSize, writeKeyValue, type KeyValueFields } from '../codec/proto/key-value.js';
import { AlarmMemberSpec, AlarmType } from './alarm.js';
import { bytesOf } from './kv.js';
import { hashPassword } from './password-hash.js';
import { idString, memberJson, type Member } from './membership.js';
import { MARKED_REV_BYTES_LEN, REV_BYTES_LEN, revisionKey, writeRevisionKey } from './revision.js';
import type { EtcdState } from './apply.js';
import { keptRevisions, type KeptRevision } from './kept-revisions.js';

export interface BackendWriteOptions {
  /** meta's consistent_index: the index of the last entry the state applied. */
  consistentIndex: bigint;
  /** Append the SHA-256 trailer of a snapshot file (not for a data dir's member/snap/db). */
  sha256Trailer: boolean;
  /**
   * A new cluster's members in place of the state's, with no removed members
   * and no cluster version (set again when the new cluster starts), as
   * etcdutl's snapshot restore leaves the backend (3.5 TrimMembershipFromBackend).
   */
  newMembers?: Member[];
  /** etcd's --bcrypt-cost, for the passwords etcd 3.4's log holds in clear text (password-hash.ts). */
  bcryptCost?: number;
}

export interface BackendWriteSummary {
  /** Bytes written, the trailer included. */
  size: number;
  revisions: number;
  leases: number;
  /** Users whose password etcd 3.4's log carried in clear text, written hashed with bcrypt as etcd's apply hashes it. */
  passwordsHashed: string[];
  /** Hex of the trailer, when written. */
  sha256?: string;
}

type Row = readonly [Uint8Array, Uint8Array];

const u64 = (v: bigint): Buffer => {
  const b = Buffer.alloc(8);
  b.writeBigUInt64BE(v);
  return b;
};
const sorted = (rows: Row[]): Row[] => rows.sort((a, b) => Buffer.compare(a[0], b[0]));
const str = (s: string) => Buffer.from(s, 'utf8');

/** A revision's KeyValue, encoded by the tree writer into the page that holds it. */
class KeyValueWriter implements ValueWriter {
  size = 0;
  private kv: KeyValueFields | undefined;

  set(kv: KeyValueFields): void {
    this.kv = kv;
    this.size = keyValueSize(kv);
  }

  writeTo(buf: Buffer, at: number): void {
    writeKeyValue(buf, at, this.kv!);
  }
}

/** The `key` bucket's rows: one row, its key buffers and its value writer, filled in again for each revision. */
function* keyRows(revisions: Iterable<KeptRevision>, count: { n: number }): Generator<readonly [Uint8Array, ValueWriter]> {
  const put = Buffer.alloc(REV_BYTES_LEN);
  const tombstone = Buffer.alloc(MARKED_REV_BYTES_LEN);
  const value = new KeyValueWriter();
  const row: [Uint8Array, ValueWriter] = [put, value];
  for (const r of revisions) {
    count.n++;
    row[0] = writeRevisionKey(r.tombstone ? tombstone : put, r, r.tombstone);
    value.set(r.kv);
    yield row;
  }
}

/**
 * The backend of a member whose state keeps no history (the simulator's): its
 * live keys are all the store holds, deleted ones went with their delete.
 */
export function writeMemberBackend(path: string, state: EtcdState, appliedIndex: bigint): BackendWriteSummary {
  return writeBackend(path, state, keptRevisions(state.store), { consistentIndex: appliedIndex, sha256Trailer: false });
}

/** Writes `state` with `revisions` (kept-revisions.ts) to `path`, which must not exist. */
export function writeBackend(path: string, state: EtcdState, revisions: Iterable<KeptRevision>, opts: BackendWriteOptions): BackendWriteSummary {
  const out = new AtomicFileWriter(path);
  try {
    const summary = writeBuckets(new BboltWriter(out), state, revisions, opts);
    summary.size = out.size;
    if (opts.sha256Trailer) {
      const hash = createHash('sha256');
      const chunk = Buffer.allocUnsafe(1 << 20);
      for (let at = 0; at < out.size; at += chunk.length) hash.update(out.read(at, Math.min(chunk.length, out.size - at), chunk));
      const digest = hash.digest();
      out.write(digest);
      summary.sha256 = digest.toString('hex');
      summary.size = out.size;
    }
    out.commit(true);
    return summary;
  } catch (e) {
    out.abort();
    throw e;
  }
}

function writeBuckets(db: BboltWriter, state: EtcdState, revisions: Iterable<KeptRevision>, opts: BackendWriteOptions): BackendWriteSummary {
  const count = { n: 0 };
  db.bucket(str('key'), keyRows(revisions, count));

  const meta: Row[] = [[str('consistent_index'), u64(opts.consistentIndex)]];
  // Both compaction marks hold the whole revision {compactRev, 0}; equal, so etcd resumes no compaction (kvstore.go restore).
  // A store that keeps no history holds what a compaction at its current revision leaves, and says so.
  const compacted = state.store.keepHistory ? state.store.compactRev : state.store.currentRev;
  if (compacted > 0n) {
    const rev = revisionKey({ main: compacted, sub: 0n });
    meta.push([str('finishedCompactRev'), rev], [str('scheduledCompactRev'), rev]);
  }
  db.bucket(str('meta'), sorted(meta));

  const leases = state.lessor.list();
  db.bucket(str('lease'), sorted(leases.map((l): Row => [u64(l.id), encodeMessage(LeaseSpec, { ID: l.id, TTL: l.ttl, RemainingTTL: l.remainingTTL })])));

  const auth = state.auth;
  db.bucket(str('auth'), sorted([[str('authEnabled'), Buffer.from([auth.enabled ? 1 : 0])], [str('authRevision'), u64(auth.revision)]]));
  const passwordsHashed: string[] = [];
  const users = [...auth.users.values()].map((u): Row => {
    let hash = u.hashedPassword;
    if (hash === undefined && u.password !== undefined && !u.noPassword) {
      hash = hashPassword(u.password, opts.bcryptCost);
      passwordsHashed.push(u.name);
    }
    const password = hash === undefined ? undefined : bytesOf(hash);
    return [str(u.name), encodeMessage(UserSpec, { name: str(u.name), password, roles: u.roles, options: u.noPassword ? { no_password: true } : undefined })];
  });
  db.bucket(str('authUsers'), sorted(users));
  const roles = [...auth.roles.values()].map((r): Row => [
    str(r.name),
    encodeMessage(RoleSpec, { name: str(r.name), keyPermission: r.permissions.map((p) => ({ permType: p.permType, key: bytesOf(p.key), range_end: p.rangeEnd === '' ? undefined : bytesOf(p.rangeEnd) })) }),
  ]);
  db.bucket(str('authRoles'), sorted(roles));

  const cluster = state.cluster;
  const fresh = opts.newMembers;
  db.bucket(str('members'), sorted((fresh ?? cluster.list()).map((m): Row => [str(idString(m.id)), str(memberJson(m))])));
  db.bucket(str('members_removed'), fresh ? [] : sorted([...cluster.removed].map((id): Row => [str(idString(id)), str('removed')])));
  db.bucket(str('cluster'), fresh || cluster.version === undefined ? [] : [[str('clusterVersion'), str(cluster.version)]]);
  const alarms = state.alarms.get(AlarmType.NONE).map((a): Row => [encodeMessage(AlarmMemberSpec, { memberID: a.memberId, alarm: a.alarm }), new Uint8Array(0)]);
  db.bucket(str('alarm'), sorted(alarms));

  db.finish();
  return { size: 0, revisions: count.n, leases: leases.length, passwordsHashed };
}
