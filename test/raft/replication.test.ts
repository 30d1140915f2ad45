/**
 * Log replication and commitment (Raft §5.3, §5.4.2) and flow control.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { MessageType, type Message } from '../../src/codec/proto/raftpb.js';
import { ErrProposalDropped, ProgressStateType, StateType } from '../../src/raft/index.js';
import { Network, bytes, type NodeConfig } from './network.js';

const ids = (n: number) => Array.from({ length: n }, (_, i) => BigInt(i + 1));

function cluster(n: number, config: NodeConfig = {}): Network {
  const net = new Network(ids(n), { config });
  net.campaign(1n);
  net.stabilize();
  assert.equal(net.leader()?.id, 1n);
  return net;
}

/** Campaigns until id wins; a first attempt may only serve to catch up with a higher term. */
function campaignUntilLeader(net: Network, id: bigint): void {
  for (let i = 0; i < 3 && net.node(id).raft.state !== StateType.Leader; i++) {
    net.campaign(id);
    net.stabilize();
  }
  assert.equal(net.node(id).raft.state, StateType.Leader, `node ${id} did not win`);
}

describe('replication', () => {
  test('proposals commit on every node, in one order, and logs match', () => {
    const net = cluster(5);
    for (let i = 0; i < 20; i++) net.propose(BigInt((i % 5) + 1), `p${i}`);
    net.stabilize();
    const want = net.node(1n).state;
    assert.equal(want.length, 20);
    for (const n of net.nodes.values()) assert.deepEqual(n.state, want);
    net.checkLogMatching();
  });

  test("a follower's conflicting uncommitted entries are replaced by the leader's", () => {
    const net = cluster(3);
    // Leader 1, cut off, appends entries that can never commit.
    net.isolate(1n);
    for (const p of ['x1', 'x2', 'x3']) net.propose(1n, p);
    net.recover(1n);
    net.cut(1n, 2n);
    net.cut(1n, 3n);
    campaignUntilLeader(net, 2n);
    for (const p of ['a', 'b']) net.propose(2n, p);
    net.stabilize();
    net.heal();
    net.tick(2n); // heartbeat: node 1 learns of the new term and is probed
    net.stabilize();
    for (const n of net.nodes.values()) assert.deepEqual(n.state, ['a', 'b']);
    net.checkLogMatching();
    const log1 = net.node(1n).raft.raftLog;
    assert.equal(log1.lastIndex(), net.node(2n).raft.raftLog.lastIndex());
  });

  test('a rejection hint skips a whole divergent term per round trip', () => {
    const net = cluster(3, { maxSizePerMsg: 0 });
    net.isolate(1n);
    for (let i = 0; i < 50; i++) net.propose(1n, `stale${i}`);
    net.recover(1n);
    net.cut(1n, 2n);
    net.cut(1n, 3n);
    campaignUntilLeader(net, 2n);
    // The new leader's log covers the same indexes with entries of its own term.
    for (let i = 0; i < 50; i++) net.propose(2n, `fresh${i}`);
    net.stabilize();
    // A leader elected after that probes node 1 from the end of its log.
    campaignUntilLeader(net, 3n);
    net.heal();
    let rejections = 0;
    net.wire = (m: Message) => {
      if (m.type === MessageType.MsgAppResp && m.reject) rejections++;
      return m;
    };
    net.tick(3n);
    net.stabilize();
    // Walking back one entry per probe would take ~50 rejections; the term hint needs one or two.
    assert.ok(rejections <= 2, `${rejections} rejections`);
    assert.deepEqual(net.node(1n).state, net.node(2n).state);
    assert.equal(net.node(1n).state.length, 50);
    net.checkLogMatching();
  });

  test('a heartbeat never commits past what the follower is known to hold', () => {
    const net = cluster(3);
    net.cut(1n, 3n);
    net.propose(1n, 'a');
    net.stabilize();
    net.heal();
    // Node 3 lacks 'a' (index 3) and the leader knows it: the heartbeat carries commit 2, not 3.
    net.tick(1n);
    const hb = net.queue.find((m) => m.type === MessageType.MsgHeartbeat && m.to === 3n)!;
    assert.equal(hb.commit, 2n);
    assert.equal(net.node(1n).raft.raftLog.committed, 3n);
    net.stabilize();
    assert.deepEqual(net.node(3n).state, ['a']);
  });
});

