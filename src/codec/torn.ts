/**
 * Torn-write detection, etcd's rule (wal/decoder.go isTornEntry): a record in
 * the last segment that fails to decode or to match its CRC is a torn write,
 * not corruption, when any of its pieces, split at 512-byte sector boundaries
 * of the file, is all zero bytes: the disk wrote some sectors of it and not
 * others.
 */

export const SECTOR_BYTES = 512;

/**
 * `body` holds the record's bytes and padding (everything after its length
 * field); `fileOffset` is where `body` starts in the segment file.
 */
export function hasZeroedSector(body: Uint8Array, fileOffset: number): boolean {
  let cur = 0;
  let off = fileOffset;
  while (cur < body.length) {
    const len = Math.min(SECTOR_BYTES - (off % SECTOR_BYTES), body.length - cur);
    let zero = true;
    for (let i = cur; i < cur + len; i++) {
      if (body[i] !== 0) {
        zero = false;
        break;
      }
    }
    if (zero) return true;
    cur += len;
    off += len;
  }
  return false;
}
