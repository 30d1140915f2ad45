/**
 * etcd 3.4's snapshot tests (raft/raft_snap_test.go), ported with their
 * exact assertions: a leader restored from a snapshot at index 11 sends it to
 * a follower that lags behind its log, pauses replication while it is
 * pending, and probes again when it fails, succeeds, or is overtaken.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { MessageType, type Snapshot } from '../../src/codec/proto/raftpb.js';
import type { Raft } from '../../src/raft/index.js';
import { bytes } from './network.js';
import { becomeCandidate, becomeLeader, entry, msg, newTestRaft, readMessages } from './etcd-unit.js';

const testingSnap = (): Snapshot => ({
  data: undefined,
  metadata: { index: 11n, term: 11n, confState: { voters: [1n, 2n], learners: [], votersOutgoing: [], learnersNext: [], autoLeave: false } },
});

/** A node of `peers` restored from testingSnap, then made leader. */
function leaderFromSnapshot(peers: bigint[]): Raft {
  const sm = newTestRaft(1n, peers, 10, 1);
  sm['restore'](testingSnap());
  becomeCandidate(sm);
  becomeLeader(sm);
  return sm;
}

const progress2 = (sm: Raft) => sm.prs.progress.get(2n)!;

describe("etcd's raft_snap_test.go", () => {
  test('TestSendingSnapshotSetPendingSnapshot', () => {
    const sm = leaderFromSnapshot([1n]);
    // force set the next of node 2, so that node 2 needs a snapshot
    progress2(sm).next = sm.raftLog.firstIndex();
    sm.step(msg({ from: 2n, to: 1n, type: MessageType.MsgAppResp, index: progress2(sm).next - 1n, reject: true }));
    assert.equal(progress2(sm).pendingSnapshot, 11n);
  });

  test('TestPendingSnapshotPauseReplication', () => {
    const sm = leaderFromSnapshot([1n, 2n]);
    progress2(sm).becomeSnapshot(11n);
    sm.step(msg({ from: 1n, to: 1n, type: MessageType.MsgProp, entries: [entry({ data: bytes('somedata') })] }));
    assert.equal(readMessages(sm).length, 0);
  });

  test('TestSnapshotFailure', () => {
    const sm = leaderFromSnapshot([1n, 2n]);
    progress2(sm).next = 1n;
    progress2(sm).becomeSnapshot(11n);
    sm.step(msg({ from: 2n, to: 1n, type: MessageType.MsgSnapStatus, reject: true }));
    assert.equal(progress2(sm).pendingSnapshot, 0n);
    assert.equal(progress2(sm).next, 1n);
    assert.equal(progress2(sm).probeSent, true);
  });

  test('TestSnapshotSucceed', () => {
    const sm = leaderFromSnapshot([1n, 2n]);
    progress2(sm).next = 1n;
    progress2(sm).becomeSnapshot(11n);
    sm.step(msg({ from: 2n, to: 1n, type: MessageType.MsgSnapStatus, reject: false }));
    assert.equal(progress2(sm).pendingSnapshot, 0n);
    assert.equal(progress2(sm).next, 12n);
    assert.equal(progress2(sm).probeSent, true);
  });

  test('TestSnapshotAbort', () => {
    const sm = leaderFromSnapshot([1n, 2n]);
    progress2(sm).next = 1n;
    progress2(sm).becomeSnapshot(11n);
    // A successful MsgAppResp at or above the pending snapshot aborts it.
    sm.step(msg({ from: 2n, to: 1n, type: MessageType.MsgAppResp, index: 11n }));
    assert.equal(progress2(sm).pendingSnapshot, 0n);
    // Replicating again, the leader sent its empty entry at 12 and moved next on optimistically.
    assert.equal(progress2(sm).next, 13n);
    assert.equal(progress2(sm).inflights.countMsgs(), 1, 'an inflight message');
  });
});
