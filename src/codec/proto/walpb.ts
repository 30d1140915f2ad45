/**
 * walpb (etcd wal/walpb/record.proto): the WAL record and the snapshot marker
 * written into the WAL. walpb.Snapshot gained conf_state in etcd 3.5.
 */
import { ProtoReader, ProtoWriter, WireType } from './wire.js';
import { decodeMessage, encodeMessage, fields, type MessageSpec } from './schema.js';
import { ConfStateSpec, type ConfState } from './raftpb.js';
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

export interface WalSnapshot {
  index: bigint;
  term: bigint;
  confState?: ConfState;
}

/**
 * Decodes a walpb.Record (type int64, crc uint32, data bytes). Every record
 * etcd writes has its fields in that order with a one-byte type: that layout
 * is read directly (this runs once per record of every scan), and anything
 * else by the general loop.
 */
export function decodeRecord(buf: Uint8Array, start: number, end: number): WalRecord {
  let p = start + 3;
  if (p > end || buf[start] !== 0x08 || buf[start + 1] >= 0x80 || buf[start + 2] !== 0x10) return decodeRecordFields(buf, start, end);
  // Varints with shifts, not powers (several times faster); bits past 32 drop, as gogo's uint32 decoding drops them.
  let crc = 0;
  let b = 0;
  let shift = 0;
  do {
    if (p >= end || shift > 28) return decodeRecordFields(buf, start, end);
    b = buf[p++];
    crc |= (b & 0x7f) << shift;
    shift += 7;
  } while (b >= 0x80);
  crc >>>= 0;
  if (p === end) return { type: buf[start + 1], crc, data: undefined };
  if (buf[p++] !== 0x1a) return decodeRecordFields(buf, start, end);
  let len = 0;
  shift = 0;
  do {
    if (p >= end || shift > 28) return decodeRecordFields(buf, start, end);
    b = buf[p++];
    len |= (b & 0x7f) << shift;
    shift += 7;
  } while (b >= 0x80);
  // A length of 2^31 or more comes out negative here and goes the general way, which refuses it.
  if (len < 0 || p + len !== end) return decodeRecordFields(buf, start, end);
  return { type: buf[start + 1], crc, data: buf.subarray(p, end) };
}

function decodeRecordFields(buf: Uint8Array, start: number, end: number): WalRecord {
  const r = new ProtoReader(buf, start, end);
  const rec: WalRecord = { type: 0, crc: 0, data: undefined };
  while (!r.done()) {
    const t = r.tag();
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
        if (t >>> 3 === 0) throw new ProtoError('field number 0 in walpb.Record', r.pos);
        r.skip(t & 7);
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

export const WalSnapshotSpec: MessageSpec = {
  name: 'walpb.Snapshot',
  fields: fields([1, 'index', 'uint64', { always: true }], [2, 'term', 'uint64', { always: true }], [3, 'confState', 'message', { msg: () => ConfStateSpec }]),
};

export const decodeWalSnapshot = (b: Uint8Array): WalSnapshot => decodeMessage(WalSnapshotSpec, b) as WalSnapshot;
export const encodeWalSnapshot = (s: WalSnapshot): Uint8Array => encodeMessage(WalSnapshotSpec, s);
