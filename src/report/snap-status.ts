/**
 * `walt snap status FILE`: what `etcdutl snapshot status` prints for a bbolt
 * backend (etcd 3.5 etcdutl/snapshot/v3_snapshot.go Status, printers in
 * etcdutl/etcdutl/printer*.go). After bbolt's own check passes, one CRC-32C
 * runs over every top-level bucket's name and then each of its keys and
 * values in cursor order; the revision is the main revision of the last key
 * of the "key" bucket; the total key count counts the entries of every
 * bucket; the total size is the meta's page high-water mark times the page
 * size (bbolt's Tx.Size), not the file's length.
 */
import { BboltFile, checkBbolt } from '../codec/bbolt/index.js';
import { CodecError } from '../codec/errors.js';
import { crc32c } from '../codec/crc32c.js';

export interface DbStatus {
  hash: number;
  revision: bigint;
  totalKey: number;
  totalSize: number;
}

export function dbStatus(file: string): DbStatus {
  const db = BboltFile.open(file);
  try {
    const findings = checkBbolt(db).findings;
    if (findings.length) {
      const first = findings[0];
      throw new CodecError('BBOLT_CHECK', `bbolt's check finds ${findings.length} error(s), as etcdutl refuses it; the first, on page ${first.page}: ${first.message}`, { file, offset: first.offset });
    }
    let hash = 0;
    let revision = 0n;
    let totalKey = 0;
    const root = db.root();
    for (const b of root.entries()) {
      hash = crc32c(b.key, hash);
      const isKey = b.key.toString('latin1') === 'key';
      for (const e of root.open(b).entries()) {
        hash = crc32c(e.key, hash);
        // A nested bucket's value is nil to bbolt's ForEach.
        if (!e.isBucket) hash = crc32c(e.value, hash);
        // mvcc's bytesToRev: the main revision, big-endian, in the first 8 bytes.
        if (isKey && e.key.length >= 8) revision = e.key.readBigInt64BE(0);
        totalKey++;
      }
    }
    return { hash, revision, totalKey, totalSize: Number(db.meta.pgid) * db.pageSize };
  } finally {
    db.close();
  }
}

/** go-humanize's Bytes: SI units, one decimal below 10, Go's %.0f (round half to even) above. */
export function humanizeBytes(n: number): string {
  if (n < 10) return `${n} B`;
  const units = ['B', 'kB', 'MB', 'GB', 'TB', 'PB', 'EB'];
  const e = Math.floor(Math.log(n) / Math.log(1000));
  const val = Math.floor((n / 1000 ** e) * 10 + 0.5) / 10;
  if (val < 10) return `${val.toFixed(1)} ${units[e]}`;
  const whole = Math.floor(val);
  const rounded = val - whole === 0.5 ? (whole % 2 === 0 ? whole : whole + 1) : Math.round(val);
  return `${rounded} ${units[e]}`;
}

/** etcdutl's one row: hash in hex, revision, total keys, total size. */
export function statusRow(s: DbStatus): string[] {
  return [s.hash.toString(16), String(s.revision), String(s.totalKey), humanizeBytes(s.totalSize)];
}

export const STATUS_HEADER = ['hash', 'revision', 'total keys', 'total size'];

/** olekukonko/tablewriter as etcdutl sets it: upper-case headers centred, cells aligned right. */
export function statusTable(s: DbStatus): string {
  const head = STATUS_HEADER.map((h) => h.toUpperCase());
  const row = statusRow(s);
  const widths = head.map((h, i) => Math.max(h.length, row[i].length));
  const line = '+' + widths.map((w) => '-'.repeat(w + 2)).join('+') + '+';
  const centre = (t: string, w: number) => ' '.repeat(Math.floor((w - t.length) / 2)) + t + ' '.repeat(w - t.length - Math.floor((w - t.length) / 2));
  const cells = (xs: string[]) => '| ' + xs.join(' | ') + ' |';
  return [line, cells(head.map((h, i) => centre(h, widths[i]))), line, cells(row.map((c, i) => c.padStart(widths[i]))), line].join('\n') + '\n';
}

/** Go's json.Marshal of etcdutl's snapshot.Status. */
export const statusJson = (s: DbStatus): string => `{"hash":${s.hash},"revision":${s.revision},"totalKey":${s.totalKey},"totalSize":${s.totalSize}}\n`;

/** etcdutl's fields printer. */
export const statusFields = (s: DbStatus): string => `"Hash" : ${s.hash}\n"Revision" : ${s.revision}\n"Keys" : ${s.totalKey}\n"Size" : ${s.totalSize}\n`;
