/**
 * The WAL record encoder (etcd wal/encoder.go): keeps the running CRC-32C,
 * stores it in each record, and frames the record with its length field and
 * padding to 8-byte alignment.
 */
import { crc32c } from './crc32c.js';
import { FRAME_HEADER_BYTES, padFor, writeFrameSize } from './frame.js';
import { encodeRecord, RecordType } from './proto/walpb.js';

export class RecordEncoder {
  /** The running CRC after the last record encoded. */
  crc: number;

  constructor(prevCrc = 0) {
    this.crc = prevCrc >>> 0;
  }

  /** A framed record. A crc record stores the running CRC and adds nothing to it, as etcd's saveCrc does. */
  encode(type: RecordType | number, data?: Uint8Array): Uint8Array {
    if (data && data.length > 0) this.crc = crc32c(data, this.crc);
    const rec = encodeRecord({ type, crc: this.crc, data });
    const pad = padFor(rec.length);
    const out = new Uint8Array(FRAME_HEADER_BYTES + rec.length + pad);
    writeFrameSize(out, 0, rec.length);
    out.set(rec, FRAME_HEADER_BYTES);
    return out;
  }
}
