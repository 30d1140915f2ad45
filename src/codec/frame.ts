/**
 * WAL record framing (etcd wal/encoder.go encodeFrameSize, wal/decoder.go
 * decodeFrameSize): an 8-byte little-endian length field whose low 56 bits are
 * the size of the marshalled record; when its top bit is set, the low 3 bits of
 * the top byte count the zero bytes that pad the record to 8-byte alignment, so
 * that a length field never straddles a torn write.
 */

export const FRAME_HEADER_BYTES = 8;

/** etcd 3.4 refuses records this large (wal/decoder.go maxWALEntrySizeLimit). */
export const MAX_RECORD_BYTES = 10 * 1024 * 1024;

export interface FrameSize {
  recordBytes: number;
  padBytes: number;
}

/** Decodes the length field at `off`; a zero field means the preallocated, unwritten tail. */
export function readFrameSize(buf: Uint8Array, off: number): FrameSize {
  return { recordBytes: frameRecordBytes(buf, off), padBytes: framePadBytes(buf, off) };
}

/** The record size in the length field at `off` (sizes beyond 2^53 are nonsense for a WAL and are caught by the size limit). */
export function frameRecordBytes(buf: Uint8Array, off: number): number {
  const lo = (buf[off] | (buf[off + 1] << 8) | (buf[off + 2] << 16) | (buf[off + 3] << 24)) >>> 0;
  const hi = buf[off + 4] | (buf[off + 5] << 8) | (buf[off + 6] << 16);
  return hi * 0x100000000 + lo;
}

/** The pad count in the length field at `off`: the low 3 bits of its top byte when that byte's high bit is set. */
export function framePadBytes(buf: Uint8Array, off: number): number {
  const top = buf[off + 7];
  return top & 0x80 ? top & 0x7 : 0;
}

export function isZeroLengthField(buf: Uint8Array, off: number): boolean {
  for (let i = 0; i < FRAME_HEADER_BYTES; i++) if (buf[off + i] !== 0) return false;
  return true;
}

export function padFor(recordBytes: number): number {
  return (8 - (recordBytes % 8)) % 8;
}

/** Writes the length field for a record of `recordBytes` at `off`; returns the pad count. */
export function writeFrameSize(buf: Uint8Array, off: number, recordBytes: number): number {
  const pad = padFor(recordBytes);
  const lo = recordBytes % 0x100000000;
  const hi = Math.floor(recordBytes / 0x100000000) | (pad ? (0x80 | pad) << 24 : 0);
  buf[off] = lo & 0xff;
  buf[off + 1] = (lo >>> 8) & 0xff;
  buf[off + 2] = (lo >>> 16) & 0xff;
  buf[off + 3] = (lo >>> 24) & 0xff;
  buf[off + 4] = hi & 0xff;
  buf[off + 5] = (hi >>> 8) & 0xff;
  buf[off + 6] = (hi >>> 16) & 0xff;
  buf[off + 7] = (hi >>> 24) & 0xff;
  return pad;
}
