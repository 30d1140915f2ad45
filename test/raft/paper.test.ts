/**
 * etcd's Raft-paper tests (raft/raft_paper_test.go, etcd 3.4), ported with
 * their exact assertions: the same node set-up (newTestRaft with peers in the
 * storage's conf state, electionTick 10, heartbeatTick 1), the same steps and
 * the same expected messages, field for field. Messages are sorted by
 * recipient and type before comparing, where etcd sorts by their text; each
 * test names the section of the paper it checks, as etcd's do.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { MessageType, type Entry, type Message } from '../../src/codec/proto/raftpb.js';
import { MemoryStorage, Raft, StateType } from '../../src/raft/index.js';
import { bytes } from './network.js';
import { NONE, acceptAndReply, becomeCandidate, becomeLeader, commitNoopEntry, entry, idsBySize, msg, newTestRaft, readMessages, sorted } from './etcd-unit.js';

/** A leader of `peers` whose empty entry is committed (commitNoopEntry), having just taken a proposal; li is its last index before it. */
function leaderWithProposal(peers: bigint[]): { r: Raft; li: bigint } {
  const s = new MemoryStorage();
  const r = newTestRaft(1n, peers, 10, 1, s);
  becomeCandidate(r);
  becomeLeader(r);
  commitNoopEntry(r, s);
  const li = r.raftLog.lastIndex();
  r.step(msg({ from: 1n, to: 1n, type: MessageType.MsgProp, entries: [entry({ data: bytes('some data') })] }));
  return { r, li };
}

