/**
 * The second pass: streams the entries that stand after etcd's overwrite rule,
 * using the overwrite points a scan found, so nothing needs to be held back.
 */
import { RecordReader, type RawRecord } from './record-reader.js';
import { RecordType } from './proto/walpb.js';
import { decodeEntry, type Entry } from './proto/raftpb.js';
import type { Segment } from './segment-name.js';
import type { WalScan } from './wal-scan.js';

export interface StandingEntry {
  entry: Entry;
  record: RawRecord;
}

/** Read a little at a time: the entries are rendered while their bytes are still in the cache (a dump on one thread 8% faster than with 4 MB reads). */
const CHUNK_BYTES = 256 << 10;

/** What the second pass needs of a scan. */
export type OverwriteSummary = Pick<WalScan, 'start' | 'overwrites' | 'entryRecords'>;

/**
 * Entries after `scan.start.index` (and from `fromIndex` on), in log order,
 * each final. Entry data are views into the reader's
 * buffer: copy them to keep them.
 */
export function* standingEntries(segments: Segment[], scan: OverwriteSummary, fromIndex = 0n): Generator<StandingEntry> {
  // laterMin[k]: the lowest index overwritten by any overwrite from k on.
  const ow = scan.overwrites;
  const laterMin: bigint[] = new Array(ow.length);
  for (let k = ow.length - 1; k >= 0; k--) laterMin[k] = k + 1 < ow.length && laterMin[k + 1] < ow[k].index ? laterMin[k + 1] : ow[k].index;
  let next = 0;
  let ordinal = 0;
  const reader = new RecordReader(segments, { trustCrc: true, chunkBytes: CHUNK_BYTES });
  try {
    for (let rec = reader.next(); rec; rec = reader.next()) {
      if (rec.type !== RecordType.entry) continue;
      const me = ordinal++;
      if (me >= scan.entryRecords) return;
      while (next < ow.length && ow[next].ordinal <= me) next++;
      const entry = decodeEntry(rec.data ?? new Uint8Array(0));
      if (entry.index <= scan.start.index || entry.index < fromIndex) continue;
      if (next < ow.length && entry.index >= laterMin[next]) continue;
      yield { entry, record: rec };
    }
  } finally {
    reader.close();
  }
}
