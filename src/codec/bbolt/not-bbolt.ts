/**
 * What a file that is not a bbolt file looks like, for the one-line refusal:
 * bbolt's Open answers such a file with ErrInvalid ("invalid database"), and
 * etcd 3.4 then panics (mvcc/backend/backend.go newBackend). Saying "this is
 * a WAL segment" or "this is text" tells an operator which file went where.
 */
const SNIFF_BYTES = 64;

export function describeNonBbolt(head: Uint8Array, size: number): string {
  if (size === 0) return 'an empty file';
  const b = head.subarray(0, Math.min(head.length, SNIFF_BYTES));
  if (b.every((x) => x === 0)) return `${size} bytes starting with zeros`;
  if (b[0] === 0x1f && b[1] === 0x8b) return `gzip-compressed data (${size} bytes); unpack it first`;
  // A WAL segment begins with a length field and a crc record: walpb.Record field 1 (type) = 4.
  if (b.length >= 10 && b[8] === 0x08 && b[9] === 0x04) return `a WAL segment (${size} bytes, starting with a crc record)`;
  // A .snap file is a snappb.Snapshot: field 1 (crc, varint), then field 2 (data).
  if (b[0] === 0x08 && b.indexOf(0x12, 1) > 0 && b.indexOf(0x12, 1) <= 6) return `a .snap file's shape (snappb envelope, ${size} bytes); read it with \`walt snap show --as snap\``;
  const text = Buffer.from(b).toString('utf8');
  if (!text.includes('\uFFFD') && /^[\t\n\r\x20-\x7e\u00a0-\uffff]*$/.test(text)) {
    const shown = text.length > 40 ? text.slice(0, 40) + '…' : text;
    return `${size} bytes of text (${JSON.stringify(shown)})`;
  }
  return `${size} bytes of unknown data (starting 0x${Buffer.from(b.subarray(0, 8)).toString('hex')})`;
}
