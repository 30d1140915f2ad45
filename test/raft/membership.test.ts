/**
 * Membership changes: joint consensus (Raft thesis §4.3) with automatic and
 * explicit leave, learners and their promotion, one pending change at a time,
 * removing the leader, leadership transfer (thesis §3.10).
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  ConfChangeTransition,
  ConfChangeType,
  EntryType,
  MessageType,
  decodeConfChangeV2,
} from '../../src/codec/proto/raftpb.js';
import { ErrProposalDropped, StateType } from '../../src/raft/index.js';
import { Network, bytes, confChange, type NodeConfig } from './network.js';

/** Nodes 1..n exist, only `voters` are members; node 1 leads. */
function cluster(n: number, voters: bigint[], config: NodeConfig = {}, learners: bigint[] = []): Network {
  const ids = Array.from({ length: n }, (_, i) => BigInt(i + 1));
  const net = new Network(ids, { voters, learners, config });
  net.campaign(1n);
  net.stabilize();
  assert.equal(net.leader()?.id, 1n);
  return net;
}

const sorted = (xs: bigint[]) => [...xs].sort((a, b) => (a < b ? -1 : 1));

/** Whether a proposal made with node 1 reaching only `reach` commits. */
function commitsWith(net: Network, reach: bigint[], label: string): boolean {
  for (const id of net.nodes.keys()) if (id !== 1n && !reach.includes(id)) net.cut(1n, id);
  const before = net.node(1n).raft.raftLog.committed;
  net.propose(1n, label);
  net.stabilize();
  const committed = net.node(1n).raft.raftLog.committed > before;
  net.heal();
  net.tick(1n);
  net.stabilize();
  return committed;
}

describe('joint consensus', () => {
  test('adding two voters and removing one goes through a joint config and leaves it automatically', () => {
    const net = cluster(5, [1n, 2n, 3n]);
    net.proposeConfChange(1n, confChange('v4 v5 r3'));
    net.stabilize();
    // Two conf changes were applied: entering the joint config, then the automatic empty one leaving it.
    const leader = net.node(1n);
    const ccs = net.node(2n).raft.raftLog.allEntries().filter((e) => e.type === EntryType.EntryConfChangeV2);
    assert.equal(ccs.length, 2);
    assert.equal(decodeConfChangeV2(ccs[0].data!).changes.length, 3);
    assert.equal(decodeConfChangeV2(ccs[1].data ?? new Uint8Array(0)).changes.length, 0);
    for (const n of net.nodes.values()) {
      if (n.id === 3n) continue;
      assert.deepEqual(sorted(n.confState.voters), [1n, 2n, 4n, 5n], `node ${n.id}`);
      assert.deepEqual(n.confState.votersOutgoing, []);
    }
    assert.equal(leader.rn.status().progress.has(3n), false);
    // The new configuration works, and node 3 no longer counts.
    assert.equal(commitsWith(net, [4n, 5n], 'new-majority'), true);
    assert.equal(commitsWith(net, [2n, 3n], 'old-majority'), false);
  });

  test('while joint, commitment needs a majority of both the old and the new config', () => {
    const net = cluster(5, [1n, 2n, 3n]);
    net.proposeConfChange(1n, confChange('v4 v5 r3', ConfChangeTransition.ConfChangeTransitionJointExplicit));
    net.stabilize();
    assert.deepEqual(sorted(net.node(1n).confState.voters), [1n, 2n, 4n, 5n]);
    assert.deepEqual(sorted(net.node(1n).confState.votersOutgoing), [1n, 2n, 3n]);
    // {1,4,5} is a majority of the new config only, {1,2,3} of the old only; {1,2,4} of both.
    assert.equal(commitsWith(net, [4n, 5n], 'new-only'), false);
    assert.equal(commitsWith(net, [2n, 3n], 'old-only'), false);
    assert.equal(commitsWith(net, [2n, 4n], 'both'), true);
    // Explicit transition: the config stays joint until the application leaves it.
    assert.deepEqual(sorted(net.node(1n).confState.votersOutgoing), [1n, 2n, 3n]);
    // Another change is refused while joint: it turns into an empty normal entry.
    net.proposeConfChange(1n, confChange('v3'));
    net.stabilize();
    assert.deepEqual(sorted(net.node(1n).confState.voters), [1n, 2n, 4n, 5n]);
    net.proposeConfChange(1n, { transition: ConfChangeTransition.ConfChangeTransitionAuto, changes: [] });
    net.stabilize();
    for (const id of [1n, 2n, 4n, 5n]) {
      assert.deepEqual(net.node(id).confState.votersOutgoing, [], `node ${id}`);
      assert.deepEqual(sorted(net.node(id).confState.voters), [1n, 2n, 4n, 5n]);
    }
    assert.equal(commitsWith(net, [4n, 5n], 'new-config'), true);
  });

  test('an empty ConfChangeV2 outside a joint config is refused', () => {
    const net = cluster(3, [1n, 2n, 3n]);
    net.proposeConfChange(1n, { transition: ConfChangeTransition.ConfChangeTransitionAuto, changes: [] });
    net.stabilize();
    const last = net.node(2n).raft.raftLog.allEntries().at(-1)!;
    assert.equal(last.type, EntryType.EntryNormal);
    assert.deepEqual(sorted(net.node(1n).confState.voters), [1n, 2n, 3n]);
  });

  test('only one conf change may be pending: the second is turned into a no-op', () => {
    const net = cluster(4, [1n, 2n, 3n]);
    const leader = net.node(1n);
    // Propose both before anything is applied.
    leader.rn.proposeConfChange(confChange('l4'));
    leader.rn.proposeConfChange(confChange('r2'));
    net.stabilize();
    assert.deepEqual(sorted(leader.confState.voters), [1n, 2n, 3n]);
    assert.deepEqual(leader.confState.learners, [4n]);
    // Once the first is applied, a new one is accepted.
    net.proposeConfChange(1n, confChange('r2'));
    net.stabilize();
    assert.deepEqual(sorted(leader.confState.voters), [1n, 3n]);
  });

  test('a v1 ConfChange is a simple change', () => {
    const net = cluster(4, [1n, 2n, 3n]);
    net.stepNode(net.node(1n), () => net.node(1n).rn.proposeConfChange({ id: 7n, type: ConfChangeType.ConfChangeAddNode, nodeId: 4n }));
    net.stabilize();
    const e = net.node(1n).raft.raftLog.allEntries().find((x) => x.type === EntryType.EntryConfChange)!;
    assert.ok(e);
    for (const n of net.nodes.values()) assert.deepEqual(sorted(n.confState.voters), [1n, 2n, 3n, 4n]);
  });
});

