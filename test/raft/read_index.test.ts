/**
 * Linearizable reads through ReadIndex (Raft thesis §6.4): Safe (a heartbeat
 * round confirms leadership) and LeaseBased (the CheckQuorum lease does).
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { MessageType } from '../../src/codec/proto/raftpb.js';
import { ReadOnlyOption, StateType } from '../../src/raft/index.js';
import { Network, bytes, str, type NodeConfig } from './network.js';

function cluster(config: NodeConfig = {}): Network {
  const net = new Network([1n, 2n, 3n], { config });
  net.campaign(1n);
  net.stabilize();
  net.propose(1n, 'a');
  net.stabilize();
  return net;
}

describe('ReadIndex, safe', () => {
  test('the leader answers only after a quorum acknowledged a heartbeat carrying the request', () => {
    const net = cluster();
    const leader = net.node(1n);
    const commit = leader.raft.raftLog.committed;
    net.stepNode(leader, () => leader.rn.readIndex(bytes('r1')));
    const hbs = net.take((m) => m.type === MessageType.MsgHeartbeat);
    assert.equal(hbs.length, 2);
    assert.ok(hbs.every((m) => str(m.context) === 'r1'));
    assert.equal(leader.readStates.length, 0);
    // One ack plus the leader's own is a quorum of three.
    net.deliver(hbs[0]);
    net.stabilize();
    assert.deepEqual(
      leader.readStates.map((r) => [r.index, str(r.requestCtx)]),
      [[commit, 'r1']],
    );
  });

  test('a partitioned leader answers nothing, even after the others elected a new leader and moved on', () => {
    const net = cluster();
    const old = net.node(1n);
    net.isolate(1n);
    net.campaign(2n);
    net.stabilize();
    net.propose(2n, 'b');
    net.stabilize();
    net.stepNode(old, () => old.rn.readIndex(bytes('stale?')));
    net.tick(1n, 5);
    net.stabilize();
    // Answering with its commit index would have been a stale read.
    assert.equal(old.readStates.length, 0);
    assert.equal(old.raft.state, StateType.Leader);
  });

  test('a follower forwards the request and gets the read index back', () => {
    const net = cluster();
    const f = net.node(3n);
    net.stepNode(f, () => f.rn.readIndex(bytes('from-3')));
    net.stabilize();
    assert.deepEqual(
      f.readStates.map((r) => [r.index, str(r.requestCtx)]),
      [[net.node(1n).raft.raftLog.committed, 'from-3']],
    );
  });

  test('one quorum round answers every earlier pending request too', () => {
    const net = cluster();
    const leader = net.node(1n);
    net.stepNode(leader, () => leader.rn.readIndex(bytes('r1')));
    net.stepNode(leader, () => leader.rn.readIndex(bytes('r2')));
    // Lose the round for r1; the round for r2 confirms both.
    net.take((m) => m.type === MessageType.MsgHeartbeat && str(m.context) === 'r1');
    net.stabilize();
    assert.deepEqual(
      leader.readStates.map((r) => str(r.requestCtx)),
      ['r1', 'r2'],
    );
  });

  test('a new leader defers reads until it has committed an entry of its term', () => {
    const net = new Network([1n, 2n, 3n]);
    net.campaign(1n);
    // Deliver the votes, but hold the appends carrying the new leader's empty entry.
    for (let i = 0; i < 10 && net.node(1n).raft.state !== StateType.Leader; i++) net.deliverAt(0);
    const leader = net.node(1n);
    assert.equal(leader.raft.state, StateType.Leader);
    const held = net.take(() => true);
    net.stepNode(leader, () => leader.rn.readIndex(bytes('early')));
    // No heartbeat round yet: its commit index is not known to be current.
    assert.equal(net.queue.filter((m) => m.type === MessageType.MsgHeartbeat).length, 0);
    net.send(held);
    net.stabilize();
    assert.equal(leader.readStates.length, 1);
    assert.equal(leader.readStates[0].index, leader.raft.raftLog.committed);
    assert.equal(leader.raft.raftLog.term(leader.readStates[0].index), leader.raft.term);
  });

  test('a single-voter leader answers at once', () => {
    const net = new Network([1n]);
    net.campaign(1n);
    net.stabilize();
    const n = net.node(1n);
    net.stepNode(n, () => n.rn.readIndex(bytes('solo')));
    assert.equal(n.readStates.length, 1);
  });
});

describe('ReadIndex, lease-based', () => {
  test('the leader answers from its lease, without a heartbeat round', () => {
    const net = cluster({ checkQuorum: true, readOnlyOption: ReadOnlyOption.LeaseBased });
    const leader = net.node(1n);
    net.stepNode(leader, () => leader.rn.readIndex(bytes('lease')));
    assert.equal(net.queue.length, 0);
    assert.deepEqual(
      leader.readStates.map((r) => [r.index, str(r.requestCtx)]),
      [[leader.raft.raftLog.committed, 'lease']],
    );
  });

  test('requires CheckQuorum', () => {
    assert.throws(
      () => new Network([1n], { config: { readOnlyOption: ReadOnlyOption.LeaseBased } }),
      (e: Error & { code?: string }) => e.code === 'INVALID_CONFIG',
    );
  });
});
