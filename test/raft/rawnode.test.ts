/**
 * The RawNode API: bootstrap, Ready/advance, restart from storage, conf change
 * encodings, errors, status, and every message type surviving the raftpb wire
 * encoding (with 64-bit member IDs).
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  ConfChangeType,
  EntryType,
  MessageType,
  decodeConfChange,
  decodeConfChangeV2,
  decodeRaftMessage,
  encodeRaftMessage,
  type Message,
} from '../../src/codec/proto/raftpb.js';
import {
  ErrStepLocalMsg,
  ErrStepPeerNotFound,
  MemoryStorage,
  ProgressStateType,
  RawNode,
  ReadOnlyOption,
  StateType,
  isEmptySnap,
  type Ready,
} from '../../src/raft/index.js';
import { Network, bytes, confChange, str } from './network.js';
import { newMessage } from '../../src/raft/util.js';

const newNode = (storage = new MemoryStorage(), applied?: bigint) =>
  new RawNode({ id: 1n, electionTick: 10, heartbeatTick: 1, storage, applied });

/** A one-node cluster, bootstrapped and leader, with everything persisted. */
function soleLeader(): { storage: MemoryStorage; rn: RawNode } {
  const storage = new MemoryStorage();
  const rn = newNode(storage);
  rn.bootstrap([{ id: 1n }]);
  drain(rn, storage);
  rn.campaign();
  drain(rn, storage);
  return { storage, rn };
}

/** Persists and "applies" one Ready the way an application does. */
function handle(rn: RawNode, storage: MemoryStorage, rd: Ready): void {
  if (rd.snapshot !== undefined) storage.applySnapshot(rd.snapshot);
  storage.append(rd.entries);
  if (rd.hardState !== undefined) storage.setHardState(rd.hardState);
  for (const e of rd.committedEntries) {
    if (e.type === EntryType.EntryConfChange) rn.applyConfChange(decodeConfChange(e.data!));
    if (e.type === EntryType.EntryConfChangeV2) rn.applyConfChange(decodeConfChangeV2(e.data ?? new Uint8Array(0)));
  }
  rn.advance(rd);
}

function drain(rn: RawNode, storage: MemoryStorage): Ready[] {
  const out: Ready[] = [];
  while (rn.hasReady()) {
    const rd = rn.ready();
    out.push(rd);
    handle(rn, storage, rd);
  }
  return out;
}

