/**
 * raftpb (proto/etcd/raftpb.proto; etcd raft/raftpb/raft.proto): entries, hard
 * state, conf state, conf changes, snapshots, messages, typed as etcd.gen.ts
 * declares them. An Entry's framing is read by hand (decodeEntry,
 * readPlainEntry): every reader of a WAL reads it for every entry;
 * test/codec/fast-paths.test.ts holds it equal to protobufjs's decoder.
 */
import { ProtoReader, ProtoWriter, WireType, delimitedAt, readPlainVarints, skipVarint, smallVarint, type Cursor } from './wire.js';
import { decodeMessage, encodeMessage, spec, type Encodable } from './message.js';
import { raftpb } from './etcd.gen.js';
import { ProtoError } from '../errors.js';

export import EntryType = raftpb.EntryType;
export import ConfChangeType = raftpb.ConfChangeType;
export import ConfChangeTransition = raftpb.ConfChangeTransition;
export import MessageType = raftpb.MessageType;
export type Entry = raftpb.Entry;
export type HardState = raftpb.HardState;
export type ConfState = raftpb.ConfState;
export type ConfChange = raftpb.ConfChange;
export type ConfChangeSingle = raftpb.ConfChangeSingle;
export type ConfChangeV2 = raftpb.ConfChangeV2;
export type SnapshotMetadata = raftpb.SnapshotMetadata;
export type Snapshot = raftpb.Snapshot;
/** As walt's raft node holds it: the snapshot is set only on MsgSnap (a pointer, as in raft 3.6). */
export type Message = Omit<raftpb.Message, 'snapshot'> & { snapshot?: Snapshot };

export const entryTypeName = (t: number): string => EntryType[t] ?? `EntryType(${t})`;

export const EntrySpec = spec('raftpb.Entry');
export const HardStateSpec = spec('raftpb.HardState');
export const ConfStateSpec = spec('raftpb.ConfState');
const ConfChangeSpec = spec('raftpb.ConfChange');
const ConfChangeV2Spec = spec('raftpb.ConfChangeV2');
const SnapshotSpec = spec('raftpb.Snapshot');

/**
 * Decodes a raftpb.Entry; the hottest decoder in walt, so written out by hand.
 * Without `withData` the data is checked but not kept: a scan that needs only
 * indexes and terms makes no view of it.
 */
export function decodeEntry(buf: Uint8Array, start = 0, end = buf.length, withData = true): Entry {
  const r = new ProtoReader(buf, start, end);
  const e: Entry = { term: 0n, index: 0n, type: EntryType.EntryNormal, data: undefined };
  while (!r.done()) {
    const t = r.tag();
    switch (t) {
      case (1 << 3) | WireType.VARINT:
        e.type = r.int32();
        break;
      case (2 << 3) | WireType.VARINT:
        e.term = r.uint64();
        break;
      case (3 << 3) | WireType.VARINT:
        e.index = r.uint64();
        break;
      case (4 << 3) | WireType.LEN:
        if (withData) e.data = r.bytes();
        else r.delimited();
        break;
      default:
        if (t >>> 3 === 0) throw new ProtoError('field number 0 in raftpb.Entry', r.pos);
        // gogo's Unmarshal refuses a known field with another wire type, and an end-group tag.
        if (t >>> 3 <= 4) throw new ProtoError(`raftpb.Entry: wrong wire type ${t & 7} for field ${['Type', 'Term', 'Index', 'Data'][(t >>> 3) - 1]}`, r.pos);
        if ((t & 7) === WireType.END_GROUP) throw new ProtoError('raftpb.Entry: end-group tag outside a group', r.pos);
        r.skip(t & 7);
    }
  }
  return e;
}

/** An entry's term and index as readPlainEntry reads them. */
export interface PlainEntry extends Cursor {
  term: number;
  index: number;
}

/**
 * Reads an entry's term and index without allocating, from the layout etcd
 * writes: type (one byte), term, index, then data running to the end if
 * there is any. False for any other layout or for a term or index past 49
 * bits, which decodeEntry reads.
 */
export function readPlainEntry(buf: Uint8Array, start: number, end: number, out: PlainEntry): boolean {
  if (start + 3 > end || buf[start] !== 0x08 || buf[start + 1] >= 0x80 || buf[start + 2] !== 0x10) return false;
  out.pos = start + 3;
  const term = smallVarint(buf, out, end);
  if (term < 0 || out.pos >= end || buf[out.pos++] !== 0x18) return false;
  const index = smallVarint(buf, out, end);
  if (index < 0) return false;
  if (out.pos !== end) {
    const len = delimitedAt(buf, out, end, 0x22);
    if (len < 0 || out.pos + len !== end) return false;
  }
  out.term = term;
  out.index = index;
  return true;
}

/** Whether a hard state is laid out as etcd writes it (term, vote, commit, in that order, nothing else): decodeHardState reads it alike. */
export function isPlainHardState(buf: Uint8Array, start: number, end: number, c: Cursor): boolean {
  c.pos = start;
  for (let tag = 0x08; tag <= 0x18; tag += 0x08) {
    if (c.pos >= end || buf[c.pos++] !== tag || !skipVarint(buf, c, end)) return false;
  }
  return c.pos === end;
}

export function encodeEntry(e: Entry): Uint8Array {
  const w = new ProtoWriter(32 + (e.data?.length ?? 0));
  w.tag(1, WireType.VARINT).uint64(e.type);
  w.tag(2, WireType.VARINT).uint64(e.term);
  w.tag(3, WireType.VARINT).uint64(e.index);
  if (e.data !== undefined) w.tag(4, WireType.LEN).bytes(e.data);
  return w.finish();
}

export function decodeHardState(b: Uint8Array): HardState {
  const plain = readPlainVarints(b, 3);
  return plain ? { term: plain[0], vote: plain[1], commit: plain[2] } : decodeMessage<HardState>(HardStateSpec, b);
}
export const encodeHardState = (h: HardState): Uint8Array => encodeMessage(HardStateSpec, h);

export const emptyHardState = (): HardState => ({ term: 0n, vote: 0n, commit: 0n });
export const isEmptyHardState = (h: HardState): boolean => h.term === 0n && h.vote === 0n && h.commit === 0n;

export const emptyConfState = (): ConfState => ({ voters: [], learners: [], votersOutgoing: [], learnersNext: [], autoLeave: false });

export const decodeConfChange = (b: Uint8Array): ConfChange => decodeMessage<ConfChange>(ConfChangeSpec, b);
export const encodeConfChange = (c: Encodable<ConfChange>): Uint8Array => encodeMessage(ConfChangeSpec, c);
export const decodeConfChangeV2 = (b: Uint8Array): ConfChangeV2 => decodeMessage<ConfChangeV2>(ConfChangeV2Spec, b);
export const encodeConfChangeV2 = (c: Encodable<ConfChangeV2>): Uint8Array => encodeMessage(ConfChangeV2Spec, c);
export const decodeSnapshot = (b: Uint8Array): Snapshot => decodeMessage<Snapshot>(SnapshotSpec, b);
export const encodeSnapshot = (s: Snapshot): Uint8Array => encodeMessage(SnapshotSpec, s);
const MessageSpec = spec('raftpb.Message');
export const decodeRaftMessage = (b: Uint8Array): Message => decodeMessage<Message>(MessageSpec, b);
export const encodeRaftMessage = (m: Encodable<Message>): Uint8Array => encodeMessage(MessageSpec, m);
