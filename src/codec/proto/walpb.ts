/**
 * walpb (proto/etcd/walpb.proto; etcd wal/walpb/record.proto): the WAL record
 * and the snapshot marker written into the WAL. A Record's framing is read
 * and written by hand: it runs once per record of every scan;
 * test/codec/fast-paths.test.ts holds it equal to protobufjs's decoder.
 */
import { ProtoReader, ProtoWriter, WireType, delimitedAt, readPlainVarints, smallVarint, view, type Cursor } from './wire.js';
import { decodeMessage, encodeMessage, spec } from './message.js';
import type { walpb } from './etcd.gen.js';
import { ProtoError } from '../errors.js';

export enum RecordType {
  metadata = 1,
  entry = 2,
  state = 3,
  crc = 4,
  snapshot = 5,
}

export const recordTypeName = (t: number): string => RecordType[t] ?? `type(${t})`;

export interface WalRecord {
  type: number;
  crc: number;
  /** A view into the reader's buffer: copy it to keep it past the next record. */
  data?: Uint8Array;
}

/** The snapshot marker: walpb.Snapshot (conf_state is 3.5's). */
export type WalSnapshot = walpb.Snapshot;

/** Where a record's fields lie, read by readPlainRecord without allocating. */
export interface PlainRecord extends Cursor {
  type: number;
  crc: number;
  /** Where its data starts (it runs to the record's end); -1 when it has none. */
  dataStart: number;
}

/**
 * Reads a walpb.Record (type int64, crc uint32, data bytes) laid out as etcd
 * writes every one: its fields in that order, with a one-byte type. False for
 * anything else, which decodeRecord's general loop reads. Bits of the crc past
 * 32 drop, as gogo's uint32 decoding drops them.
 */
export function readPlainRecord(buf: Uint8Array, start: number, end: number, out: PlainRecord): boolean {
  if (start + 3 > end || buf[start] !== 0x08 || buf[start + 1] >= 0x80 || buf[start + 2] !== 0x10) return false;
  out.pos = start + 3;
  const crc = smallVarint(buf, out, end);
  if (crc < 0) return false;
  out.type = buf[start + 1];
  out.crc = crc >>> 0;
  out.dataStart = -1;
  if (out.pos === end) return true;
  const len = delimitedAt(buf, out, end, 0x1a);
  if (len < 0 || out.pos + len !== end) return false;
  out.dataStart = out.pos;
  return true;
}

const plain: PlainRecord = { pos: 0, type: 0, crc: 0, dataStart: -1 };

/** Decodes a walpb.Record: etcd's own layout directly (this runs once per record of every scan), anything else by the general loop. */
export function decodeRecord(buf: Uint8Array, start: number, end: number): WalRecord {
  if (!readPlainRecord(buf, start, end, plain)) return decodeRecordFields(buf, start, end);
  return { type: plain.type, crc: plain.crc, data: plain.dataStart < 0 ? undefined : view(buf, plain.dataStart, end) };
}

function decodeRecordFields(buf: Uint8Array, start: number, end: number): WalRecord {
  const r = new ProtoReader(buf, start, end);
  const rec: WalRecord = { type: 0, crc: 0, data: undefined };
  while (!r.done()) {
    // gogo's Unmarshal reads a tag as a 64-bit varint and its field number as int32(tag >> 3): one at or
    // below 0 is an "illegal tag", and an end-group wire type is refused; both are corruption, not a torn write.
    const wire = r.uint64();
    const field = Number(BigInt.asIntN(32, wire >> 3n));
    const wireType = Number(wire & 7n);
    if (field <= 0) throw new ProtoError(`illegal tag ${field} in walpb.Record`, r.pos);
    if (wireType === WireType.END_GROUP) throw new ProtoError('an end-group wire type in walpb.Record', r.pos);
    const t = field * 8 + wireType;
    switch (t) {
      case (1 << 3) | WireType.VARINT:
        rec.type = r.int64Number();
        break;
      case (2 << 3) | WireType.VARINT:
        rec.crc = r.uint32();
        break;
      case (3 << 3) | WireType.LEN:
        rec.data = r.bytes();
        break;
      default:
        // gogo's Unmarshal refuses a known field with another wire type ("proto: wrong wireType"), which etcd does not take as torn.
        if (field <= 3) throw new ProtoError(`wrong wire type ${wireType} for field ${['type', 'crc', 'data'][field - 1]} of walpb.Record`, r.pos);
        r.skip(wireType);
    }
  }
  return rec;
}

/** Encodes as gogoproto does: type and crc always, data when present. */
export function encodeRecord(rec: WalRecord): Uint8Array {
  const w = new ProtoWriter(24 + (rec.data?.length ?? 0));
  w.tag(1, WireType.VARINT).uint64(rec.type);
  w.tag(2, WireType.VARINT).uint32(rec.crc);
  if (rec.data !== undefined) w.tag(3, WireType.LEN).bytes(rec.data);
  return w.finish();
}

export const RecordSpec = spec('walpb.Record');
const WalSnapshotSpec = spec('walpb.Snapshot');

export function decodeWalSnapshot(b: Uint8Array): WalSnapshot {
  // etcd 3.5 adds conf_state (field 3) to some: those the generated decoder reads.
  const plain = readPlainVarints(b, 2);
  return plain ? { index: plain[0], term: plain[1] } : decodeMessage<WalSnapshot>(WalSnapshotSpec, b);
}
export const encodeWalSnapshot = (s: WalSnapshot): Uint8Array => encodeMessage(WalSnapshotSpec, s);
