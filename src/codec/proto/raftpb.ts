/**
 * raftpb (etcd raft/raftpb/raft.proto, proto2 with gogoproto non-nullable
 * fields): entries, hard state, conf state, conf changes, snapshots, messages.
 * Entry and HardState are hand-coded: they are on the hot path of every reader.
 */
import { ProtoReader, ProtoWriter, WireType, delimitedAt, skipVarint, smallVarint, type Cursor } from './wire.js';
import { decodeMessage, encodeMessage, fields, type MessageSpec } from './schema.js';
import { ProtoError } from '../errors.js';

export enum EntryType {
  EntryNormal = 0,
  EntryConfChange = 1,
  EntryConfChangeV2 = 2,
}

export const entryTypeName = (t: number): string => EntryType[t] ?? `EntryType(${t})`;

export interface Entry {
  term: bigint;
  index: bigint;
  type: EntryType;
  /** undefined when the entry carries no data field (a leader's empty entry). */
  data?: Uint8Array;
}

export interface HardState {
  term: bigint;
  vote: bigint;
  commit: bigint;
}

export interface ConfState {
  voters: bigint[];
  learners: bigint[];
  votersOutgoing: bigint[];
  learnersNext: bigint[];
  autoLeave: boolean;
}

export enum ConfChangeType {
  ConfChangeAddNode = 0,
  ConfChangeRemoveNode = 1,
  ConfChangeUpdateNode = 2,
  ConfChangeAddLearnerNode = 3,
}

export enum ConfChangeTransition {
  ConfChangeTransitionAuto = 0,
  ConfChangeTransitionJointImplicit = 1,
  ConfChangeTransitionJointExplicit = 2,
}

export interface ConfChange {
  id: bigint;
  type: ConfChangeType;
  nodeId: bigint;
  context?: Uint8Array;
}

export interface ConfChangeSingle {
  type: ConfChangeType;
  nodeId: bigint;
}

export interface ConfChangeV2 {
  transition: ConfChangeTransition;
  changes: ConfChangeSingle[];
  context?: Uint8Array;
}

export interface SnapshotMetadata {
  confState: ConfState;
  index: bigint;
  term: bigint;
}

export interface Snapshot {
  data?: Uint8Array;
  metadata: SnapshotMetadata;
}

export enum MessageType {
  MsgHup = 0,
  MsgBeat = 1,
  MsgProp = 2,
  MsgApp = 3,
  MsgAppResp = 4,
  MsgVote = 5,
  MsgVoteResp = 6,
  MsgSnap = 7,
  MsgHeartbeat = 8,
  MsgHeartbeatResp = 9,
  MsgUnreachable = 10,
  MsgSnapStatus = 11,
  MsgCheckQuorum = 12,
  MsgTransferLeader = 13,
  MsgTimeoutNow = 14,
  MsgReadIndex = 15,
  MsgReadIndexResp = 16,
  MsgPreVote = 17,
  MsgPreVoteResp = 18,
  // 19–22 are the async-storage messages of raft 3.6, which walt's node does not use.
  MsgForgetLeader = 23,
}

export interface Message {
  type: MessageType;
  to: bigint;
  from: bigint;
  term: bigint;
  logTerm: bigint;
  index: bigint;
  entries: Entry[];
  commit: bigint;
  snapshot?: Snapshot;
  reject: boolean;
  rejectHint: bigint;
  context?: Uint8Array;
}

const u64always = { always: true } as const;

export const EntrySpec: MessageSpec = {
  name: 'raftpb.Entry',
  fields: fields([1, 'type', 'enum', u64always], [2, 'term', 'uint64', u64always], [3, 'index', 'uint64', u64always], [4, 'data', 'bytes']),
};

export const ConfStateSpec: MessageSpec = {
  name: 'raftpb.ConfState',
  fields: fields(
    [1, 'voters', 'uint64', { repeated: true }],
    [2, 'learners', 'uint64', { repeated: true }],
    [3, 'votersOutgoing', 'uint64', { repeated: true }],
    [4, 'learnersNext', 'uint64', { repeated: true }],
    [5, 'autoLeave', 'bool', u64always],
  ),
};

