/**
 * What lies in the bytes a repair drops: the records that can still be framed
 * from the cut on, decoded where they decode, CRCs not checked (the chain
 * broke at the torn record). Only for telling people what a cut loses.
 */
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { FRAME_HEADER_BYTES, MAX_RECORD_BYTES, isZeroLengthField, readFrameSize } from '../codec/frame.js';
import { RecordType, decodeRecord, decodeWalSnapshot, recordTypeName } from '../codec/proto/walpb.js';
import { decodeEntry, decodeHardState, entryTypeName } from '../codec/proto/raftpb.js';
import { idHex } from '../codec/proto/metadata.js';

export interface DroppedRecord {
  /** File offset of the length field. */
  offset: number;
  /** Bytes of the frame that the file holds. */
  bytes: number;
  /** The file holds the whole frame. */
  complete: boolean;
  type?: string;
  entry?: { index: bigint; term: bigint; type: string };
  hardState?: { term: bigint; vote: string; commit: bigint };
  snapshot?: { index: bigint; term: bigint };
  /** Why the record cannot be read, when it cannot. */
  note?: string;
}

/** Past this many, a list of dropped records says nothing more to a person. */
const MAX_LISTED = 1000;

export function readDroppedRecords(path: string, from: number): DroppedRecord[] {
  const fd = openSync(path, 'r');
  try {
    const size = fstatSync(fd).size;
    const out: DroppedRecord[] = [];
    const head = new Uint8Array(FRAME_HEADER_BYTES);
    for (let off = from; off < size && out.length < MAX_LISTED; ) {
      const got = readSync(fd, head, 0, FRAME_HEADER_BYTES, off);
      if (got < FRAME_HEADER_BYTES) {
        out.push({ offset: off, bytes: got, complete: false, note: `the file ends inside the length field (${got} of 8 bytes)` });
        break;
      }
      if (isZeroLengthField(head, 0)) break; // the zeroed, never written part
      const { recordBytes, padBytes } = readFrameSize(head, 0);
      if (recordBytes >= MAX_RECORD_BYTES) {
        out.push({ offset: off, bytes: size - off, complete: false, note: `the length field (${recordBytes} bytes) is not a record's: nothing after it can be framed` });
        break;
      }
      const frameBytes = FRAME_HEADER_BYTES + recordBytes + padBytes;
      if (off + frameBytes > size) {
        out.push({ offset: off, bytes: size - off, complete: false, note: `cut short: ${size - off} of ${frameBytes} bytes` });
        break;
      }
      const body = new Uint8Array(recordBytes);
      readSync(fd, body, 0, recordBytes, off + FRAME_HEADER_BYTES);
      out.push({ offset: off, bytes: frameBytes, complete: true, ...describe(body) });
      off += frameBytes;
    }
    return out;
  } finally {
    closeSync(fd);
  }
}

function describe(body: Uint8Array): Partial<DroppedRecord> {
  let rec;
  try {
    rec = decodeRecord(body, 0, body.length);
  } catch (e) {
    return { note: `does not decode as a record: ${(e as Error).message}` };
  }
  const type = recordTypeName(rec.type);
  const data = rec.data ?? new Uint8Array(0);
  try {
    switch (rec.type) {
      case RecordType.entry: {
        const e = decodeEntry(data);
        return { type, entry: { index: e.index, term: e.term, type: entryTypeName(e.type) } };
      }
      case RecordType.state: {
        const h = decodeHardState(data);
        return { type, hardState: { term: h.term, vote: idHex(h.vote), commit: h.commit } };
      }
      case RecordType.snapshot: {
        const s = decodeWalSnapshot(data);
        return { type, snapshot: { index: s.index, term: s.term } };
      }
      default:
        return { type };
    }
  } catch (e) {
    return { type, note: `its ${type} data does not decode: ${(e as Error).message}` };
  }
}
