/**
 * Where etcd 3.4's raft differs from 3.5's, walt with etcdVersion '3.4'
 * does as 3.4 does and with the default as 3.5 does. Each case is one the
 * lockstep differential run (lockstep.test.ts) found or guards, pinned on a
 * small cluster of the interaction harness.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  ConfChangeTransition,
  ConfChangeType,
  EntryType,
  MessageType,
  emptyConfState,
  type ConfChange,
  type ConfChangeV2,
} from '../../src/codec/proto/raftpb.js';
import { StateType, type EtcdRaftVersion } from '../../src/raft/raft.js';
import { ProgressStateType } from '../../src/raft/tracker/state.js';
import { newMessage } from '../../src/raft/util.js';
import { threeNodes } from './three-nodes.js';
import type { InteractionEnv } from './rafttest/interaction-env.js';

const VERSIONS: EtcdRaftVersion[] = ['3.4', '3.5'];


const v2 = (transition: ConfChangeTransition, ...changes: [ConfChangeType, bigint][]): ConfChangeV2 => ({
  transition,
  changes: changes.map(([type, nodeId]) => ({ type, nodeId })),
});
const v1 = (type: ConfChangeType, nodeId: bigint): ConfChange => ({ id: 0n, type, nodeId });

/** Node 2 gets the leader's proposal and then the commit index, but does not apply it; its raft. */
function committedUnappliedOnNode2(env: InteractionEnv) {
    env.processReady(0);
    env.deliverMsgs({ id: 2n }, { id: 3n });
    env.processReady(1);
    env.processReady(2);
    env.deliverMsgs({ id: 1n });
    env.processReady(0);
    env.deliverMsgs({ id: 2n });
    const r2 = env.nodes[1].rawNode.raft;
    assert.ok(r2.raftLog.committed > r2.raftLog.applied);
  return r2;
}

for (const version of VERSIONS) {
  const is34 = version === '3.4';

  test(`${version}: the entry that leaves a joint configuration automatically holds ${is34 ? 'an encoded empty ConfChangeV2' : 'no data'} (raft.go advance)`, () => {
    const env = threeNodes(version);
    env.nodes[0].rawNode.proposeConfChange(
      v2(ConfChangeTransition.ConfChangeTransitionAuto, [ConfChangeType.ConfChangeAddLearnerNode, 3n], [ConfChangeType.ConfChangeAddNode, 4n]),
    );
    env.stabilize(0, 1, 2);
    // The leaving entry is not broadcast; the next heartbeat round's answers fetch it.
    env.nodes[0].rawNode.tick();
    env.stabilize(0, 1, 2);
    const log = env.nodes[0].storage;
    const ents = log.entries(log.firstIndex(), log.lastIndex() + 1n, Infinity);
    const leave = ents[ents.length - 1];
    assert.equal(leave.type, EntryType.EntryConfChangeV2);
    assert.deepEqual(leave.data === undefined ? [] : [...leave.data], is34 ? [0x08, 0x00] : []);
    assert.equal(env.nodes[0].rawNode.raft.prs.config.voters.isJoint(), false, 'the joint configuration was left');
  });

  test(`${version}: a transfer asked of follower 2 for node 3 makes node ${is34 ? 2 : 3} the leader (raft.go send ${is34 ? 'signs every message' : 'keeps a set From'})`, () => {
    const env = threeNodes(version);
    env.nodes[1].rawNode.transferLeader(3n);
    env.stabilize();
    const leader = is34 ? 1 : 2;
    assert.deepEqual(
      env.nodes.map((n) => n.rawNode.raft.state),
      [0, 1, 2].map((i) => (i === leader ? StateType.Leader : StateType.Follower)),
    );
  });

  test(`${version}: a caught-up follower left probing ${is34 ? 'stays probing' : 'is probed back to replicating'} on heartbeat responses (raft.go MsgHeartbeatResp)`, () => {
    const env = threeNodes(version);
    const leader = env.nodes[0].rawNode;
    leader.reportUnreachable(2n);
    assert.equal(leader.raft.prs.progress.get(2n)!.state, ProgressStateType.StateProbe);
    leader.raft.tick(); // heartbeatTick 1: a heartbeat round
    env.stabilize();
    assert.equal(leader.raft.prs.progress.get(2n)!.state, is34 ? ProgressStateType.StateProbe : ProgressStateType.StateReplicate);
  });

  test(`${version}: MsgTimeoutNow ${is34 ? 'starts a campaign' : 'starts no campaign'} while a committed conf change is unapplied (raft.go stepFollower)`, () => {
    const env = threeNodes(version);
    const leader = env.nodes[0].rawNode;
    leader.proposeConfChange(v1(ConfChangeType.ConfChangeAddLearnerNode, 4n));
    const r2 = committedUnappliedOnNode2(env);
    const timeoutNow = newMessage(MessageType.MsgTimeoutNow, 2n);
    timeoutNow.from = 1n;
    timeoutNow.term = r2.term;
    env.nodes[1].rawNode.step(timeoutNow);
    assert.equal(r2.state, is34 ? StateType.Candidate : StateType.Follower);
  });

  test(`${version}: an unapplied ConfChangeV2 ${is34 ? 'does not hold back' : 'holds back'} a campaign (raft.go numOfPendingConf)`, () => {
    const env = threeNodes(version);
    const leader = env.nodes[0].rawNode;
    leader.proposeConfChange(v2(ConfChangeTransition.ConfChangeTransitionAuto, [ConfChangeType.ConfChangeAddLearnerNode, 4n]));
    const r2 = committedUnappliedOnNode2(env);
    env.nodes[1].rawNode.campaign();
    assert.equal(r2.state, is34 ? StateType.Candidate : StateType.Follower);
  });

  test(`${version}: a transfer to a voter demoted to learner is ${is34 ? 'kept' : 'aborted'} (raft.go switchToConfig)`, () => {
    const env = threeNodes(version);
    const leader = env.nodes[0].rawNode;
    // Node 3 falls behind, so the transfer waits for it to catch up.
    leader.propose(new TextEncoder().encode('x'));
    env.processReady(0);
    env.deliverMsgs({ id: 3n, drop: true });
    leader.transferLeader(3n);
    leader.applyConfChange(v2(ConfChangeTransition.ConfChangeTransitionAuto, [ConfChangeType.ConfChangeAddLearnerNode, 3n]));
    assert.equal(leader.raft.leadTransferee, is34 ? 3n : 0n);
  });

  test(`${version}: a snapshot whose configuration has this node only among the outgoing voters is ${is34 ? 'ignored' : 'restored'} (raft.go restore)`, () => {
    const env = threeNodes(version);
    const r3 = env.nodes[2].rawNode.raft;
    const snap = newMessage(MessageType.MsgSnap, 3n);
    snap.from = 1n;
    snap.term = r3.term;
    const confState = { ...emptyConfState(), voters: [1n, 2n], votersOutgoing: [1n, 2n, 3n] };
    snap.snapshot = { data: undefined, metadata: { index: 10n, term: r3.term, confState } };
    env.nodes[2].rawNode.step(snap);
    assert.equal(r3.raftLog.hasPendingSnapshot(), !is34);
  });
}