describe('figure 8: a leader commits only entries of its own term by counting replicas', () => {
  /**
   * Raft paper figure 8 with five nodes, maxSizePerMsg 0 (one entry per MsgApp).
   * (a) Leader 1 (term 2) appends X at index 3 but is cut off. (b) Node 5 wins
   * term 3 and appends its own index 3, then crashes. (c) Node 1 returns and
   * wins term 4; X reaches 2, 3 and 4, so a majority holds it, but every
   * append carrying the term-4 entry is lost.
   */
  function toStepC(): Network {
    const net = new Network(ids(5), { config: { maxSizePerMsg: 0 } });
    net.campaign(1n);
    net.stabilize();
    assert.equal(net.node(1n).raft.raftLog.lastIndex(), 2n);
    // (a)
    net.isolate(1n);
    assert.ok(net.propose(1n, 'X'));
    // (b)
    net.dropIf = (m) => m.from === 5n && m.type === MessageType.MsgApp;
    campaignUntilLeader(net, 5n);
    assert.equal(net.node(5n).raft.term, 3n);
    assert.equal(net.node(5n).raft.raftLog.term(3n), 3n);
    net.isolate(5n);
    net.dropIf = undefined;
    // (c) node 1 restarts (as a follower, with X in its log) and rejoins.
    net.recover(1n);
    net.restart(1n);
    const receives = (m: Message) => net.node(m.to).raft.raftLog.matchTerm(m.index, m.logTerm);
    net.dropIf = (m) => m.type === MessageType.MsgApp && m.entries.some((e) => e.term === 4n) && receives(m);
    campaignUntilLeader(net, 1n);
    assert.equal(net.node(1n).raft.term, 4n);
    net.stabilize();
    return net;
  }

  test('X is on a majority, but not committed until an entry of term 4 is', () => {
    const net = toStepC();
    const leader = net.node(1n);
    for (const id of [1n, 2n, 3n, 4n]) assert.equal(net.node(id).raft.raftLog.term(3n), 2n, `node ${id} holds X`);
    const st = leader.rn.status();
    for (const id of [2n, 3n, 4n]) assert.equal(st.progress.get(id)!.match, 3n);
    // Counting replicas would commit X; Raft must not.
    assert.equal(leader.raft.raftLog.committed, 2n);
    assert.deepEqual(leader.state, []);
  });

  test('(d) had it been committed, X would now be lost: node 5 overwrites it', () => {
    const net = toStepC();
    net.heal();
    net.isolate(1n);
    net.restart(5n);
    campaignUntilLeader(net, 5n);
    net.stabilize();
    for (const id of [2n, 3n, 4n, 5n]) assert.equal(net.node(id).raft.raftLog.term(3n), 3n, `node ${id}`);
    net.propose(5n, 'Y');
    net.stabilize();
    // X was never applied anywhere; the Network would have flagged two different entries at index 3.
    for (const n of net.nodes.values()) assert.ok(!n.state.includes('X'));
    assert.deepEqual(net.node(2n).state, ['Y']);
  });

  test('(e) once an entry of term 4 is on a majority, X commits with it and node 5 can no longer win', () => {
    const net = toStepC();
    net.dropIf = undefined;
    net.tick(1n);
    net.stabilize();
    assert.equal(net.node(1n).raft.raftLog.committed, 4n);
    for (const id of [1n, 2n, 3n, 4n]) assert.deepEqual(net.node(id).state, ['X']);
    net.isolate(1n);
    net.restart(5n);
    for (let i = 0; i < 3; i++) {
      net.campaign(5n);
      net.stabilize();
      assert.notEqual(net.node(5n).raft.state, StateType.Leader);
    }
  });
});

