/**
 * verify's judgement of what follows etcd's end of the log in the last
 * segment (codec/hidden-tail.ts): etcd 3.4 starts on such a log, reads up to
 * the zero length field, and zeroes the rest when it opens the WAL for
 * writing (wal/wal.go ReadAll, fileutil.ZeroToEnd). Records there that pass
 * their CRCs were written, and usually committed: an error, since the next
 * start of etcd erases them. Other non-zero bytes are a warning.
 */
import { findHiddenTail } from '../codec/hidden-tail.js';
import type { Segment } from '../codec/segment-name.js';
import type { WalScan } from '../codec/wal-scan.js';
import type { Problem } from './problem.js';

export function hiddenTailProblem(scan: WalScan, segments: Segment[]): Problem | undefined {
  if (scan.error || scan.end.kind !== 'eof' || segments.length === 0) return undefined;
  const last = segments.length - 1;
  const summary = scan.segments[last];
  if (!summary) return undefined;
  const end = summary.usedBytes;
  const tail = findHiddenTail(segments[last].path, end, scan.endPosition.segmentOrdinal === last ? scan.endPosition.crc : 0);
  if (!tail) return undefined;
  const copy = 'copy the data dir before etcd starts on it (etcd zeroes everything after the end of its log), and see the records with `walt dump --raw`';
  const r = tail.records;
  if (!r) {
    return {
      severity: 'warning',
      code: 'BYTES_AFTER_END',
      message: `the log ends at byte ${end} (a zero length field), but non-zero bytes follow from byte ${tail.firstNonZero}; no record there passes its CRC. etcd ignores them and zeroes them at start; to look first, ${copy}`,
      file: tail.file,
      offset: tail.firstNonZero,
    };
  }
  const commit = [scan.hardState?.commit, r.commit].reduce<bigint | undefined>((a, b) => (b !== undefined && (a === undefined || b > a) ? b : a), undefined);
  let what = r.count === 1 ? '1 record' : `${r.count} records`;
  if (r.entries) {
    const e = r.entries;
    const committed = commit === undefined ? 'whether committed is unknown' : e.last <= commit ? 'all committed' : e.first <= commit ? `committed up to ${commit}` : `none committed (commit ${commit})`;
    what += ` with entries ${e.first}..${e.last} (${committed}${e.first > scan.lastIndex + 1n ? `; entries ${scan.lastIndex + 1n}..${e.first - 1n} in between are gone` : ''})`;
  } else if (r.commit !== undefined) {
    what += ` (a hard state committing ${r.commit}, beyond the log's ${scan.hardState?.commit ?? 0n})`;
  }
  return {
    severity: 'error',
    code: 'HIDDEN_RECORDS',
    message: `the log ends at byte ${end} (a zero length field, etcd's end of the log) but ${what} ${r.count === 1 ? 'passes its CRC' : 'pass their CRCs'} from byte ${r.offset} to ${r.endOffset}: etcd reads none of them; ${copy}`,
    file: tail.file,
    offset: r.offset,
  };
}
