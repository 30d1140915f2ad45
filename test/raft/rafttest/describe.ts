/**
 * etcd raft's text forms, as its tests print them: DescribeReady,
 * DescribeMessage, DescribeEntry and friends (raft/util.go),
 * ConfChangesToString and ConfChangesFromString (raftpb/confchange.go),
 * ProgressMap.String (tracker/progress.go), and Go's %q for entry data.
 */
import {
  ConfChangeType,
  EntryType,
  MessageType,
  decodeConfChange,
  decodeConfChangeV2,
  type ConfChangeSingle,
  type ConfState,
  type Entry,
  type HardState,
  type Message,
  type Snapshot,
} from '../../../src/codec/proto/raftpb.js';
import { asV2 } from '../../../src/raft/confchange/confchange.js';
import { stateName, type SoftState } from '../../../src/raft/raft.js';
import type { Ready } from '../../../src/raft/rawnode.js';
import { isEmptySnap } from '../../../src/raft/storage.js';
import type { ProgressMap } from '../../../src/raft/tracker/progress.js';
import { sortBigints } from '../../../src/raft/util.js';

const hex = (n: bigint): string => n.toString(16);

/** Go's strconv.Quote of bytes (fmt %q): printable UTF-8 kept, the rest escaped. */
export function goQuote(b: Uint8Array | undefined): string {
  const bytes = b ?? new Uint8Array(0);
  const named: Record<number, string> = { 7: '\\a', 8: '\\b', 9: '\\t', 10: '\\n', 11: '\\v', 12: '\\f', 13: '\\r', 34: '\\"', 92: '\\\\' };
  let s = '"';
  for (let i = 0; i < bytes.length; ) {
    const c = bytes[i];
    if (c < 0x80) {
      s += named[c] ?? (c >= 0x20 && c < 0x7f ? String.fromCharCode(c) : `\\x${c.toString(16).padStart(2, '0')}`);
      i++;
      continue;
    }
    const len = c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : c >= 0xc0 ? 2 : 0;
    let rune: string | undefined;
    try {
      rune = len > 0 ? new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(i, i + len)) : undefined;
    } catch {
      rune = undefined;
    }
    if (rune !== undefined && rune.length > 0 && /\p{L}|\p{M}|\p{N}|\p{P}|\p{S}/u.test(rune)) {
      s += rune;
      i += len;
    } else {
      s += `\\x${c.toString(16).padStart(2, '0')}`;
      i++;
    }
  }
  return `${s}"`;
}

const typeLetter: Record<ConfChangeType, string> = {
  [ConfChangeType.ConfChangeAddNode]: 'v',
  [ConfChangeType.ConfChangeAddLearnerNode]: 'l',
  [ConfChangeType.ConfChangeRemoveNode]: 'r',
  [ConfChangeType.ConfChangeUpdateNode]: 'u',
};

/** "v1 l2 r3 u4" (raftpb.ConfChangesToString). */
export const confChangesToString = (ccs: readonly ConfChangeSingle[]): string =>
  ccs.map((cc) => `${typeLetter[cc.type] ?? 'unknown'}${cc.nodeId}`).join(' ');

/** The inverse of confChangesToString (raftpb.ConfChangesFromString); throws with Go's message on bad input. */
export function confChangesFromString(s: string): ConfChangeSingle[] {
  const toks = s.trim().split(' ');
  if (toks[0] === '') return [];
  return toks.map((tok) => {
    if (tok.length < 2) throw new Error(`unknown token ${tok}`);
    const type = Object.entries(typeLetter).find(([, l]) => l === tok[0])?.[0];
    if (type === undefined) throw new Error(`unknown input: ${tok}`);
    const id = tok.slice(1);
    if (!/^[0-9]+$/.test(id) || BigInt(id) >= 1n << 64n) throw new Error(`strconv.ParseUint: parsing ${JSON.stringify(id)}: invalid syntax`);
    return { type: Number(type) as ConfChangeType, nodeId: BigInt(id) };
  });
}

export function describeEntry(e: Entry): string {
  const data = e.data ?? new Uint8Array(0);
  let formatted: string;
  switch (e.type) {
    case EntryType.EntryNormal:
      formatted = goQuote(e.data);
      break;
    case EntryType.EntryConfChange:
      formatted = confChangesToString(asV2(decodeConfChange(data)).changes);
      break;
    default:
      formatted = confChangesToString(decodeConfChangeV2(data).changes);
  }
  return `${e.term}/${e.index} ${EntryType[e.type]}${formatted === '' ? '' : ` ${formatted}`}`;
}

export const describeEntries = (ents: readonly Entry[]): string => ents.map((e) => `${describeEntry(e)}\n`).join('');

/** Go's %v of a []uint64. */
const goSlice = (ids: readonly bigint[]): string => `[${ids.join(' ')}]`;

export const describeConfState = (cs: ConfState): string =>
  `Voters:${goSlice(cs.voters)} VotersOutgoing:${goSlice(cs.votersOutgoing)} Learners:${goSlice(cs.learners)} ` +
  `LearnersNext:${goSlice(cs.learnersNext)} AutoLeave:${cs.autoLeave}`;

export const describeSnapshot = (s: Snapshot): string =>
  `Index:${s.metadata.index} Term:${s.metadata.term} ConfState:${describeConfState(s.metadata.confState)}`;

export const describeHardState = (hs: HardState): string => `Term:${hs.term}${hs.vote !== 0n ? ` Vote:${hs.vote}` : ''} Commit:${hs.commit}`;

export const describeSoftState = (ss: SoftState): string => `Lead:${ss.lead} State:${stateName(ss.raftState)}`;

export function describeMessage(m: Message): string {
  let s = `${hex(m.from)}->${hex(m.to)} ${MessageType[m.type]} Term:${m.term} Log:${m.logTerm}/${m.index}`;
  if (m.reject) s += ` Rejected (Hint: ${m.rejectHint})`;
  if (m.commit !== 0n) s += ` Commit:${m.commit}`;
  if (m.entries.length > 0) s += ` Entries:[${m.entries.map(describeEntry).join(', ')}]`;
  if (!isEmptySnap(m.snapshot)) s += ` Snapshot: ${describeSnapshot(m.snapshot!)}`;
  return s;
}

export function describeReady(rd: Ready): string {
  let s = '';
  if (rd.softState !== undefined) s += `${describeSoftState(rd.softState)}\n`;
  if (rd.hardState !== undefined) s += `HardState ${describeHardState(rd.hardState)}\n`;
  if (rd.readStates.length > 0) {
    s += `ReadStates [${rd.readStates.map((r) => `{${r.index} ${goSlice([...r.requestCtx].map(BigInt))}}`).join(' ')}]\n`;
  }
  if (rd.entries.length > 0) s += `Entries:\n${describeEntries(rd.entries)}`;
  if (!isEmptySnap(rd.snapshot)) s += `Snapshot ${describeSnapshot(rd.snapshot!)}\n`;
  if (rd.committedEntries.length > 0) s += `CommittedEntries:\n${describeEntries(rd.committedEntries)}`;
  if (rd.messages.length > 0) s += `Messages:\n${rd.messages.map((m) => `${describeMessage(m)}\n`).join('')}`;
  return s === '' ? '<empty Ready>' : `Ready MustSync=${rd.mustSync}:\n${s}`;
}

/** "id: progress" per line, by ID (tracker.ProgressMap.String). */
export const describeProgressMap = (prs: ProgressMap): string =>
  sortBigints([...prs.keys()])
    .map((id) => `${id}: ${prs.get(id)}\n`)
    .join('');