describe('flow control', () => {
  test('maxSizePerMsg bounds the entries of one MsgApp', () => {
    const payload = 'x'.repeat(100);
    // Each entry is ~106 bytes encoded: two fit in 250.
    const net = cluster(3, { maxSizePerMsg: 250 });
    net.isolate(3n);
    for (let i = 0; i < 10; i++) net.propose(1n, payload + i);
    net.stabilize();
    net.recover(3n);
    const sizes: number[] = [];
    net.wire = (m) => {
      if (m.type === MessageType.MsgApp && m.to === 3n && m.entries.length > 0) sizes.push(m.entries.length);
      return m;
    };
    net.tick(1n);
    net.stabilize();
    assert.ok(sizes.length >= 5, `${sizes}`);
    assert.ok(
      sizes.every((n) => n <= 2),
      `${sizes}`,
    );
    assert.equal(net.node(3n).state.length, 10);
  });

  test('maxInflightMsgs caps unacknowledged appends to a replicating follower', () => {
    const net = cluster(2, { maxInflightMsgs: 3 });
    assert.equal(net.node(1n).rn.status().progress.get(2n)!.state, ProgressStateType.StateReplicate);
    // Hold node 2's messages: appends pile up unacknowledged.
    for (let i = 0; i < 10; i++) net.propose(1n, `p${i}`);
    const apps = net.take((m) => m.type === MessageType.MsgApp && m.to === 2n);
    assert.equal(apps.length, 3);
    assert.equal(net.node(1n).rn.status().progress.get(2n)!.inflightMsgs, 3);
    // Acknowledging them opens the window again and the rest flows.
    for (const m of apps) net.deliver(m);
    net.stabilize();
    assert.equal(net.node(2n).state.length, 10);
  });

  test('a full window recovers after its appends were lost: a heartbeat response frees a slot', () => {
    const net = cluster(2, { maxInflightMsgs: 2 });
    for (let i = 0; i < 6; i++) net.propose(1n, `p${i}`);
    assert.equal(net.take((m) => m.type === MessageType.MsgApp).length, 2);
    net.tick(1n);
    net.stabilize();
    assert.equal(net.node(2n).state.length, 6);
  });

  test('maxInflightBytes caps the payload bytes in flight', () => {
    const net = cluster(2, { maxInflightBytes: 1000 });
    for (let i = 0; i < 10; i++) net.propose(1n, 'y'.repeat(300));
    const apps = net.take((m) => m.type === MessageType.MsgApp && m.to === 2n);
    // 300 + 300 + 300 < 1000, the fourth crosses the budget and fills the window.
    assert.equal(apps.length, 4);
    for (const m of apps) net.deliver(m);
    net.stabilize();
    assert.equal(net.node(2n).state.length, 10);
  });

  test('maxUncommittedEntriesSize drops proposals once the uncommitted tail is full', () => {
    const net = cluster(3, { maxUncommittedEntriesSize: 1000 });
    net.isolate(1n);
    let accepted = 0;
    for (let i = 0; i < 10; i++) if (net.propose(1n, 'z'.repeat(300))) accepted++;
    assert.equal(accepted, 3);
    assert.throws(() => net.node(1n).rn.propose(bytes('z'.repeat(300))), ErrProposalDropped);
    // Committing frees the budget.
    net.recover(1n);
    net.tick(1n);
    net.stabilize();
    assert.ok(net.propose(1n, 'z'.repeat(300)));
    net.stabilize();
    assert.equal(net.node(2n).state.length, 4);
  });

  test('maxCommittedSizePerReady paginates committed entries across Readys', () => {
    const net = cluster(1, { maxCommittedSizePerReady: 250 });
    const n = net.node(1n);
    // Propose without handling Readys, then look at the first one.
    for (let i = 0; i < 6; i++) n.rn.propose(bytes('w'.repeat(100)));
    const rd = n.rn.ready();
    assert.equal(rd.entries.length, 6);
    assert.ok(rd.committedEntries.length >= 1 && rd.committedEntries.length <= 2, `${rd.committedEntries.length}`);
    n.storage.append(rd.entries);
    let applied = rd.committedEntries.length;
    n.rn.advance(rd);
    let readys = 1;
    while (n.rn.hasReady()) {
      const r = n.rn.ready();
      applied += r.committedEntries.length;
      n.rn.advance(r);
      readys++;
    }
    assert.equal(applied, 6);
    assert.ok(readys >= 3);
  });

  test('MsgUnreachable moves a replicating follower back to probing', () => {
    const net = cluster(2);
    const leader = net.node(1n);
    assert.equal(leader.rn.status().progress.get(2n)!.state, ProgressStateType.StateReplicate);
    leader.rn.reportUnreachable(2n);
    assert.equal(leader.rn.status().progress.get(2n)!.state, ProgressStateType.StateProbe);
    net.tick(1n);
    net.stabilize();
    assert.equal(leader.rn.status().progress.get(2n)!.state, ProgressStateType.StateReplicate);
  });
});
