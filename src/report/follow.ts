/**
 * `dump --follow`: after the log as it stands, the entries a running etcd
 * appends, as they become complete on disk. Read-only; etcd's lock is not
 * taken, so this works beside a live member.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { WalFollower } from '../codec/wal-follow.js';
import { RecordType } from '../codec/proto/walpb.js';
import { decodeEntry, type Entry } from '../codec/proto/raftpb.js';
import type { RawRecord } from '../codec/record-reader.js';
import type { DumpPlan } from './dump.js';

export interface FollowOptions {
  intervalMs?: number;
  signal?: AbortSignal;
}

/** `overwrites`: the entry replaces one already printed (a new leader overwrote an uncommitted tail). */
export type FollowedEntry = (entry: Entry, record: RawRecord, overwrites: boolean) => void;

export async function followEntries(plan: DumpPlan, onEntry: FollowedEntry, opts: FollowOptions = {}): Promise<void> {
  const { segmentOrdinal, offset, crc } = plan.scan.endPosition;
  const follower = new WalFollower(plan.paths.walDir, { segment: plan.segments[segmentOrdinal].name, offset, crc });
  let last = plan.scan.lastIndex;
  while (!opts.signal?.aborted) {
    follower.poll((rec) => {
      if (rec.type !== RecordType.entry || !rec.data) return;
      const e = decodeEntry(rec.data);
      onEntry(e, rec, e.index <= last);
      last = e.index;
    });
    try {
      await sleep(opts.intervalMs ?? 250, undefined, { signal: opts.signal });
    } catch {
      return; // aborted
    }
  }
}
