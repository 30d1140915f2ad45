/**
 * Log compaction and snapshot catch-up (Raft §7): a follower that needs
 * compacted entries gets a MsgSnap, the leader tracks it as StateSnapshot and
 * resumes probing and replication once the snapshot is reported or acked.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { MessageType, type Message } from '../../src/codec/proto/raftpb.js';
import { ProgressStateType } from '../../src/raft/index.js';
import { newMessage } from '../../src/raft/util.js';
import { Network, confChange } from './network.js';

function laggingFollower(): Network {
  const net = new Network([1n, 2n, 3n]);
  net.campaign(1n);
  net.stabilize();
  net.isolate(3n);
  for (let i = 0; i < 30; i++) net.propose(1n, `e${i}`);
  net.stabilize();
  // The leader (and node 2) snapshot and drop their whole log.
  net.node(1n).compact();
  net.node(2n).compact();
  assert.ok(net.node(1n).storage.firstIndex() > net.node(3n).raft.raftLog.lastIndex() + 1n);
  net.recover(3n);
  return net;
}

const progressOf3 = (net: Network) => net.node(1n).rn.status().progress.get(3n)!;

/** Delivers one message at a time until pred holds for a queued message. */
function deliverUntilQueued(net: Network, pred: (m: Message) => boolean): Message {
  for (let i = 0; i < 100; i++) {
    const m = net.queue.find(pred);
    if (m !== undefined) return m;
    assert.ok(net.queue.length > 0, 'queue ran dry');
    net.deliverAt(0);
  }
  assert.fail('message never queued');
}

describe('snapshots', () => {
  test('a follower far behind is caught up with a snapshot: Replicate → Snapshot → Probe → Replicate', () => {
    const net = laggingFollower();
    net.tick(1n); // heartbeat; node 3's answer reveals how far behind it is
    const snap = deliverUntilQueued(net, (m) => m.type === MessageType.MsgSnap);
    assert.equal(snap.to, 3n);
    assert.equal(snap.snapshot!.metadata.index, net.node(1n).storage.snapshot().metadata.index);
    assert.equal(progressOf3(net).state, ProgressStateType.StateSnapshot);
    assert.equal(progressOf3(net).pendingSnapshot, snap.snapshot!.metadata.index);
    net.stabilize();
    const n3 = net.node(3n);
    assert.deepEqual(n3.state, net.node(1n).state);
    assert.equal(n3.storage.snapshot().metadata.index, snap.snapshot!.metadata.index);
    assert.equal(progressOf3(net).state, ProgressStateType.StateReplicate);
    // From here on the log suffices.
    let snaps = 0;
    net.wire = (m) => {
      if (m.type === MessageType.MsgSnap) snaps++;
      return m;
    };
    net.propose(1n, 'after');
    net.stabilize();
    assert.equal(snaps, 0);
    assert.deepEqual(n3.state.at(-1), 'after');
    net.checkLogMatching();
  });

  test('a lost snapshot is reported as failed and sent again after the next heartbeat', () => {
    const net = laggingFollower();
    let sent = 0;
    const lose = new WeakSet<Message>();
    net.wire = (m) => {
      if (m.type === MessageType.MsgSnap && ++sent === 1) lose.add(m);
      return m;
    };
    net.dropIf = (m) => lose.has(m);
    net.tick(1n);
    net.stabilize();
    assert.equal(sent, 1);
    // Reported failed: probing again, paused until the follower is heard from.
    assert.equal(progressOf3(net).state, ProgressStateType.StateProbe);
    assert.equal(progressOf3(net).probeSent, true);
    net.tick(1n);
    net.stabilize();
    assert.equal(sent, 2);
    assert.deepEqual(net.node(3n).state, net.node(1n).state);
    assert.equal(progressOf3(net).state, ProgressStateType.StateReplicate);
  });

  test('a new member with an empty log joins through a snapshot', () => {
    const net = new Network([1n, 2n, 3n]);
    net.campaign(1n);
    net.stabilize();
    for (let i = 0; i < 5; i++) net.propose(1n, `e${i}`);
    net.stabilize();
    net.addNode(4n);
    net.proposeConfChange(1n, confChange('v4'));
    net.stabilize();
    // The snapshot must carry the configuration that includes node 4.
    net.node(1n).compact();
    for (let i = 0; i < 5; i++) {
      net.tickAll();
      net.stabilize();
    }
    const n4 = net.node(4n);
    assert.deepEqual(n4.state, net.node(1n).state);
    assert.deepEqual(
      [...n4.confState.voters].sort(),
      [1n, 2n, 3n, 4n],
    );
    net.propose(1n, 'welcome');
    net.stabilize();
    assert.equal(n4.state.at(-1), 'welcome');
  });

  test('a snapshot not newer than the commit index is ignored', () => {
    const net = laggingFollower();
    net.tick(1n);
    net.stabilize();
    const n3 = net.node(3n);
    const committed = n3.raft.raftLog.committed;
    const old = net.node(1n).storage.snapshot();
    // Replay the same snapshot: the follower only reports its commit index.
    n3.rn.step({ ...messageFrom1(net), type: MessageType.MsgSnap, snapshot: old });
    const resp = n3.raft.msgs.at(-1)!;
    assert.equal(resp.type, MessageType.MsgAppResp);
    assert.equal(resp.index, committed);
    assert.equal(n3.raft.raftLog.committed, committed);
  });
});

/** A template message from the leader at its current term. */
function messageFrom1(net: Network): Message {
  return { ...newMessage(MessageType.MsgHeartbeat, 3n), from: 1n, term: net.node(1n).raft.term };
}