describe('RawNode', () => {
  test('bootstrap: the first Ready carries the membership entries, committed, and a hard state to sync', () => {
    const storage = new MemoryStorage();
    const rn = newNode(storage);
    rn.bootstrap([{ id: 1n }, { id: 2n, context: bytes('ctx2') }]);
    // The conf changes are not applied yet, so the node will not campaign.
    rn.campaign();
    assert.equal(rn.raft.state, StateType.Follower);
    const rd = rn.ready();
    assert.deepEqual(rd.hardState, { term: 1n, vote: 0n, commit: 2n });
    assert.equal(rd.mustSync, true);
    assert.deepEqual(
      rd.entries.map((e) => [e.index, e.term, e.type]),
      [
        [1n, 1n, EntryType.EntryConfChange],
        [2n, 1n, EntryType.EntryConfChange],
      ],
    );
    assert.deepEqual(rd.committedEntries, rd.entries);
    const cc = decodeConfChange(rd.entries[1].data!);
    assert.equal(cc.type, ConfChangeType.ConfChangeAddNode);
    assert.equal(cc.nodeId, 2n);
    assert.equal(str(cc.context), 'ctx2');
    handle(rn, storage, rd);
    assert.equal(rn.hasReady(), false);
    assert.throws(() => rn.bootstrap([{ id: 1n }]), /nonempty Storage/);
  });

  test('a bootstrapped single node elects itself and commits proposals', () => {
    const storage = new MemoryStorage();
    const rn = newNode(storage);
    rn.bootstrap([{ id: 1n }]);
    drain(rn, storage);
    rn.campaign();
    const rds = drain(rn, storage);
    assert.equal(rds[0].softState?.raftState, StateType.Leader);
    assert.equal(rds[0].softState?.lead, 1n);
    rn.propose(bytes('hello'));
    const rd = rn.ready();
    // Single voter: the entry is to be persisted and applied in the same Ready.
    assert.equal(rd.entries.length, 1);
    assert.deepEqual(rd.committedEntries.map((e) => str(e.data)), ['hello']);
    assert.equal(rd.softState, undefined, 'soft state only appears when it changes');
    handle(rn, storage, rd);
    assert.equal(rn.hasReady(), false);
  });

  test('restart from storage restores term, vote, commit and skips what was applied', () => {
    const { storage, rn } = soleLeader();
    for (const p of ['a', 'b', 'c', 'd']) rn.propose(bytes(p));
    drain(rn, storage);
    const hs = rn.raft.hardState();
    const last = rn.raft.raftLog.lastIndex();

    // Applied through 'b' (index 4): only 'c' and 'd' come back.
    const again = newNode(storage, last - 2n);
    assert.deepEqual(again.raft.hardState(), hs);
    assert.equal(again.raft.state, StateType.Follower);
    const rd = again.ready();
    assert.deepEqual(
      rd.committedEntries.map((e) => str(e.data)),
      ['c', 'd'],
    );
    assert.equal(rd.hardState, undefined, 'nothing new to persist');
    assert.equal(rd.entries.length, 0);
    // Without `applied`, everything since the snapshot is handed out again.
    assert.equal(newNode(storage).ready().committedEntries.length, Number(last));
  });

  test('proposeConfChange encodes v1 as EntryConfChange and v2 as EntryConfChangeV2', () => {
    const { storage, rn } = soleLeader();
    rn.proposeConfChange({ id: 9n, type: ConfChangeType.ConfChangeAddLearnerNode, nodeId: 2n, context: bytes('v1') });
    let rd = rn.ready();
    const e1 = rd.entries.at(-1)!;
    assert.equal(e1.type, EntryType.EntryConfChange);
    assert.deepEqual(decodeConfChange(e1.data!), { id: 9n, type: ConfChangeType.ConfChangeAddLearnerNode, nodeId: 2n, context: bytes('v1') });
    handle(rn, storage, rd);
    assert.deepEqual(rn.raft.prs.learnerNodes(), [2n]);
    rn.proposeConfChange(confChange('v2'));
    rd = rn.ready();
    const e2 = rd.entries.at(-1)!;
    assert.equal(e2.type, EntryType.EntryConfChangeV2);
    assert.deepEqual(decodeConfChangeV2(e2.data!).changes, [{ type: ConfChangeType.ConfChangeAddNode, nodeId: 2n }]);
    handle(rn, storage, rd);
    assert.deepEqual(rn.raft.prs.voterNodes(), [1n, 2n]);
  });

  test('step refuses local message types and responses from unknown peers', () => {
    const net = new Network([1n, 2n]);
    const rn = net.node(1n).rn;
    const base = { to: 1n, from: 2n, term: 0n, logTerm: 0n, index: 0n, entries: [], commit: 0n, reject: false, rejectHint: 0n };
    for (const type of [MessageType.MsgHup, MessageType.MsgBeat, MessageType.MsgCheckQuorum, MessageType.MsgUnreachable, MessageType.MsgSnapStatus]) {
      assert.throws(() => rn.step({ ...base, type }), ErrStepLocalMsg);
    }
    assert.throws(() => rn.step({ ...base, type: MessageType.MsgAppResp, from: 9n, term: 1n }), ErrStepPeerNotFound);
    assert.equal(new ErrStepPeerNotFound().code, 'STEP_PEER_NOT_FOUND');
  });

  test('the configuration is validated', () => {
    const storage = new MemoryStorage();
    const bad = (cfg: object) => () => new RawNode({ id: 1n, electionTick: 10, heartbeatTick: 1, storage, ...cfg });
    const invalid = (e: Error & { code?: string }) => e.code === 'INVALID_CONFIG';
    assert.throws(bad({ id: 0n }), invalid);
    assert.throws(bad({ heartbeatTick: 0 }), invalid);
    assert.throws(bad({ electionTick: 1 }), invalid);
    assert.throws(bad({ maxInflightMsgs: 0 }), invalid);
    assert.throws(bad({ readOnlyOption: ReadOnlyOption.LeaseBased }), invalid);
  });

  test('status reports the leader view of every member', () => {
    const net = new Network([1n, 2n, 3n]);
    net.campaign(1n);
    net.stabilize();
    net.propose(1n, 'x');
    net.stabilize();
    const st = net.node(1n).rn.status();
    assert.equal(st.softState.raftState, StateType.Leader);
    assert.equal(st.hardState.term, 2n);
    assert.equal(st.applied, 3n);
    assert.deepEqual([...st.progress.keys()], [1n, 2n, 3n]);
    for (const p of st.progress.values()) {
      assert.equal(p.match, 3n);
      assert.equal(p.state, ProgressStateType.StateReplicate);
    }
    assert.equal(st.config.voters.toString(), '(1 2 3)');
    assert.equal(net.node(2n).rn.status().progress.size, 0);
    assert.equal(net.node(2n).rn.basicStatus().softState.lead, 1n);
  });
});

/**
 * Every field of a message in one canonical form. The wire cannot tell an
 * absent snapshot from an empty one, nor absent bytes from undefined ones.
 */