for (const version of VERSIONS) {
  test(`${version}: a leader added back to the configuration sends itself an append, as it does to any new member (raft.go switchToConfig)`, () => {
    const env = threeNodes(version);
    const leader = env.nodes[0].rawNode;
    // Removed, the leader leads on (without stepDownOnRemoval); added back, its
    // progress starts afresh, probing from its last entry (confchange initProgress).
    leader.applyConfChange(v1(ConfChangeType.ConfChangeRemoveNode, 1n));
    leader.applyConfChange(v1(ConfChangeType.ConfChangeAddNode, 1n));
    const toSelf = leader.ready().messages.filter((m) => m.to === 1n);
    assert.deepEqual(
      toSelf.map((m) => [m.type, m.index]),
      [[MessageType.MsgApp, leader.raft.raftLog.lastIndex() - 1n]],
    );
  });
}

test('a follower in StateSnapshot waits for the snapshot it was sent in 3.4 and 3.5, even once the log could serve it; in 3.6 it replicates again then (raft.go stepLeader MsgAppResp)', () => {
  for (const version of ['3.4', '3.5', '3.6'] as const) {
    const env = threeNodes(version);
    const leader = env.nodes[0].rawNode;
    const pr = leader.raft.prs.progress.get(3n)!;
    // The leader sent a snapshot at a later index than the follower acks now; its log still holds the follower's next entry.
    pr.becomeSnapshot(leader.raft.raftLog.lastIndex() + 5n);
    const ack = newMessage(MessageType.MsgAppResp, 1n);
    ack.from = 3n;
    ack.term = leader.raft.term;
    ack.index = leader.raft.raftLog.lastIndex();
    pr.match = ack.index - 1n;
    leader.step(ack);
    assert.equal(pr.state, version === '3.6' ? ProgressStateType.StateReplicate : ProgressStateType.StateSnapshot, version);
  }
});
