/**
 * Small helpers shared across the raft package (etcd raft/util.go): message
 * classification, entry sizes, the error base class and a seedable random
 * source for deterministic simulations.
 */
import { MessageType, type ConfState, type Entry, type Message } from '../codec/proto/raftpb.js';

/** The placeholder node ID meaning "no node" (no leader, no vote). */
export const NONE = 0n;

/** Stable codes for every error the raft package throws. */
export type RaftErrorCode =
  | 'COMPACTED'
  | 'SNAP_OUT_OF_DATE'
  | 'UNAVAILABLE'
  | 'SNAPSHOT_TEMPORARILY_UNAVAILABLE'
  | 'PROPOSAL_DROPPED'
  | 'STEP_LOCAL_MSG'
  | 'STEP_PEER_NOT_FOUND'
  | 'INVALID_CONF_CHANGE'
  | 'INVALID_CONFIG'
  | 'INVARIANT';

export class RaftError extends Error {
  readonly code: RaftErrorCode;
  constructor(code: RaftErrorCode, message: string) {
    super(message);
    this.name = new.target.name;
    this.code = code;
  }
}

/** A broken internal invariant: the equivalent of etcd's log.Panicf. */
export function invariant(cond: boolean, message: () => string): asserts cond {
  if (!cond) throw new RaftError('INVARIANT', message());
}

export const isLocalMsg = (t: MessageType): boolean =>
  t === MessageType.MsgHup ||
  t === MessageType.MsgBeat ||
  t === MessageType.MsgUnreachable ||
  t === MessageType.MsgSnapStatus ||
  t === MessageType.MsgCheckQuorum;

export const isResponseMsg = (t: MessageType): boolean =>
  t === MessageType.MsgAppResp ||
  t === MessageType.MsgVoteResp ||
  t === MessageType.MsgHeartbeatResp ||
  t === MessageType.MsgUnreachable ||
  t === MessageType.MsgPreVoteResp;

/** Maps MsgVote/MsgPreVote to the matching response type. */
export function voteRespMsgType(t: MessageType): MessageType {
  if (t === MessageType.MsgVote) return MessageType.MsgVoteResp;
  if (t === MessageType.MsgPreVote) return MessageType.MsgPreVoteResp;
  throw new RaftError('INVARIANT', `not a vote message: ${MessageType[t]}`);
}

/** A message with every field present, in one fixed order so all messages share a shape. */
export function newMessage(type: MessageType, to: bigint): Message {
  return {
    type,
    to,
    from: NONE,
    term: 0n,
    logTerm: 0n,
    index: 0n,
    entries: [],
    commit: 0n,
    snapshot: undefined,
    reject: false,
    rejectHint: 0n,
    context: undefined,
  };
}

/** A message generated on this node rather than received (term 0), attributed to `from`. */
export function localMessage(type: MessageType, from: bigint): Message {
  const m = newMessage(type, NONE);
  m.from = from;
  return m;
}

/** Size of an entry's payload; independent of its index and term (etcd PayloadSize). */
export const payloadSize = (e: Entry): number => (e.data === undefined ? 0 : e.data.length);

export function payloadsSize(ents: readonly Entry[]): number {
  let s = 0;
  for (let i = 0; i < ents.length; i++) s += payloadSize(ents[i]);
  return s;
}

/** Varint length of a uint64, by comparison only: shifting would allocate a bigint per step. */
const sovBig = (v: bigint): number => {
  if (v < 0x80n) return 1;
  if (v < 0x4000n) return 2;
  if (v < 0x20_0000n) return 3;
  if (v < 0x1000_0000n) return 4;
  if (v < 0x8_0000_0000n) return 5;
  if (v < 0x400_0000_0000n) return 6;
  if (v < 0x2_0000_0000_0000n) return 7;
  if (v < 0x100_0000_0000_0000n) return 8;
  return v < 0x8000_0000_0000_0000n ? 9 : 10;
};

const sov = (v: number): number => (v < 0x80 ? 1 : v < 0x4000 ? 2 : v < 0x200000 ? 3 : v < 0x10000000 ? 4 : 5);

/** The protobuf-encoded size of an entry, as gogoproto's Entry.Size() computes it. */
export function entrySize(e: Entry): number {
  let n = 1 + sov(e.type) + 1 + sovBig(e.term) + 1 + sovBig(e.index);
  if (e.data !== undefined) n += 1 + sov(e.data.length) + e.data.length;
  return n;
}

/**
 * The longest prefix of ents whose encoded size does not exceed maxSize, but
 * always at least one entry (etcd limitSize). Infinity means no limit.
 */
export function limitSize(ents: Entry[], maxSize: number): Entry[] {
  if (ents.length <= 1 || maxSize === Infinity) return ents;
  let size = entrySize(ents[0]);
  let limit = 1;
  for (; limit < ents.length; limit++) {
    size += entrySize(ents[limit]);
    if (size > maxSize) break;
  }
  return limit === ents.length ? ents : ents.slice(0, limit);
}

export function bytesEqual(a: Uint8Array | undefined, b: Uint8Array | undefined): boolean {
  const la = a === undefined ? 0 : a.length;
  const lb = b === undefined ? 0 : b.length;
  if (la !== lb) return false;
  for (let i = 0; i < la; i++) if (a![i] !== b![i]) return false;
  return true;
}

export const minBig = (a: bigint, b: bigint): bigint => (a < b ? a : b);
export const maxBig = (a: bigint, b: bigint): bigint => (a > b ? a : b);
export const sortBigints = (ids: bigint[]): bigint[] => ids.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));

/** Whether two ConfStates describe the same configuration, ignoring order (etcd ConfState.Equivalent). */
export function confStatesEquivalent(a: ConfState, b: ConfState): boolean {
  const same = (x: bigint[], y: bigint[]): boolean => {
    if (x.length !== y.length) return false;
    const sx = sortBigints([...x]);
    const sy = sortBigints([...y]);
    return sx.every((v, i) => v === sy[i]);
  };
  return (
    same(a.voters, b.voters) &&
    same(a.learners, b.learners) &&
    same(a.votersOutgoing, b.votersOutgoing) &&
    same(a.learnersNext, b.learnersNext) &&
    a.autoLeave === b.autoLeave
  );
}

/**
 * A seedable PRNG (mulberry32) returning floats in [0, 1), for Config.rand:
 * simulations and tests need election timeouts that replay exactly.
 */
export function seededRand(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