function normalize(m: Message): Message {
  const s = m.snapshot;
  return {
    type: m.type,
    to: m.to,
    from: m.from,
    term: m.term,
    logTerm: m.logTerm,
    index: m.index,
    entries: m.entries.map((e) => ({ term: e.term, index: e.index, type: e.type, data: e.data })),
    commit: m.commit,
    snapshot:
      s === undefined || isEmptySnap(s)
        ? undefined
        : { data: s.data, metadata: { index: s.metadata.index, term: s.metadata.term, confState: { ...s.metadata.confState } } },
    reject: m.reject,
    rejectHint: m.rejectHint,
    context: m.context,
  };
}

describe('wire encoding and 64-bit IDs', () => {
  const ids = [0x8e9e05c52164694dn, 0xcd5a9ea4d1a1a3e3n, 0xffff_ffff_ffff_ffffn];

  test('every message type round-trips through encodeRaftMessage/decodeRaftMessage, and a cluster runs on the decoded copies', () => {
    const net = new Network(ids, { config: { preVote: true, checkQuorum: true } });
    const seen = new Set<MessageType>();
    net.wire = (m) => {
      const decoded = decodeRaftMessage(encodeRaftMessage(m));
      assert.deepEqual(normalize(decoded), normalize(m));
      seen.add(m.type);
      return decoded;
    };
    const [a, b, c] = ids;
    net.campaign(a); // MsgPreVote(Resp), MsgVote(Resp), MsgApp(Resp)
    net.stabilize();
    assert.equal(net.leader()?.id, a);
    net.propose(b, 'forwarded'); // MsgProp
    net.stabilize();
    net.tickAll(); // MsgHeartbeat(Resp)
    net.stabilize();
    net.stepNode(net.node(b), () => net.node(b).rn.readIndex(bytes('rctx'))); // MsgReadIndex(Resp)
    net.stabilize();
    assert.equal(str(net.node(b).readStates[0]?.requestCtx), 'rctx');
    // A snapshot for a lagging follower.
    net.isolate(c);
    for (let i = 0; i < 5; i++) net.propose(a, `s${i}`);
    net.stabilize();
    net.node(a).compact();
    net.recover(c);
    net.tick(a);
    net.stabilize(); // MsgSnap
    assert.deepEqual(net.node(c).state, net.node(a).state);
    // A transfer, forwarded by a follower: MsgTransferLeader, then MsgTimeoutNow.
    net.stepNode(net.node(c), () => net.node(c).rn.transferLeader(c));
    net.stabilize();
    assert.equal(net.leader()?.id, c);
    for (const t of [
      MessageType.MsgPreVote,
      MessageType.MsgPreVoteResp,
      MessageType.MsgVote,
      MessageType.MsgVoteResp,
      MessageType.MsgApp,
      MessageType.MsgAppResp,
      MessageType.MsgProp,
      MessageType.MsgHeartbeat,
      MessageType.MsgHeartbeatResp,
      MessageType.MsgReadIndex,
      MessageType.MsgReadIndexResp,
      MessageType.MsgSnap,
      MessageType.MsgTransferLeader,
      MessageType.MsgTimeoutNow,
    ]) {
      assert.ok(seen.has(t), `no ${MessageType[t]} was sent`);
    }
    net.checkLogMatching();
  });

  test('local message types round-trip as well', () => {
    for (const type of [
      MessageType.MsgHup,
      MessageType.MsgBeat,
      MessageType.MsgUnreachable,
      MessageType.MsgSnapStatus,
      MessageType.MsgCheckQuorum,
      MessageType.MsgForgetLeader,
    ]) {
      const m: Message = { ...newMessage(type, ids[0]), from: ids[2], reject: type === MessageType.MsgSnapStatus };
      assert.deepEqual(normalize(decodeRaftMessage(encodeRaftMessage(m))), m);
    }
  });

  test('64-bit member IDs through membership changes, with the top bit set', () => {
    const [a, b, c] = ids;
    const d = 0x8000_0000_0000_0001n;
    const net = new Network([a, b, c, d], { voters: [a, b, c] });
    net.campaign(c);
    net.stabilize();
    net.proposeConfChange(c, { transition: 0, changes: [{ type: ConfChangeType.ConfChangeAddNode, nodeId: d }, { type: ConfChangeType.ConfChangeRemoveNode, nodeId: a }] });
    net.stabilize();
    assert.deepEqual(
      [...net.node(c).confState.voters].sort((x, y) => (x < y ? -1 : 1)),
      [d, b, c],
    );
    net.propose(d, 'from-d');
    net.stabilize();
    for (const id of [b, c, d]) assert.deepEqual(net.node(id).state, ['from-d']);
    assert.equal(net.node(c).rn.status().progress.get(d)!.match, net.node(c).raft.raftLog.lastIndex());
  });
});
