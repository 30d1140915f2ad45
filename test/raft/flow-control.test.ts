/**
 * etcd 3.4's flow control tests (raft/raft_flow_control_test.go), ported with
 * their exact assertions: a follower in replicate state takes MsgApps until
 * its inflight window (256 messages) is full, acknowledgements slide the
 * window, stale ones do not, and a heartbeat response frees one slot.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { MessageType } from '../../src/codec/proto/raftpb.js';
import type { Raft } from '../../src/raft/index.js';
import { bytes } from './network.js';
import { becomeCandidate, becomeLeader, entry, msg, newTestRaft, readMessages } from './etcd-unit.js';

/** A leader of {1, 2} whose follower 2 is in replicate state, with the progress the tests watch. */
function leaderWithReplicatingFollower(): { r: Raft; pr2: NonNullable<ReturnType<Raft['prs']['progress']['get']>> } {
  const r = newTestRaft(1n, [1n, 2n], 5, 1);
  becomeCandidate(r);
  becomeLeader(r);
  const pr2 = r.prs.progress.get(2n)!;
  // force the progress to be in replicate state
  pr2.becomeReplicate();
  return { r, pr2 };
}

const propose = (r: Raft) => r.step(msg({ from: 1n, to: 1n, type: MessageType.MsgProp, entries: [entry({ data: bytes('somedata') })] }));

describe("etcd's raft_flow_control_test.go", () => {
  test('TestMsgAppFlowControlFull', () => {
    const { r, pr2 } = leaderWithReplicatingFollower();
    for (let i = 0; i < r.prs.maxInflight; i++) {
      propose(r);
      assert.equal(readMessages(r).length, 1, `#${i}: len(ms)`);
    }
    assert.equal(pr2.inflights.full(), true, 'inflights.full');
    for (let i = 0; i < 10; i++) {
      propose(r);
      assert.equal(readMessages(r).length, 0, `#${i}: len(ms)`);
    }
  });

  test('TestMsgAppFlowControlMoveForward', () => {
    const { r, pr2 } = leaderWithReplicatingFollower();
    for (let i = 0; i < r.prs.maxInflight; i++) {
      propose(r);
      readMessages(r);
    }
    // 1 is noop, 2 is the first proposal we just sent, so we start with 2.
    for (let tt = 2; tt < r.prs.maxInflight; tt++) {
      // move forward the window
      r.step(msg({ from: 2n, to: 1n, type: MessageType.MsgAppResp, index: BigInt(tt) }));
      readMessages(r);
      // fill in the inflights window again
      propose(r);
      assert.equal(readMessages(r).length, 1, `#${tt}: len(ms)`);
      assert.equal(pr2.inflights.full(), true, 'inflights.full');
      // out-of-date acknowledgements change nothing
      for (let i = 0; i < tt; i++) {
        r.step(msg({ from: 2n, to: 1n, type: MessageType.MsgAppResp, index: BigInt(i) }));
        assert.equal(pr2.inflights.full(), true, `#${tt}: inflights.full`);
      }
    }
  });

  test('TestMsgAppFlowControlRecvHeartbeat', () => {
    const { r, pr2 } = leaderWithReplicatingFollower();
    for (let i = 0; i < r.prs.maxInflight; i++) {
      propose(r);
      readMessages(r);
    }
    for (let tt = 1; tt < 5; tt++) {
      assert.equal(pr2.inflights.full(), true, `#${tt}: inflights.full`);
      // tt heartbeat responses free one slot
      for (let i = 0; i < tt; i++) {
        r.step(msg({ from: 2n, to: 1n, type: MessageType.MsgHeartbeatResp }));
        readMessages(r);
        assert.equal(pr2.inflights.full(), false, `#${tt}.${i}: inflights.full`);
      }
      // one slot
      propose(r);
      assert.equal(readMessages(r).length, 1, `#${tt}: free slot`);
      // and just one slot
      for (let i = 0; i < 10; i++) {
        propose(r);
        assert.equal(readMessages(r).length, 0, `#${tt}.${i}: len(ms)`);
      }
      // clear all pending messages
      r.step(msg({ from: 2n, to: 1n, type: MessageType.MsgHeartbeatResp }));
      readMessages(r);
    }
  });
});
