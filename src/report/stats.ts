/**
 * `dump --stats`: where a log's entries and bytes go. Record counts come from
 * every record of the segments read; entry figures from the entries etcd's
 * ReadAll returns (the same ones dump prints), so each breakdown of entries
 * adds up to the entry count.
 */
import { RecordReader } from '../codec/record-reader.js';
import { recordTypeName } from '../codec/proto/walpb.js';
import { entryTypeName, EntryType } from '../codec/proto/raftpb.js';
import { idHex } from '../codec/proto/metadata.js';
import { decodeNormalEntry } from '../codec/request.js';
import { requestKeys } from '../codec/request-keys.js';
import { keyText } from './render.js';
import type { DumpPlan } from './dump.js';
import { selectEntries, type EntrySelection } from './entry-select.js';

export interface Tally {
  count: number;
  bytes: number;
}

export interface LargeEntry {
  index: bigint;
  term: bigint;
  kind: string;
  bytes: number;
  key?: string;
}

export interface DumpStats {
  records: Record<string, Tally>;
  entries: number;
  entryBytes: number;
  byEntryType: Record<string, Tally>;
  byRequestKind: Record<string, Tally>;
  /** Keys written or deleted, by their first `depth` path segments; a request touching several keys counts once per prefix. */
  byKeyPrefix: Record<string, Tally>;
  byLease: Record<string, Tally>;
  byTerm: Record<string, Tally>;
  bySegment: Record<string, Tally>;
  largest: LargeEntry[];
}

export interface StatsOptions {
  /** Path segments of a key that make its prefix. */
  depth: number;
  /** How many of the largest entries to keep. */
  top: number;
}

const add = (m: Record<string, Tally>, k: string, bytes: number) => {
  const t = (m[k] ??= { count: 0, bytes: 0 });
  t.count++;
  t.bytes += bytes;
};

/**
 * "/registry/pods/default/x" at depth 2 → "/registry/pods/"; keys without a
 * leading slash split the same way; a key with no more than `depth` segments
 * is its own prefix. Split on the bytes ('/' is never inside a UTF-8
 * sequence), printed as etcdctl prints keys (keyText).
 */
export function keyPrefix(key: Uint8Array, depth: number): string {
  let end = key[0] === 0x2f ? 1 : 0;
  for (let seen = 0; seen < depth; seen++) {
    const slash = key.indexOf(0x2f, end);
    if (slash < 0) return keyText(key);
    end = slash + 1;
  }
  return keyText(key.subarray(0, end));
}

/** Statistics of the entries `sel` selects (dump's filters), and of every record of the segments read. */
export function collectStats(plan: DumpPlan, sel: EntrySelection, opts: StatsOptions): DumpStats {
  const stats: DumpStats = { records: {}, entries: 0, entryBytes: 0, byEntryType: {}, byRequestKind: {}, byKeyPrefix: {}, byLease: {}, byTerm: {}, bySegment: {}, largest: [] };
  const reader = new RecordReader(plan.segments);
  for (let rec = reader.next(); rec; rec = reader.next()) add(stats.records, recordTypeName(rec.type), 8 + rec.recordBytes + rec.padBytes);
  reader.close();

  for (const { entry, record } of selectEntries(plan, sel)) {
    const bytes = entry.data?.length ?? 0;
    stats.entries++;
    stats.entryBytes += bytes;
    add(stats.byEntryType, entryTypeName(entry.type), bytes);
    add(stats.byTerm, String(entry.term), bytes);
    add(stats.bySegment, record.segment.name, bytes);
    let kind = 'confChange';
    let key: string | undefined;
    if (entry.type === EntryType.EntryNormal) {
      const d = decodeNormalEntry(entry.data);
      kind = d.kind;
      const refs = requestKeys(d);
      key = refs[0] && keyText(refs[0].key);
      for (const p of new Set(refs.filter((r) => r.op !== 'range' && r.op !== 'compare').map((r) => keyPrefix(r.key, opts.depth)))) add(stats.byKeyPrefix, p, bytes);
      const m = d.wire === 'InternalRaftRequest' ? d.message : undefined;
      const lease = m?.put?.lease ?? m?.lease_grant?.ID ?? m?.lease_revoke?.ID;
      if (lease) add(stats.byLease, idHex(BigInt(lease)), bytes);
    }
    add(stats.byRequestKind, kind, bytes);
    insertLargest(stats.largest, { index: entry.index, term: entry.term, kind, bytes, ...(key !== undefined ? { key } : {}) }, opts.top);
  }
  return stats;
}

/** Keeps the `top` largest entries, largest first, without holding the rest. */
function insertLargest(list: LargeEntry[], e: LargeEntry, top: number): void {
  if (list.length === top && list[top - 1].bytes >= e.bytes) return;
  let i = list.length;
  while (i > 0 && list[i - 1].bytes < e.bytes) i--;
  list.splice(i, 0, e);
  if (list.length > top) list.pop();
}