describe("etcd's raft_paper_test.go", () => {
  // §5.1: a server that sees a larger term takes it, and a candidate or leader reverts to follower.
  for (const state of [StateType.Follower, StateType.Candidate, StateType.Leader]) {
    test(`testUpdateTermFromMessage (${StateType[state]})`, () => {
      const r = newTestRaft(1n, [1n, 2n, 3n], 10, 1);
      if (state === StateType.Follower) r.becomeFollower(1n, 2n);
      if (state !== StateType.Follower) becomeCandidate(r);
      if (state === StateType.Leader) becomeLeader(r);
      r.step(msg({ type: MessageType.MsgApp, term: 2n }));
      assert.equal(r.term, 2n);
      assert.equal(r.state, StateType.Follower);
    });
  }

  // §5.2
  test('TestStartAsFollower', () => {
    assert.equal(newTestRaft(1n, [1n, 2n, 3n], 10, 1).state, StateType.Follower);
  });

  // §5.2: a heartbeat tick sends MsgHeartbeat, without index, log term or entries, to every follower.
  test('TestLeaderBcastBeat', () => {
    const hi = 1;
    const r = newTestRaft(1n, [1n, 2n, 3n], 10, hi);
    becomeCandidate(r);
    becomeLeader(r);
    for (let i = 0; i < 10; i++) assert.ok(r['appendEntry']([entry({ index: BigInt(i) + 1n })]), 'entry could not be appended');
    for (let i = 0; i < hi; i++) r.tick();
    assert.deepEqual(sorted(readMessages(r)), [
      msg({ from: 1n, to: 2n, term: 1n, type: MessageType.MsgHeartbeat }),
      msg({ from: 1n, to: 3n, term: 1n, type: MessageType.MsgHeartbeat }),
    ]);
  });

  // §5.2: without word from a leader for an election timeout, a follower or candidate starts an election.
  for (const state of [StateType.Follower, StateType.Candidate]) {
    test(`testNonleaderStartElection (${StateType[state]})`, () => {
      const et = 10;
      const r = newTestRaft(1n, [1n, 2n, 3n], et, 1);
      if (state === StateType.Follower) r.becomeFollower(1n, 2n);
      else becomeCandidate(r);
      for (let i = 1; i < 2 * et; i++) r.tick();
      assert.equal(r.term, 2n);
      assert.equal(r.state, StateType.Candidate);
      assert.equal(r.prs.votes.get(r.id), true, 'vote for self');
      assert.deepEqual(sorted(readMessages(r)), [
        msg({ from: 1n, to: 2n, term: 2n, type: MessageType.MsgVote }),
        msg({ from: 1n, to: 3n, term: 2n, type: MessageType.MsgVote }),
      ]);
    });
  }

  // §5.2: one round of RequestVote wins, loses, or leaves it open.
  test('TestLeaderElectionInOneRoundRPC', () => {
    const cases: Array<[number, Record<number, boolean>, StateType]> = [
      [1, {}, StateType.Leader],
      [3, { 2: true, 3: true }, StateType.Leader],
      [3, { 2: true }, StateType.Leader],
      [5, { 2: true, 3: true, 4: true, 5: true }, StateType.Leader],
      [5, { 2: true, 3: true, 4: true }, StateType.Leader],
      [5, { 2: true, 3: true }, StateType.Leader],
      [3, { 2: false, 3: false }, StateType.Follower],
      [5, { 2: false, 3: false, 4: false, 5: false }, StateType.Follower],
      [5, { 2: true, 3: false, 4: false, 5: false }, StateType.Follower],
      [3, {}, StateType.Candidate],
      [5, { 2: true }, StateType.Candidate],
      [5, { 2: false, 3: false }, StateType.Candidate],
      [5, {}, StateType.Candidate],
    ];
    cases.forEach(([size, votes, want], i) => {
      const r = newTestRaft(1n, idsBySize(size), 10, 1);
      r.step(msg({ from: 1n, to: 1n, type: MessageType.MsgHup }));
      for (const [id, vote] of Object.entries(votes)) r.step(msg({ from: BigInt(id), to: 1n, term: r.term, type: MessageType.MsgVoteResp, reject: !vote }));
      assert.equal(r.state, want, `#${i}: state`);
      assert.equal(r.term, 1n, `#${i}: term`);
    });
  });

  // §5.2: at most one vote per term, first come first served.
  test('TestFollowerVote', () => {
    const cases: Array<[bigint, bigint, boolean]> = [
      [NONE, 1n, false],
      [NONE, 2n, false],
      [1n, 1n, false],
      [2n, 2n, false],
      [1n, 2n, true],
      [2n, 1n, true],
    ];
    cases.forEach(([vote, nvote, wreject], i) => {
      const r = newTestRaft(1n, [1n, 2n, 3n], 10, 1);
      r['loadState']({ term: 1n, vote, commit: 0n });
      r.step(msg({ from: nvote, to: 1n, term: 1n, type: MessageType.MsgVote }));
      assert.deepEqual(readMessages(r), [msg({ from: 1n, to: nvote, term: 1n, type: MessageType.MsgVoteResp, reject: wreject })], `#${i}`);
    });
  });

  // §5.2: a candidate that hears from a leader of at least its term becomes its follower.
  test('TestCandidateFallback', () => {
    const cases = [msg({ from: 2n, to: 1n, term: 1n, type: MessageType.MsgApp }), msg({ from: 2n, to: 1n, term: 2n, type: MessageType.MsgApp })];
    cases.forEach((m, i) => {
      const r = newTestRaft(1n, [1n, 2n, 3n], 10, 1);
      r.step(msg({ from: 1n, to: 1n, type: MessageType.MsgHup }));
      assert.equal(r.state, StateType.Candidate);
      r.step(m);
      assert.equal(r.state, StateType.Follower, `#${i}: state`);
      assert.equal(r.term, m.term, `#${i}: term`);
    });
  });

  // §5.3: a leader appends a proposal to its log and sends it to every follower in parallel.
  test('TestLeaderStartReplication', () => {
    const { r, li } = leaderWithProposal([1n, 2n, 3n]);
    assert.equal(r.raftLog.lastIndex(), li + 1n);
    assert.equal(r.raftLog.committed, li);
    const wents = [entry({ index: li + 1n, term: 1n, data: bytes('some data') })];
    assert.deepEqual(sorted(readMessages(r)), [
      msg({ from: 1n, to: 2n, term: 1n, type: MessageType.MsgApp, index: li, logTerm: 1n, entries: wents, commit: li }),
      msg({ from: 1n, to: 3n, term: 1n, type: MessageType.MsgApp, index: li, logTerm: 1n, entries: wents, commit: li }),
    ]);
    assert.deepEqual(r.raftLog.unstableEntries(), wents);
  });

  // §5.3: a replicated entry is committed, handed out to apply, and its commit index sent on.
  test('TestLeaderCommitEntry', () => {
    const { r, li } = leaderWithProposal([1n, 2n, 3n]);
    for (const m of readMessages(r)) r.step(acceptAndReply(m));
    assert.equal(r.raftLog.committed, li + 1n);
    assert.deepEqual(r.raftLog.nextEnts(), [entry({ index: li + 1n, term: 1n, data: bytes('some data') })]);
    sorted(readMessages(r)).forEach((m, i) => {
      assert.equal(m.to, BigInt(i + 2));
      assert.equal(m.type, MessageType.MsgApp);
      assert.equal(m.commit, li + 1n);
    });
  });

  // §5.3: an entry is committed once its leader has it on a majority.
  test('TestLeaderAcknowledgeCommit', () => {
    const cases: Array<[number, number[], boolean]> = [
      [1, [], true],
      [3, [], false],
      [3, [2], true],
      [3, [2, 3], true],
      [5, [], false],
      [5, [2], false],
      [5, [2, 3], true],
      [5, [2, 3, 4], true],
      [5, [2, 3, 4, 5], true],
    ];
    cases.forEach(([size, acceptors, wack], i) => {
      const { r, li } = leaderWithProposal(idsBySize(size));
      for (const m of readMessages(r)) if (acceptors.includes(Number(m.to))) r.step(acceptAndReply(m));
      assert.equal(r.raftLog.committed > li, wack, `#${i}: ack commit`);
    });
  });

  // §5.3: committing an entry commits every one before it, earlier leaders' too, applied in log order.
  test('TestLeaderCommitPrecedingEntries', () => {
    const cases: Entry[][] = [[], [entry({ term: 2n, index: 1n })], [entry({ term: 1n, index: 1n }), entry({ term: 2n, index: 2n })], [entry({ term: 1n, index: 1n })]];
    cases.forEach((tt, i) => {
      const storage = new MemoryStorage();
      storage.append(tt);
      const r = newTestRaft(1n, [1n, 2n, 3n], 10, 1, storage);
      r['loadState']({ term: 2n, vote: 0n, commit: 0n });
      becomeCandidate(r);
      becomeLeader(r);
      r.step(msg({ from: 1n, to: 1n, type: MessageType.MsgProp, entries: [entry({ data: bytes('some data') })] }));
      for (const m of readMessages(r)) r.step(acceptAndReply(m));
      const li = BigInt(tt.length);
      const wents = [...tt, entry({ term: 3n, index: li + 1n }), entry({ term: 3n, index: li + 2n, data: bytes('some data') })];
      assert.deepEqual(r.raftLog.nextEnts(), wents, `#${i}`);
    });
  });

  // §5.3: a follower applies what it learns is committed, in log order.
  test('TestFollowerCommitEntry', () => {
    const cases: Array<[Entry[], bigint]> = [
      [[entry({ term: 1n, index: 1n, data: bytes('some data') })], 1n],
      [[entry({ term: 1n, index: 1n, data: bytes('some data') }), entry({ term: 1n, index: 2n, data: bytes('some data2') })], 2n],
      [[entry({ term: 1n, index: 1n, data: bytes('some data2') }), entry({ term: 1n, index: 2n, data: bytes('some data') })], 2n],
      [[entry({ term: 1n, index: 1n, data: bytes('some data') }), entry({ term: 1n, index: 2n, data: bytes('some data2') })], 1n],
    ];
    cases.forEach(([ents, commit], i) => {
      const r = newTestRaft(1n, [1n, 2n, 3n], 10, 1);
      r.becomeFollower(1n, 2n);
      r.step(msg({ from: 2n, to: 1n, type: MessageType.MsgApp, term: 1n, entries: ents, commit }));
      assert.equal(r.raftLog.committed, commit, `#${i}: committed`);
      assert.deepEqual(r.raftLog.nextEnts(), ents.slice(0, Number(commit)), `#${i}: nextEnts`);
    });
  });

  // §5.3: a follower refuses an append whose previous entry it does not hold (etcd 3.4's reply: the hint, no log term).
  test('TestFollowerCheckMsgApp', () => {
    const ents = [entry({ term: 1n, index: 1n }), entry({ term: 2n, index: 2n })];
    const cases: Array<[bigint, bigint, bigint, boolean, bigint]> = [
      [0n, 0n, 1n, false, 0n],
      [ents[0].term, ents[0].index, 1n, false, 0n],
      [ents[1].term, ents[1].index, 2n, false, 0n],
      [ents[0].term, ents[1].index, ents[1].index, true, 2n],
      [ents[1].term + 1n, ents[1].index + 1n, ents[1].index + 1n, true, 2n],
    ];
    cases.forEach(([term, index, windex, wreject, wrejectHint], i) => {
      const storage = new MemoryStorage();
      storage.append(ents);
      const r = newTestRaft(1n, [1n, 2n, 3n], 10, 1, storage, '3.4');
      r['loadState']({ term: 0n, vote: 0n, commit: 1n });
      r.becomeFollower(2n, 2n);
      r.step(msg({ from: 2n, to: 1n, type: MessageType.MsgApp, term: 2n, logTerm: term, index }));
      assert.deepEqual(readMessages(r), [msg({ from: 1n, to: 2n, type: MessageType.MsgAppResp, term: 2n, index: windex, reject: wreject, rejectHint: wrejectHint })], `#${i}`);
    });
  });

  // §5.3: a valid append drops the conflicting entry and all after it, and appends what is new.
  test('TestFollowerAppendEntries', () => {
    const e = (term: bigint, index: bigint) => entry({ term, index });
    const cases: Array<[bigint, bigint, Entry[], Entry[], Entry[]]> = [
      [2n, 2n, [e(3n, 3n)], [e(1n, 1n), e(2n, 2n), e(3n, 3n)], [e(3n, 3n)]],
      [1n, 1n, [e(3n, 2n), e(4n, 3n)], [e(1n, 1n), e(3n, 2n), e(4n, 3n)], [e(3n, 2n), e(4n, 3n)]],
      [0n, 0n, [e(1n, 1n)], [e(1n, 1n), e(2n, 2n)], []],
      [0n, 0n, [e(3n, 1n)], [e(3n, 1n)], [e(3n, 1n)]],
    ];
    cases.forEach(([index, term, ents, wents, wunstable], i) => {
      const storage = new MemoryStorage();
      storage.append([e(1n, 1n), e(2n, 2n)]);
      const r = newTestRaft(1n, [1n, 2n, 3n], 10, 1, storage);
      r.becomeFollower(2n, 2n);
      r.step(msg({ from: 2n, to: 1n, type: MessageType.MsgApp, term: 2n, logTerm: term, index, entries: ents }));
      assert.deepEqual(r.raftLog.allEntries(), wents, `#${i}: ents`);
      assert.deepEqual(r.raftLog.unstableEntries(), wunstable, `#${i}: unstable`);
    });
  });

  // §5.2: followers' and candidates' election timeouts are random, over every tick count in (et, 2·et).
  for (const state of [StateType.Follower, StateType.Candidate]) {
    test(`testNonleaderElectionTimeoutRandomized (${StateType[state]})`, () => {
      const et = 10;
      const r = newTestRaft(1n, [1n, 2n, 3n], et, 1);
      const timeouts = new Set<number>();
      for (let round = 0; round < 50 * et; round++) {
        if (state === StateType.Follower) r.becomeFollower(r.term + 1n, 2n);
        else becomeCandidate(r);
        let time = 0;
        while (readMessages(r).length === 0) {
          r.tick();
          time++;
        }
        timeouts.add(time);
      }
      for (let d = et + 1; d < 2 * et; d++) assert.ok(timeouts.has(d), `timeout in ${d} ticks should happen`);
    });
  }

  // §5.2: mostly a single server times out first, which makes split votes unlikely.
  for (const state of [StateType.Follower, StateType.Candidate]) {
    test(`testNonleadersElectionTimeoutNonconflict (${StateType[state]})`, () => {
      const et = 10;
      const ids = idsBySize(5);
      const rs = ids.map((id) => newTestRaft(id, ids, et, 1));
      let conflicts = 0;
      for (let round = 0; round < 1000; round++) {
        for (const r of rs) {
          if (state === StateType.Follower) r.becomeFollower(r.term + 1n, NONE);
          else becomeCandidate(r);
        }
        let timeoutNum = 0;
        while (timeoutNum === 0) {
          for (const r of rs) {
            r.tick();
            if (readMessages(r).length > 0) timeoutNum++;
          }
        }
        if (timeoutNum > 1) conflicts++;
      }
      assert.ok(conflicts / 1000 <= 0.3, `probability of conflicts = ${conflicts / 1000}, want <= 0.3`);
    });
  }

  // §5.4.1: a vote request carries the candidate's last index and term, to every other node.
  test('TestVoteRequest', () => {
    const cases: Array<[Entry[], bigint]> = [
      [[entry({ term: 1n, index: 1n })], 2n],
      [[entry({ term: 1n, index: 1n }), entry({ term: 2n, index: 2n })], 3n],
    ];
    cases.forEach(([ents, wterm], j) => {
      const r = newTestRaft(1n, [1n, 2n, 3n], 10, 1);
      r.step(msg({ from: 2n, to: 1n, type: MessageType.MsgApp, term: wterm - 1n, logTerm: 0n, index: 0n, entries: ents }));
      readMessages(r);
      for (let i = 1; i < r.electionTimeout * 2; i++) r['tickElection']();
      const msgs = sorted(readMessages(r));
      assert.equal(msgs.length, 2, `#${j}: len(msg)`);
      const last = ents[ents.length - 1];
      msgs.forEach((m, i) => {
        assert.equal(m.type, MessageType.MsgVote, `#${i}: msgType`);
        assert.equal(m.to, BigInt(i + 2), `#${i}: to`);
        assert.equal(m.term, wterm, `#${i}: term`);
        assert.equal(m.index, last.index, `#${i}: index`);
        assert.equal(m.logTerm, last.term, `#${i}: logterm`);
      });
    });
  });

  // §5.4.1: a voter denies its vote when its own log is more up to date than the candidate's.
  test('TestVoter', () => {
    const e = (term: bigint, index: bigint) => entry({ term, index });
    const cases: Array<[Entry[], bigint, bigint, boolean]> = [
      [[e(1n, 1n)], 1n, 1n, false],
      [[e(1n, 1n)], 1n, 2n, false],
      [[e(1n, 1n), e(1n, 2n)], 1n, 1n, true],
      [[e(1n, 1n)], 2n, 1n, false],
      [[e(1n, 1n)], 2n, 2n, false],
      [[e(1n, 1n), e(1n, 2n)], 2n, 1n, false],
      [[e(2n, 1n)], 1n, 1n, true],
      [[e(2n, 1n)], 1n, 2n, true],
      [[e(2n, 1n), e(1n, 2n)], 1n, 1n, true],
    ];
    cases.forEach(([ents, logTerm, index, wreject], i) => {
      const storage = new MemoryStorage();
      storage.append(ents);
      const r = newTestRaft(1n, [1n, 2n], 10, 1, storage);
      r.step(msg({ from: 2n, to: 1n, type: MessageType.MsgVote, term: 3n, logTerm, index }));
      const msgs = readMessages(r);
      assert.equal(msgs.length, 1, `#${i}: len(msg)`);
      assert.equal(msgs[0].type, MessageType.MsgVoteResp, `#${i}: msgType`);
      assert.equal(msgs[0].reject, wreject, `#${i}: reject`);
    });
  });

  // §5.4.2: only entries of the leader's current term are committed by counting replicas.
  test('TestLeaderOnlyCommitsLogFromCurrentTerm', () => {
    const ents = [entry({ term: 1n, index: 1n }), entry({ term: 2n, index: 2n })];
    const cases: Array<[bigint, bigint]> = [
      [1n, 0n],
      [2n, 0n],
      [3n, 3n],
    ];
    cases.forEach(([index, wcommit], i) => {
      const storage = new MemoryStorage();
      storage.append(ents);
      const r = newTestRaft(1n, [1n, 2n], 10, 1, storage);
      r['loadState']({ term: 2n, vote: 0n, commit: 0n });
      becomeCandidate(r);
      becomeLeader(r);
      readMessages(r);
      r.step(msg({ from: 1n, to: 1n, type: MessageType.MsgProp, entries: [entry({})] }));
      r.step(msg({ from: 2n, to: 1n, type: MessageType.MsgAppResp, term: r.term, index }));
      assert.equal(r.raftLog.committed, wcommit, `#${i}: commit`);
    });
  });

  // §5.3, figure 7: a new leader brings each follower's log to its own, whatever the follower held.
  test('TestLeaderSyncFollowerLog', () => {
    const e = (term: bigint, index: bigint) => entry({ term, index });
    const upTo = (spec: Array<[bigint, bigint]>) => spec.map(([t, i]) => e(t, i));
    const prefix: Array<[bigint, bigint]> = [[1n, 1n], [1n, 2n], [1n, 3n]];
    const ents = upTo([...prefix, [4n, 4n], [4n, 5n], [5n, 6n], [5n, 7n], [6n, 8n], [6n, 9n], [6n, 10n]]);
    const term = 8n;
    const followers = [
      upTo([...prefix, [4n, 4n], [4n, 5n], [5n, 6n], [5n, 7n], [6n, 8n], [6n, 9n]]),
      upTo([...prefix, [4n, 4n]]),
      upTo([...prefix, [4n, 4n], [4n, 5n], [5n, 6n], [5n, 7n], [6n, 8n], [6n, 9n], [6n, 10n], [6n, 11n]]),
      upTo([...prefix, [4n, 4n], [4n, 5n], [5n, 6n], [5n, 7n], [6n, 8n], [6n, 9n], [6n, 10n], [7n, 11n], [7n, 12n]]),
      upTo([...prefix, [4n, 4n], [4n, 5n], [4n, 6n], [4n, 7n]]),
      upTo([...prefix, [2n, 4n], [2n, 5n], [2n, 6n], [3n, 7n], [3n, 8n], [3n, 9n], [3n, 10n], [3n, 11n]]),
    ];
    followers.forEach((tt, i) => {
      const leadStorage = new MemoryStorage();
      leadStorage.append(ents);
      const lead = newTestRaft(1n, [1n, 2n, 3n], 10, 1, leadStorage);
      lead['loadState']({ commit: lead.raftLog.lastIndex(), term, vote: 0n });
      const followerStorage = new MemoryStorage();
      followerStorage.append(tt);
      const follower = newTestRaft(2n, [1n, 2n, 3n], 10, 1, followerStorage);
      follower['loadState']({ term: term - 1n, vote: 0n, commit: 0n });
      // raft_test.go newNetwork(lead, follower, nopStepper).send: breadth first; node 3 takes everything and answers nothing.
      const peers = new Map([[1n, lead], [2n, follower]]);
      const send = (m: Message) => {
        const queue = [m];
        while (queue.length > 0) {
          const next = queue.shift()!;
          const p = peers.get(next.to);
          if (!p) continue;
          p.step(next);
          queue.push(...readMessages(p));
        }
      };
      send(msg({ from: 1n, to: 1n, type: MessageType.MsgHup }));
      // The election occurs in the term after the one loaded above; node 2 may hold a longer log, so node 3's vote decides.
      send(msg({ from: 3n, to: 1n, type: MessageType.MsgVoteResp, term: term + 1n }));
      send(msg({ from: 1n, to: 1n, type: MessageType.MsgProp, entries: [entry({})] }));
      // diff_test.go ltoa: committed, applied and every entry.
      const ltoa = (r: Raft) => ({ committed: r.raftLog.committed, applied: r.raftLog.applied, entries: r.raftLog.allEntries() });
      assert.deepEqual(ltoa(follower), ltoa(lead), `#${i}: log diff`);
    });
  });
});