export const SnapshotMetadataSpec: MessageSpec = {
  name: 'raftpb.SnapshotMetadata',
  fields: fields([1, 'confState', 'message', { msg: () => ConfStateSpec, always: true }], [2, 'index', 'uint64', u64always], [3, 'term', 'uint64', u64always]),
};

export const SnapshotSpec: MessageSpec = {
  name: 'raftpb.Snapshot',
  fields: fields([1, 'data', 'bytes'], [2, 'metadata', 'message', { msg: () => SnapshotMetadataSpec, always: true }]),
};

export const ConfChangeSpec: MessageSpec = {
  name: 'raftpb.ConfChange',
  fields: fields([1, 'id', 'uint64', u64always], [2, 'type', 'enum', u64always], [3, 'nodeId', 'uint64', u64always], [4, 'context', 'bytes']),
};

export const ConfChangeSingleSpec: MessageSpec = {
  name: 'raftpb.ConfChangeSingle',
  fields: fields([1, 'type', 'enum', u64always], [2, 'nodeId', 'uint64', u64always]),
};

export const ConfChangeV2Spec: MessageSpec = {
  name: 'raftpb.ConfChangeV2',
  fields: fields(
    [1, 'transition', 'enum', u64always],
    [2, 'changes', 'message', { repeated: true, msg: () => ConfChangeSingleSpec }],
    [3, 'context', 'bytes'],
  ),
};

export const RaftMessageSpec: MessageSpec = {
  name: 'raftpb.Message',
  fields: fields(
    [1, 'type', 'enum', u64always],
    [2, 'to', 'uint64', u64always],
    [3, 'from', 'uint64', u64always],
    [4, 'term', 'uint64', u64always],
    [5, 'logTerm', 'uint64', u64always],
    [6, 'index', 'uint64', u64always],
    [7, 'entries', 'message', { repeated: true, msg: () => EntrySpec }],
    [8, 'commit', 'uint64', u64always],
    [9, 'snapshot', 'message', { msg: () => SnapshotSpec, always: true }],
    [10, 'reject', 'bool', u64always],
    [11, 'rejectHint', 'uint64', u64always],
    [12, 'context', 'bytes'],
  ),
};

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

export function decodeHardState(buf: Uint8Array): HardState {
  return decodeMessage(HardStateSpec, buf) as HardState;
}

export const HardStateSpec: MessageSpec = {
  name: 'raftpb.HardState',
  fields: fields([1, 'term', 'uint64', u64always], [2, 'vote', 'uint64', u64always], [3, 'commit', 'uint64', u64always]),
};

export function encodeHardState(h: HardState): Uint8Array {
  return encodeMessage(HardStateSpec, h);
}

export const emptyHardState = (): HardState => ({ term: 0n, vote: 0n, commit: 0n });
export const isEmptyHardState = (h: HardState): boolean => h.term === 0n && h.vote === 0n && h.commit === 0n;

export const emptyConfState = (): ConfState => ({ voters: [], learners: [], votersOutgoing: [], learnersNext: [], autoLeave: false });

export const decodeConfState = (b: Uint8Array): ConfState => decodeMessage(ConfStateSpec, b) as ConfState;
export const encodeConfState = (c: ConfState): Uint8Array => encodeMessage(ConfStateSpec, c);
export const decodeConfChange = (b: Uint8Array): ConfChange => decodeMessage(ConfChangeSpec, b) as ConfChange;
export const encodeConfChange = (c: ConfChange): Uint8Array => encodeMessage(ConfChangeSpec, c);
export const decodeConfChangeV2 = (b: Uint8Array): ConfChangeV2 => decodeMessage(ConfChangeV2Spec, b) as ConfChangeV2;
export const encodeConfChangeV2 = (c: ConfChangeV2): Uint8Array => encodeMessage(ConfChangeV2Spec, c);
export const decodeSnapshot = (b: Uint8Array): Snapshot => decodeMessage(SnapshotSpec, b) as Snapshot;
export const encodeSnapshot = (s: Snapshot): Uint8Array => encodeMessage(SnapshotSpec, s);
export const decodeRaftMessage = (b: Uint8Array): Message => decodeMessage(RaftMessageSpec, b) as Message;
export const encodeRaftMessage = (m: Message): Uint8Array => encodeMessage(RaftMessageSpec, m);
