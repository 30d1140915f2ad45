/**
 * v2 store requests as etcd applies them (etcdserver/apply_v2.go
 * applierV2store): POST creates a unique child, PUT chooses between create,
 * update, compare-and-swap and set from PrevExist/PrevIndex/PrevValue,
 * DELETE between delete and compare-and-delete, QGET reads, SYNC expires TTL
 * keys. Two PUT paths are not v2 keys at all but 3.4's membership publishing:
 * /0/members/<id>/attributes and /0/version go to the cluster. etcd 3.6
 * applies those two only, and panics on any other (v2-membership-only).
 */
import type { V2Request } from '../codec/proto/etcdserverpb.js';
import { fail } from './etcd-errors.js';
import { StateError } from './errors.js';
import { CLUSTER_VERSION_PATH, type RaftCluster } from './membership.js';
import type { V2Store } from './v2store.js';
import type { VersionRules } from './version-rules.js';

/** apply_v2.go storeMemberAttributeRegexp, unanchored as etcd's is. */
const MEMBER_ATTRIBUTES = /\/0\/members\/[0-9A-Fa-f]{1,16}\/attributes/;

/** Applies a v2 Request; `v2` undefined means the store's state is unknown, so only membership is applied. */
export function applyV2Request(v2: V2Store | undefined, cluster: RaftCluster, r: V2Request, rules: VersionRules): void {
  // gogo writes every non-nullable field, but an absent one reads as Go's zero value.
  const path: string = r.Path ?? '';
  const val: string = r.Val ?? '';
  if (rules.has('v2-membership-only')) return applyAsMembership(cluster, r.Method ?? '', path, val);
  // RequestV2.TTLOptions: Expiration is Unix nanoseconds, 0 for none.
  const expire: bigint = r.Expiration;
  const refresh = r.Refresh === true;
  const prevIndex: bigint = r.PrevIndex;
  const prevValue: string = r.PrevValue ?? '';
  switch (r.Method) {
    case 'POST':
      return v2?.create(path, r.Dir, val, true, expire);
    case 'PUT':
      if (r.PrevExist !== undefined) {
        if (!r.PrevExist) return v2?.create(path, r.Dir, val, false, expire);
        if (prevIndex === 0n && prevValue === '') return v2?.update(path, val, expire, refresh);
        return v2?.compareAndSwap(path, prevValue, prevIndex, val, expire, refresh);
      }
      if (prevIndex > 0n || prevValue !== '') return v2?.compareAndSwap(path, prevValue, prevIndex, val, expire, refresh);
      if (MEMBER_ATTRIBUTES.test(path)) return publishAttributes(cluster, path, val);
      if (path === CLUSTER_VERSION_PATH) return cluster.setVersion(val);
      return v2?.set(path, r.Dir, val, expire, refresh);
    case 'DELETE':
      if (prevIndex > 0n || prevValue !== '') return v2?.compareAndDelete(path, prevValue, prevIndex);
      return v2?.delete(path, r.Dir, r.Recursive);
    case 'QGET':
      v2?.get(path, r.Recursive, r.Sorted);
      return;
    case 'SYNC':
      return v2?.deleteExpiredKeys(r.Time);
    default:
      fail('V2UnknownMethod', r.Method);
  }
}

/**
 * etcd 3.6's v2ToV3Request (apply_v2.go): a PUT of a member's attributes is
 * cluster_member_attr_set and a PUT of /0/version cluster_version_set, their
 * prev conditions ignored (both apply whatever the consistent index, as
 * those requests do); any other v2 request panics.
 */
function applyAsMembership(cluster: RaftCluster, method: string, path: string, val: string): void {
  if (method === 'PUT' && MEMBER_ATTRIBUTES.test(path)) return publishAttributes(cluster, path, val);
  if (method === 'PUT' && path === CLUSTER_VERSION_PATH) return cluster.setVersion(val);
  throw new StateError('ETCD_PANIC', `detected disallowed v2 WAL for stage --v2-deprecation=write-only: ${method} ${JSON.stringify(path)} (etcd 3.6 applies v2 requests only as membership)`);
}

/** The member's ID is the path's directory's base name (MustParseMemberIDFromKey of path.Dir). */
function publishAttributes(cluster: RaftCluster, path: string, val: string): void {
  const dir = path.slice(0, path.lastIndexOf('/'));
  const attrs = parseAttributes(val);
  cluster.updateAttributes(BigInt('0x' + dir.slice(dir.lastIndexOf('/') + 1)), attrs.name ?? '', attrs.clientURLs ?? []);
}

/** etcd panics when the published attributes are not JSON. */
function parseAttributes(val: string): { name?: string; clientURLs?: string[] } {
  try {
    return JSON.parse(val);
  } catch {
    throw new StateError('ETCD_PANIC', `member attributes are not JSON: ${JSON.stringify(val)}`);
  }
}
