/**
 * Where a restore stops: the state after some entry N, chosen by index, by
 * revision, or as the entry before the first one that deleted a key. One
 * replay to the commit index watches the entries go by and names N and the
 * entry after it (`before`), the first one the restore leaves out.
 *
 *   --at-revision R: the state whose revision is R, with everything applied
 *     until the entry that makes revision R + 1 (leases granted, auth changed
 *     after R's write are in).
 *   --before-delete KEY / --before-delete-prefix P: the state just before the
 *     first entry after which a key live before it (KEY, or under P) is gone:
 *     a delete, a txn's delete, or a lease revoke.
 */
import { decodeNormalEntry, type DecodedRequest } from '../codec/request.js';
import { prefixRangeEnd, refCovers, refTouchesPrefix, requestKeys } from '../codec/request-keys.js';
import { EntryType, type Entry } from '../codec/proto/raftpb.js';
import type { EtcdState } from '../state/index.js';

export type RestorePoint =
  | { kind: 'commit' }
  | { kind: 'index'; index: bigint }
  | { kind: 'revision'; revision: bigint }
  | { kind: 'before-delete'; key: Uint8Array }
  | { kind: 'before-delete-prefix'; prefix: Uint8Array };

/** The first entry a restore leaves out. */
export interface EntryBefore {
  index: bigint;
  term: bigint;
  /** The request kind (codec/request.ts), or 'confChange'. */
  kind: string;
  /** The keys its puts and deletes name. */
  keys: Uint8Array[];
}

function describe(entry: Entry): EntryBefore {
  if (entry.type !== EntryType.EntryNormal) return { index: entry.index, term: entry.term, kind: 'confChange', keys: [] };
  const d: DecodedRequest = decodeNormalEntry(entry.data);
  const keys = requestKeys(d).filter((r) => r.op === 'put' || r.op === 'delete_range').map((r) => Buffer.from(r.key));
  return { index: entry.index, term: entry.term, kind: d.kind, keys };
}

/** Watches applied entries (replay's onApplied) for the point; `index` stays undefined until it is found. */
export class PointFinder {
  index: bigint | undefined;
  before: EntryBefore | undefined;
  private lastRev: bigint | undefined;
  private readonly range: { start: Uint8Array; end: Uint8Array | undefined } | undefined;

  constructor(readonly point: RestorePoint) {
    if (point.kind === 'before-delete') this.range = { start: point.key, end: undefined };
    else if (point.kind === 'before-delete-prefix') this.range = { start: point.prefix, end: prefixRangeEnd(point.prefix) };
    if (point.kind === 'index') this.index = point.index;
  }

  /** Called after each applied entry, with the state after it. */
  applied(state: EtcdState, entry: Entry): void {
    const rev = state.store.currentRev;
    const prev = this.lastRev ?? rev;
    this.lastRev = rev;
    const p = this.point;
    if (p.kind === 'index' && entry.index === p.index + 1n) this.before = describe(entry);
    if (this.before !== undefined || p.kind === 'commit' || p.kind === 'index') return;
    if (p.kind === 'revision') {
      if (rev > p.revision) this.found(entry);
      return;
    }
    if (rev !== prev && this.mayDelete(entry) && this.deletedHere(state, prev)) this.found(entry);
  }

  private found(entry: Entry): void {
    this.index = entry.index - 1n;
    this.before = describe(entry);
  }

  /** A lease revoke, or a delete (in a txn too) whose range meets the watched one: only these can delete a watched key. */
  private mayDelete(entry: Entry): boolean {
    if (entry.type !== EntryType.EntryNormal) return false;
    const d = decodeNormalEntry(entry.data);
    if (d.kind === 'lease_revoke') return true;
    const p = this.point;
    return requestKeys(d).some((r) => r.op === 'delete_range' && (p.kind === 'before-delete-prefix' ? refTouchesPrefix(r, p.prefix) : p.kind === 'before-delete' && refCovers(r, p.key)));
  }

  /** Whether a key in the watched range, live at `prev`, is gone now. */
  private deletedHere(state: EtcdState, prev: bigint): boolean {
    const { start, end } = this.range!;
    return state.range(start, end, { rev: prev }).kvs.some((kv) => state.range(kv.key).count === 0);
  }
}
