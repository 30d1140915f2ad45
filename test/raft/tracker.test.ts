/**
 * Quorums, inflights, progress and configuration changes, after etcd's
 * quorum/, tracker/ and confchange/ tests.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ConfChangeType, type ConfChangeSingle, type ConfState } from '../../src/codec/proto/raftpb.js';
import { Changer, type ConfigAndProgress } from '../../src/raft/confchange/confchange.js';
import { restore } from '../../src/raft/confchange/restore.js';
import { JointConfig } from '../../src/raft/quorum/joint.js';
import { MajorityConfig } from '../../src/raft/quorum/majority.js';
import { MAX_INDEX, VoteResult, type AckedIndexer } from '../../src/raft/quorum/quorum.js';
import { Inflights } from '../../src/raft/tracker/inflights.js';
import { Progress } from '../../src/raft/tracker/progress.js';
import { ProgressStateType } from '../../src/raft/tracker/state.js';
import { ProgressTracker } from '../../src/raft/tracker/tracker.js';
import { confChange } from './network.js';

const acked = (m: Record<string, number>): AckedIndexer => ({
  ackedIndex: (id) => (m[id.toString()] === undefined ? undefined : BigInt(m[id.toString()])),
});
const maj = (...ids: number[]) => new MajorityConfig(ids.map(BigInt));
const votes = (m: Record<string, boolean>) => new Map(Object.entries(m).map(([k, v]) => [BigInt(k), v]));

describe('quorum', () => {
  test('majority committed index is the highest index a majority has', () => {
    assert.equal(maj(1, 2, 3).committedIndex(acked({ 1: 100, 2: 101, 3: 99 })), 100n);
    assert.equal(maj(1, 2, 3).committedIndex(acked({ 1: 100 })), 0n); // one of three is no majority
    assert.equal(maj(1, 2, 3).committedIndex(acked({ 1: 100, 3: 7 })), 7n);
    assert.equal(maj(1, 2, 3, 4).committedIndex(acked({ 1: 5, 2: 6, 3: 7, 4: 8 })), 6n); // 3 of 4
    assert.equal(maj().committedIndex(acked({})), MAX_INDEX);
  });

  test('joint committed index needs both majorities', () => {
    const j = new JointConfig(maj(1), maj(2));
    assert.equal(j.committedIndex(acked({ 1: 100 })), 0n);
    assert.equal(j.committedIndex(acked({ 1: 13, 2: 100 })), 13n);
    // With an empty outgoing half it is just the incoming majority.
    assert.equal(new JointConfig(maj(1, 2, 3)).committedIndex(acked({ 1: 100, 2: 101, 3: 99 })), 100n);
    const k = new JointConfig(maj(1, 2, 3), maj(3, 4, 5));
    assert.equal(k.committedIndex(acked({ 1: 9, 2: 9, 3: 5, 4: 1, 5: 1 })), 1n);
    assert.equal(k.committedIndex(acked({ 1: 9, 2: 9, 3: 5, 4: 5, 5: 1 })), 5n);
  });

  test('vote results: won, lost, pending; joint needs both', () => {
    const m = maj(1, 2, 3);
    assert.equal(m.voteResult(votes({ 1: true, 2: true })), VoteResult.VoteWon);
    assert.equal(m.voteResult(votes({ 1: true, 2: false })), VoteResult.VotePending);
    assert.equal(m.voteResult(votes({ 1: false, 2: false })), VoteResult.VoteLost);
    assert.equal(maj().voteResult(votes({})), VoteResult.VoteWon);
    const j = new JointConfig(maj(1, 2, 3), maj(3, 4, 5));
    assert.equal(j.voteResult(votes({ 1: true, 2: true })), VoteResult.VotePending);
    assert.equal(j.voteResult(votes({ 1: true, 2: true, 3: true, 4: true })), VoteResult.VoteWon);
    assert.equal(j.voteResult(votes({ 1: true, 2: true, 4: false, 5: false })), VoteResult.VoteLost);
  });
});

describe('inflights', () => {
  test('a window of count messages, freed in order and wrapping around', () => {
    const in1 = new Inflights(10);
    for (let i = 0; i < 10; i++) {
      assert.equal(in1.full(), false);
      in1.add(BigInt(i), 0);
    }
    assert.equal(in1.full(), true);
    assert.throws(() => in1.add(10n, 0));
    in1.freeLE(4n);
    assert.equal(in1.countMsgs(), 5);
    // Refill across the end of the ring buffer.
    for (let i = 10; i < 15; i++) in1.add(BigInt(i), 0);
    assert.equal(in1.full(), true);
    in1.freeLE(8n);
    assert.equal(in1.countMsgs(), 6);
    in1.freeLE(12n);
    assert.equal(in1.countMsgs(), 2);
    in1.freeLE(3n); // stale: nothing below the window
    assert.equal(in1.countMsgs(), 2);
    in1.freeLE(14n);
    assert.equal(in1.countMsgs(), 0);
  });

  test('freeFirstOne frees exactly one message', () => {
    const in1 = new Inflights(10);
    for (let i = 0; i < 10; i++) in1.add(BigInt(i), 0);
    in1.freeFirstOne();
    assert.equal(in1.countMsgs(), 9);
    assert.equal(in1.full(), false);
  });

  test('the byte budget fills the window before the count does', () => {
    const in1 = new Inflights(10, 1000);
    in1.add(1n, 400);
    in1.add(2n, 400);
    assert.equal(in1.full(), false);
    // The message that crosses the budget is still sent; then the window is full.
    in1.add(3n, 400);
    assert.equal(in1.full(), true);
    assert.equal(in1.countBytes(), 1200);
    in1.freeLE(1n);
    assert.equal(in1.countBytes(), 800);
    assert.equal(in1.full(), false);
    in1.reset();
    assert.equal(in1.countBytes(), 0);
    assert.equal(in1.countMsgs(), 0);
  });
});

describe('progress', () => {
  const newProgress = (next: bigint, match: bigint) => new Progress(next, match, new Inflights(4), false, true);

  test('maybeUpdate and stale acks', () => {
    const pr = newProgress(6n, 3n);
    assert.equal(pr.maybeUpdate(2n), false); // older than match
    assert.equal(pr.match, 3n);
    assert.equal(pr.maybeUpdate(7n), true);
    assert.equal(pr.match, 7n);
    assert.equal(pr.next, 8n);
  });

  test('maybeDecrTo: replicate falls back to match+1, probe uses the hint, stale rejections are ignored', () => {
    const rep = newProgress(10n, 5n);
    rep.becomeReplicate();
    assert.equal(rep.maybeDecrTo(4n, 4n), false); // rejected <= match: stale
    assert.equal(rep.maybeDecrTo(9n, 9n), true);
    assert.equal(rep.next, 6n);

    const probe = newProgress(10n, 0n);
    assert.equal(probe.maybeDecrTo(5n, 5n), false); // not for next-1: stale
    probe.probeSent = true;
    assert.equal(probe.maybeDecrTo(9n, 3n), true);
    assert.equal(probe.next, 4n);
    assert.equal(probe.probeSent, false);
    assert.equal(newProgress(1n, 0n).maybeDecrTo(0n, 0n), true);
  });

  test('paused per state', () => {
    const pr = newProgress(2n, 1n);
    assert.equal(pr.isPaused(), false);
    pr.probeSent = true;
    assert.equal(pr.isPaused(), true);
    pr.becomeReplicate();
    assert.equal(pr.isPaused(), false);
    for (let i = 2n; i < 6n; i++) pr.inflights.add(i, 1);
    assert.equal(pr.isPaused(), true);
    pr.becomeSnapshot(10n);
    assert.equal(pr.isPaused(), true);
    assert.equal(pr.inflights.countMsgs(), 0);
  });

  test('becomeProbe after a snapshot probes past it', () => {
    const pr = newProgress(2n, 1n);
    pr.becomeSnapshot(10n);
    pr.becomeProbe();
    assert.equal(pr.state, ProgressStateType.StateProbe);
    assert.equal(pr.next, 11n);
  });
});

describe('confchange', () => {
  const tracker = () => new ProgressTracker(10, 0);
  const apply = (base: ConfigAndProgress | undefined, f: (c: Changer) => ConfigAndProgress, lastIndex = 5n): ConfigAndProgress => {
    const t = tracker();
    if (base) t.setConfig(base.config, base.progress);
    return f(new Changer(t, lastIndex));
  };
  const ccs = (spec: string): ConfChangeSingle[] => confChange(spec).changes;
  const simple = (base: ConfigAndProgress | undefined, spec: string) => apply(base, (c) => c.simple(ccs(spec)));

  test('simple changes alter at most one voter', () => {
    const c1 = simple(undefined, 'v1');
    const c2 = simple(c1, 'v2 l3');
    assert.equal(c2.config.toString(), 'voters=(1 2) learners=(3)');
    assert.throws(() => simple(c2, 'r1 v5'), /more than one voter changed/);
    assert.throws(() => simple(c2, 'v3 v4'), /more than one voter changed/);
    assert.throws(() => simple(c2, 'r1 r2'), /removed all voters/);
    // Promoting a learner is a single voter change.
    const c3 = simple(c2, 'v3');
    assert.equal(c3.config.toString(), 'voters=(1 2 3)');
    assert.equal(c3.progress.get(3n)!.isLearner, false);
    // The inputs are untouched: changes work on copies.
    assert.equal(c2.config.toString(), 'voters=(1 2) learners=(3)');
    assert.equal(c2.progress.get(3n)!.isLearner, true);
  });

  test('joint: enter, refuse nesting, leave; a demoted voter waits in learnersNext', () => {
    const base = simple(simple(simple(undefined, 'v1'), 'v2'), 'v3');
    assert.throws(() => apply(undefined, (c) => c.enterJoint(false, ccs('v1'))), /zero-voter/);
    assert.throws(() => apply(base, (c) => c.leaveJoint()), /non-joint/);
    const j = apply(base, (c) => c.enterJoint(true, ccs('v4 v5 r1 l3')));
    assert.equal(j.config.toString(), 'voters=(2 4 5)&&(1 2 3) learners_next=(3) autoleave');
    // 1 is removed from the incoming half but keeps its progress while it is an outgoing voter.
    assert.ok(j.progress.has(1n));
    assert.equal(j.progress.get(3n)!.isLearner, false);
    assert.throws(() => apply(j, (c) => c.enterJoint(false, ccs('v6'))), /already joint/);
    assert.throws(() => apply(j, (c) => c.simple(ccs('v6'))), /in joint config/);
    const left = apply(j, (c) => c.leaveJoint());
    assert.equal(left.config.toString(), 'voters=(2 4 5) learners=(3)');
    assert.equal(left.progress.has(1n), false);
    assert.equal(left.progress.get(3n)!.isLearner, true);
    // New members probe from the last index and count as active (so CheckQuorum does not fire at once).
    assert.equal(j.progress.get(4n)!.next, 5n);
    assert.equal(j.progress.get(4n)!.recentActive, true);
  });

  test('restore rebuilds joint configurations from a ConfState', () => {
    const cs: ConfState = { voters: [1n, 2n, 3n], learners: [5n], votersOutgoing: [1n, 2n, 4n, 6n], learnersNext: [4n], autoLeave: true };
    const got = restore(new Changer(tracker(), 10n), cs);
    assert.equal(got.config.toString(), 'voters=(1 2 3)&&(1 2 4 6) learners=(5) learners_next=(4) autoleave');
    const t = tracker();
    t.setConfig(got.config, got.progress);
    assert.deepEqual(t.confState(), cs);
    const plain: ConfState = { voters: [1n, 2n], learners: [3n], votersOutgoing: [], learnersNext: [], autoLeave: false };
    const t2 = tracker();
    const r2 = restore(new Changer(t2, 1n), plain);
    t2.setConfig(r2.config, r2.progress);
    assert.deepEqual(t2.confState(), plain);
  });

  test('a zero node ID is skipped (etcd blanks out changes it decided not to apply)', () => {
    const c1 = simple(undefined, 'v1');
    const c2 = apply(c1, (c) => c.simple([{ type: ConfChangeType.ConfChangeAddNode, nodeId: 0n }]));
    assert.equal(c2.config.toString(), 'voters=(1)');
  });
});