describe('learners', () => {
  test('a learner receives the log but neither counts for commitment nor campaigns; promoted, it does', () => {
    const net = cluster(4, [1n, 2n, 3n]);
    net.proposeConfChange(1n, confChange('l4'));
    net.stabilize();
    net.propose(1n, 'a');
    net.stabilize();
    const learner = net.node(4n);
    assert.equal(learner.raft.isLearner, true);
    assert.deepEqual(learner.state, ['a']);
    // The leader plus the learner are no quorum of {1,2,3}.
    assert.equal(commitsWith(net, [4n], 'with-learner'), false);
    // A learner never campaigns, however long it hears nothing.
    net.isolate(1n);
    net.tick(4n, 100);
    assert.equal(learner.raft.state, StateType.Follower);
    assert.equal(learner.raft.term, 2n);
    net.heal();
    net.tick(1n);
    net.stabilize();
    // Promote 4: now {1,4} is not enough of four voters, but {1,2,4} is.
    net.proposeConfChange(1n, confChange('v4'));
    net.stabilize();
    assert.equal(learner.raft.isLearner, false);
    assert.deepEqual(sorted(net.node(1n).confState.voters), [1n, 2n, 3n, 4n]);
    assert.equal(commitsWith(net, [4n], 'two-of-four'), false);
    assert.equal(commitsWith(net, [2n, 4n], 'three-of-four'), true);
  });

  test('demoting a voter inside a joint config stages it in learnersNext', () => {
    const net = cluster(3, [1n, 2n, 3n]);
    net.proposeConfChange(1n, confChange('l3', ConfChangeTransition.ConfChangeTransitionJointExplicit));
    net.stabilize();
    const cs = net.node(1n).confState;
    assert.deepEqual(cs.learnersNext, [3n]);
    assert.deepEqual(cs.learners, []);
    net.proposeConfChange(1n, { transition: ConfChangeTransition.ConfChangeTransitionAuto, changes: [] });
    net.stabilize();
    assert.deepEqual(net.node(1n).confState.learners, [3n]);
    assert.equal(net.node(3n).raft.isLearner, true);
  });
});

