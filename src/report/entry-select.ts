/**
 * dump's filters, composed: an index range (inclusive at both ends), a term,
 * entry types and request kinds, keys or a key prefix touched by a request
 * (puts, deletes, ranges, txn compares and branches), and a count limit.
 */
import { EntryType } from '../codec/proto/raftpb.js';
import { decodeNormalEntry } from '../codec/request.js';
import { refCovers, refTouchesPrefix, requestKeys } from '../codec/request-keys.js';
import type { StandingEntry } from '../codec/wal-entries.js';
import { dumpEntries, type DumpPlan } from './dump.js';
import type { EntryFilter } from './entry-filter.js';

export interface EntrySelection {
  endIndex?: bigint;
  term?: bigint;
  entryType?: EntryFilter;
  key?: Uint8Array;
  prefix?: Uint8Array;
  limit?: number;
}

/** The selected entries. */
export function* selectEntries(plan: DumpPlan, sel: EntrySelection): Generator<StandingEntry> {
  if (sel.limit === 0) return;
  let n = 0;
  for (const se of dumpEntries(plan)) {
    const e = se.entry;
    if (sel.endIndex !== undefined && e.index > sel.endIndex) return;
    if (sel.term !== undefined && e.term !== sel.term) continue;
    if (sel.entryType && !sel.entryType.accepts(e)) continue;
    if (sel.key || sel.prefix) {
      if (e.type !== EntryType.EntryNormal) continue;
      const refs = requestKeys(decodeNormalEntry(e.data));
      if (sel.key && !refs.some((r) => refCovers(r, sel.key!))) continue;
      if (sel.prefix && !refs.some((r) => refTouchesPrefix(r, sel.prefix!))) continue;
    }
    yield se;
    if (sel.limit !== undefined && ++n >= sel.limit) return;
  }
}
