/**
 * Leases as the lessor applies them (lease/lessor.go): a lease is granted with
 * an ID the leader chose and a TTL raised to the minimum, holds the keys put
 * with it, and its revoke deletes those keys in one write txn, in sorted key
 * order so that every member assigns the same sub revisions. Expiry is not
 * applied here: the leader proposes a revoke when a lease expires, and that
 * revoke is an entry like any other. Remaining TTLs move only with checkpoints
 * (3.4+, --experimental-enable-lease-checkpoint).
 */
import { fail } from './etcd-errors.js';
import type { LeaseAttachments, MvccStore } from './mvcc.js';

/** lessor.go MaxLeaseTTL: 9,000,000,000 seconds. */
export const MAX_LEASE_TTL = 9_000_000_000n;
/**
 * etcdserver/server.go: ceil(1.5 election timeouts) in seconds. With etcd's
 * default --election-timeout=1000 and --heartbeat-interval=100 that is 2.
 */
export const DEFAULT_MIN_LEASE_TTL = 2n;

export interface Lease {
  id: bigint;
  /** The granted TTL, after raising it to the minimum. */
  ttl: bigint;
  /** From the last checkpoint; 0 when none. */
  remainingTTL: bigint;
  /** Attached keys (latin1, see kv.ts). */
  keys: Set<string>;
}

export interface LessorOptions {
  minLeaseTTL?: bigint;
}

export class Lessor implements LeaseAttachments {
  private readonly leases = new Map<bigint, Lease>();
  private readonly itemMap = new Map<string, bigint>();
  readonly minLeaseTTL: bigint;

  constructor(opts: LessorOptions = {}) {
    this.minLeaseTTL = opts.minLeaseTTL ?? DEFAULT_MIN_LEASE_TTL;
  }

  lookup(id: bigint): Lease | undefined {
    return this.leases.get(id);
  }

  /** Every lease, by ID. */
  list(): Lease[] {
    return [...this.leases.values()].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  }

  /** lessor.Grant. ID 0 is ErrLeaseNotFound: the leader replaces 0 with a chosen ID before proposing. */
  grant(id: bigint, ttl: bigint): Lease {
    if (id === 0n) fail('ErrLeaseNotFound');
    if (ttl > MAX_LEASE_TTL) fail('ErrLeaseTTLTooLarge');
    if (this.leases.has(id)) fail('ErrLeaseExists');
    const lease: Lease = { id, ttl: ttl < this.minLeaseTTL ? this.minLeaseTTL : ttl, remainingTTL: 0n, keys: new Set() };
    this.leases.set(id, lease);
    return lease;
  }

  /** lessor.Revoke: deletes the attached keys, sorted, in one write txn of `store`. */
  revoke(id: bigint, store: MvccStore): void {
    const lease = this.leases.get(id);
    if (lease === undefined) fail('ErrLeaseNotFound');
    const txn = store.write();
    for (const key of [...lease.keys].sort()) txn.deleteRange(key, undefined);
    this.leases.delete(id);
    txn.end();
  }

  /** lessor.Checkpoint: sets the remaining TTL; an unknown lease is ignored. */
  checkpoint(id: bigint, remainingTTL: bigint): void {
    const lease = this.leases.get(id);
    if (lease) lease.remainingTTL = remainingTTL;
  }

  /** lessor.initAndRecover: leases from the backend, before the keys are restored and attached. */
  restore(leases: Iterable<{ id: bigint; ttl: bigint; remainingTTL: bigint }>): void {
    for (const l of leases) {
      this.leases.set(l.id, { id: l.id, ttl: l.ttl < this.minLeaseTTL ? this.minLeaseTTL : l.ttl, remainingTTL: l.remainingTTL, keys: new Set() });
    }
  }

  leaseOf(key: string): bigint {
    return this.itemMap.get(key) ?? 0n;
  }

  attach(id: bigint, key: string): boolean {
    const lease = this.leases.get(id);
    if (lease === undefined) return false;
    lease.keys.add(key);
    this.itemMap.set(key, id);
    return true;
  }

  detach(id: bigint, key: string): void {
    const lease = this.leases.get(id);
    if (lease === undefined) return;
    lease.keys.delete(key);
    this.itemMap.delete(key);
  }
}
