/**
 * What etcd's raft unit tests (raft_test.go, raft_paper_test.go) build their
 * cases with, for their ports: a raft node on a storage whose conf state
 * names the peers, its outbox, the transitions the Go tests call directly,
 * and message and entry literals with Go's zero values.
 */
import assert from 'node:assert/strict';
import { MessageType, type Entry, type Message } from '../../src/codec/proto/raftpb.js';
import { MemoryStorage, Raft, StateType, type Config } from '../../src/raft/index.js';
import { newMessage } from '../../src/raft/util.js';

export const NONE = 0n;

/** raft_test.go newTestRaft: peers as the voters of the storage's (index 0) snapshot. */
export function newTestRaft(id: bigint, peers: bigint[], election: number, heartbeat: number, storage = new MemoryStorage(), etcdVersion?: Config['etcdVersion']): Raft {
  storage['snap'].metadata.confState.voters = peers;
  return new Raft({ id, electionTick: election, heartbeatTick: heartbeat, storage, maxSizePerMsg: Infinity, maxInflightMsgs: 256, etcdVersion });
}

export const idsBySize = (n: number) => Array.from({ length: n }, (_, i) => BigInt(i + 1));

/** raft.readMessages: what the node sent since the last call. */
export function readMessages(r: Raft): Message[] {
  const msgs = r.msgs;
  r.msgs = [];
  return msgs;
}

export const sorted = (msgs: Message[]) => [...msgs].sort((a, b) => (a.to !== b.to ? (a.to < b.to ? -1 : 1) : a.type - b.type));

/** A pb.Message literal as the Go tests write one: unnamed fields zero. */
export const msg = (m: Partial<Message> & { type: MessageType }): Message => ({ ...newMessage(m.type, m.to ?? NONE), ...m });
export const entry = (e: Partial<Entry>): Entry => ({ term: 0n, index: 0n, type: 0, data: undefined, ...e });

/* The transitions the Go tests call directly (unexported there, private here). */
export const becomeCandidate = (r: Raft) => r['becomeCandidate']();
export const becomeLeader = (r: Raft) => r['becomeLeader']();

/** raft_paper_test.go commitNoopEntry: followers acknowledge the leader's empty entry, which commits and is applied. */
export function commitNoopEntry(r: Raft, s: MemoryStorage): void {
  assert.equal(r.state, StateType.Leader, 'it should only be used when it is the leader');
  r['bcastAppend']();
  for (const m of readMessages(r)) {
    assert.ok(m.type === MessageType.MsgApp && m.entries.length === 1 && m.entries[0].data === undefined, 'not a message to append noop entry');
    r.step(acceptAndReply(m));
  }
  readMessages(r);
  s.append(r.raftLog.unstableEntries());
  r.raftLog.appliedTo(r.raftLog.committed);
  r.raftLog.stableTo(r.raftLog.lastIndex(), r.raftLog.lastTerm());
}

export function acceptAndReply(m: Message): Message {
  assert.equal(m.type, MessageType.MsgApp, 'type should be MsgApp');
  return msg({ from: m.to, to: m.from, term: m.term, type: MessageType.MsgAppResp, index: m.index + BigInt(m.entries.length) });
}
