/**
 * Three places where walt's raft differed from etcd 3.5's, found by review
 * (issue 13), each pinned on a small cluster of the interaction harness.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ConfChangeTransition, ConfChangeType, MessageType, emptyConfState } from '../../src/codec/proto/raftpb.js';
import { StateType } from '../../src/raft/raft.js';
import { newMessage } from '../../src/raft/util.js';
import { threeNodes } from './three-nodes.js';


test('a transfer asked of a follower goes to the transferee, not to the follower (raft.go send keeps a set From)', () => {
  const env = threeNodes();
  env.nodes[1].rawNode.transferLeader(3n);
  env.stabilize();
  assert.deepEqual(
    env.nodes.map((n) => n.rawNode.raft.state),
    [StateType.Follower, StateType.Follower, StateType.Leader],
  );
});

test('a node with a snapshot not yet applied does not campaign (raft.go promotable, etcd 3.5)', () => {
  const env = threeNodes();
  const r3 = env.nodes[2].rawNode.raft;
  const snap = newMessage(MessageType.MsgSnap, 3n);
  snap.from = 1n;
  snap.term = r3.term;
  snap.snapshot = { data: undefined, metadata: { index: 10n, term: r3.term, confState: { ...emptyConfState(), voters: [1n, 2n, 3n] } } };
  env.nodes[2].rawNode.step(snap);
  assert.ok(r3.raftLog.hasPendingSnapshot());
  env.output.level = 0;
  env.output.out = '';
  env.nodes[2].rawNode.campaign();
  assert.equal(r3.state, StateType.Follower);
  assert.match(env.output.out, /WARN 3 is unpromotable and can not campaign\n/);
});

test('a transfer to a voter demoted to learner is aborted (raft.go switchToConfig looks at the voters)', () => {
  const env = threeNodes();
  const leader = env.nodes[0].rawNode;
  // Node 3 falls behind, so the transfer waits for it to catch up.
  leader.propose(new TextEncoder().encode('x'));
  env.processReady(0);
  env.deliverMsgs({ id: 3n, drop: true });
  leader.transferLeader(3n);
  assert.equal(leader.raft.leadTransferee, 3n);
  leader.applyConfChange({
    transition: ConfChangeTransition.ConfChangeTransitionAuto,
    changes: [{ type: ConfChangeType.ConfChangeAddLearnerNode, nodeId: 3n }],
  });
  assert.ok(leader.raft.prs.progress.get(3n)?.isLearner);
  assert.equal(leader.raft.leadTransferee, 0n);
});
