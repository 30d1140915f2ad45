/**
 * MVCC revisions (etcd mvcc/revision.go): a main revision per write txn and a
 * sub revision per change inside it. In the backend's `key` bucket a revision
 * is the key: 8-byte big-endian main, '_', 8-byte big-endian sub, and a
 * trailing 't' when the change is a delete (kvstore.go markTombstone).
 */
export interface Revision {
  main: bigint;
  sub: bigint;
}

export const REV_BYTES_LEN = 17;
export const MARKED_REV_BYTES_LEN = 18;
const TOMBSTONE_MARK = 0x74; // 't'
const SEPARATOR = 0x5f; // '_'

/** Go's revision.GreaterThan as a three-way compare. */
export function compareRevision(a: Revision, b: Revision): number {
  if (a.main !== b.main) return a.main > b.main ? 1 : -1;
  return a.sub === b.sub ? 0 : a.sub > b.sub ? 1 : -1;
}

export interface RevisionKey extends Revision {
  tombstone: boolean;
}

/** Decodes a `key` bucket key; undefined when it is not one etcd writes. */
export function parseRevisionKey(b: Uint8Array): RevisionKey | undefined {
  if (b.length !== REV_BYTES_LEN && b.length !== MARKED_REV_BYTES_LEN) return undefined;
  if (b[8] !== SEPARATOR) return undefined;
  if (b.length === MARKED_REV_BYTES_LEN && b[17] !== TOMBSTONE_MARK) return undefined;
  const v = new DataView(b.buffer, b.byteOffset, b.length);
  return { main: v.getBigInt64(0), sub: v.getBigInt64(9), tombstone: b.length === MARKED_REV_BYTES_LEN };
}

/** revToBytes, with the tombstone mark appended for a delete (kvstore.go appendMarkTombstone). */
export function revisionKey(rev: Revision, tombstone = false): Buffer {
  return writeRevisionKey(Buffer.alloc(tombstone ? MARKED_REV_BYTES_LEN : REV_BYTES_LEN), rev, tombstone);
}

/** revisionKey into `b`, which is exactly its length (MARKED_REV_BYTES_LEN for a tombstone, else REV_BYTES_LEN); returns `b`. */
export function writeRevisionKey(b: Buffer, rev: Revision, tombstone: boolean): Buffer {
  b.writeBigInt64BE(rev.main, 0);
  b[8] = SEPARATOR;
  b.writeBigInt64BE(rev.sub, 9);
  if (tombstone) b[17] = TOMBSTONE_MARK;
  return b;
}