describe('removing the leader', () => {
  test('with stepDownOnRemoval the removed leader steps down and the rest elect a new one', () => {
    const net = cluster(3, [1n, 2n, 3n], { stepDownOnRemoval: true });
    net.proposeConfChange(1n, confChange('r1'));
    net.stabilize();
    assert.equal(net.node(1n).raft.state, StateType.Follower);
    for (let i = 0; i < 50 && !(net.leader()?.id === 2n || net.leader()?.id === 3n); i++) {
      net.tickAll();
      net.stabilize();
    }
    const leader = net.leader()!;
    assert.notEqual(leader.id, 1n);
    net.propose(leader.id, 'after');
    net.stabilize();
    assert.deepEqual(net.node(2n).state, ['after']);
    assert.deepEqual(net.node(3n).state, ['after']);
  });

  test('without it the removed leader stays in charge but refuses proposals', () => {
    const net = cluster(3, [1n, 2n, 3n]);
    net.proposeConfChange(1n, confChange('r1'));
    net.stabilize();
    assert.equal(net.node(1n).raft.state, StateType.Leader);
    assert.throws(() => net.node(1n).rn.propose(bytes('x')), ErrProposalDropped);
  });
});

describe('conf changes and elections', () => {
  test('a node does not campaign while a committed conf change is unapplied', () => {
    const net = cluster(4, [1n, 2n, 3n]);
    net.cut(1n, 2n);
    net.proposeConfChange(1n, confChange('l4'));
    net.stabilize(); // committed by 1 and 3
    net.heal();
    net.tick(1n); // heartbeat to 2; its answer makes the leader send the entry
    const n2 = net.node(2n);
    for (let i = 0; i < 10; i++) {
      const apps = net.take((m) => m.to === 2n && m.type === MessageType.MsgApp && m.entries.length > 0);
      if (apps.length > 0) {
        // Step it without handling the Ready: committed, not applied.
        for (const m of apps) n2.rn.step(m);
        break;
      }
      net.deliverAt(0);
    }
    const log = n2.raft.raftLog;
    assert.ok(log.committed > log.applied, 'the conf change should be committed but unapplied');
    n2.rn.campaign();
    assert.equal(n2.raft.state, StateType.Follower);
    assert.equal(n2.raft.msgs.filter((m) => m.type === MessageType.MsgVote).length, 0);
    net.processReady(n2);
    n2.rn.campaign();
    assert.equal(n2.raft.state, StateType.Candidate);
  });
});

describe('leadership transfer', () => {
  test('transfers to an up-to-date follower via MsgTimeoutNow, skipping pre-vote and the lease', () => {
    const net = cluster(3, [1n, 2n, 3n], { preVote: true, checkQuorum: true });
    net.stepNode(net.node(1n), () => net.node(1n).rn.transferLeader(3n));
    assert.ok(net.queue.some((m) => m.type === MessageType.MsgTimeoutNow && m.to === 3n));
    net.stabilize();
    assert.equal(net.leader()?.id, 3n);
    assert.equal(net.node(3n).raft.term, 3n);
    assert.equal(net.node(1n).raft.state, StateType.Follower);
  });

  test('catches a lagging transferee up first, and refuses proposals meanwhile', () => {
    const net = cluster(3, [1n, 2n, 3n]);
    net.cut(1n, 3n);
    for (const p of ['a', 'b']) net.propose(1n, p);
    net.stabilize();
    net.heal();
    const leader = net.node(1n);
    net.stepNode(leader, () => leader.rn.transferLeader(3n));
    assert.equal(leader.raft.leadTransferee, 3n);
    assert.ok(!net.queue.some((m) => m.type === MessageType.MsgTimeoutNow));
    assert.throws(() => leader.rn.propose(bytes('c')), ErrProposalDropped);
    net.stabilize();
    assert.equal(net.leader()?.id, 3n);
    assert.deepEqual(net.node(3n).state, ['a', 'b']);
  });

  test('is aborted after an election timeout if the transferee does not respond', () => {
    const net = cluster(3, [1n, 2n, 3n]);
    net.isolate(3n);
    const leader = net.node(1n);
    net.stepNode(leader, () => leader.rn.transferLeader(3n));
    assert.equal(leader.raft.leadTransferee, 3n);
    net.tick(1n, 10);
    assert.equal(leader.raft.leadTransferee, 0n);
    assert.equal(leader.raft.state, StateType.Leader);
    assert.ok(net.propose(1n, 'after-abort'));
  });

  test('a learner cannot be a transferee', () => {
    const net = cluster(3, [1n, 2n], {}, [3n]);
    net.stepNode(net.node(1n), () => net.node(1n).rn.transferLeader(3n));
    assert.equal(net.node(1n).raft.leadTransferee, 0n);
    net.stabilize();
    assert.equal(net.leader()?.id, 1n);
  });
});
