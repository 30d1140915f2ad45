/**
 * Leader election (Raft §5.2, §5.4.1) and its refinements: randomized
 * timeouts, persisted votes, CheckQuorum, leader lease, PreVote (thesis §9.6)
 * and ForgetLeader. The Network checks election safety (one leader per term)
 * on every Ready.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { MessageType } from '../../src/codec/proto/raftpb.js';
import { ReadOnlyOption, StateType } from '../../src/raft/index.js';
import { Network, type NodeConfig } from './network.js';

const ids = (n: number) => Array.from({ length: n }, (_, i) => BigInt(i + 1));

function elect(net: Network, id: bigint): void {
  net.campaign(id);
  net.stabilize();
  assert.equal(net.leader()?.id, id);
}

/** Ticks every node and delivers everything, `rounds` times. */
function run(net: Network, rounds: number): void {
  for (let i = 0; i < rounds; i++) {
    net.tickAll();
    net.stabilize();
  }
}

describe('election', () => {
  test('randomized election timeouts fall in [electionTick, 2*electionTick) and vary', () => {
    const net = new Network(ids(1));
    const r = net.node(1n).raft;
    const seen = new Set<number>();
    for (let term = 2n; term < 200n; term++) {
      r.becomeFollower(term, 0n);
      assert.ok(r.randomizedElectionTimeout >= 10 && r.randomizedElectionTimeout < 20, `${r.randomizedElectionTimeout}`);
      seen.add(r.randomizedElectionTimeout);
    }
    assert.ok(seen.size >= 8, `only ${seen.size} distinct timeouts`);
  });

  test('a follower campaigns only once its randomized timeout has passed', () => {
    const net = new Network(ids(3));
    const n = net.node(1n);
    const timeout = n.raft.randomizedElectionTimeout;
    net.tick(1n, timeout - 1);
    assert.equal(n.raft.state, StateType.Follower);
    assert.equal(net.queue.length, 0);
    net.tick(1n);
    assert.equal(n.raft.state, StateType.Candidate);
    assert.equal(n.raft.term, 2n);
    assert.deepEqual(
      net.queue.map((m) => [m.type, m.to, m.term]),
      [
        [MessageType.MsgVote, 2n, 2n],
        [MessageType.MsgVote, 3n, 2n],
      ],
    );
    net.stabilize();
    assert.equal(net.leader()?.id, 1n);
  });

  test('a split vote is resolved by the randomized timeouts, with one leader per term', () => {
    const net = new Network(ids(5));
    // Everyone campaigns in term 2 at once and votes for itself: nobody can win.
    for (const id of ids(5)) net.campaign(id);
    net.stabilize();
    assert.equal(net.leader(), undefined);
    for (let i = 0; i < 100 && net.leader() === undefined; i++) run(net, 1);
    const leader = net.leader();
    assert.ok(leader, 'no leader after the split vote');
    assert.ok(leader.raft.term > 2n);
    for (const n of net.nodes.values()) assert.equal(n.raft.lead, leader.id);
  });

  test('a candidate whose log is behind cannot win (voting restriction, §5.4.1)', () => {
    const net = new Network(ids(3));
    elect(net, 1n);
    net.isolate(3n);
    net.propose(1n, 'a');
    net.stabilize();
    net.recover(3n);
    net.isolate(1n);
    for (let i = 0; i < 3; i++) {
      net.campaign(3n);
      net.stabilize();
      assert.notEqual(net.node(3n).raft.state, StateType.Leader);
    }
    // Node 2 holds the committed entry and can win.
    net.campaign(2n);
    net.stabilize();
    assert.equal(net.leader()?.id, 2n);
  });

  test('leader completeness: a new leader holds every committed entry', () => {
    const net = new Network(ids(5));
    elect(net, 1n);
    for (const p of ['a', 'b', 'c']) net.propose(1n, p);
    net.stabilize();
    // 'd' commits on 1, 2, 3 only.
    net.cut(1n, 4n);
    net.cut(1n, 5n);
    net.propose(1n, 'd');
    net.stabilize();
    assert.deepEqual(net.node(1n).state, ['a', 'b', 'c', 'd']);
    const committed = net.node(1n).raft.raftLog.committed;
    // The leader crashes; 4 and 5 lack 'd', so their campaigns fail.
    net.heal();
    net.isolate(1n);
    for (const id of [4n, 5n]) {
      net.campaign(id);
      net.stabilize();
      assert.notEqual(net.node(id).raft.state, StateType.Leader);
    }
    for (let i = 0; i < 100 && net.leader()?.raft.term === 2n; i++) run(net, 1);
    const leader = net.leader()!;
    assert.ok(leader.id === 2n || leader.id === 3n, `leader ${leader.id}`);
    const oldLog = net.node(1n).raft.raftLog;
    const newLog = leader.raft.raftLog;
    for (let i = 2n; i <= committed; i++) assert.equal(newLog.term(i), oldLog.term(i), `entry ${i}`);
    net.propose(leader.id, 'e');
    net.stabilize();
    for (const id of [2n, 3n, 4n, 5n]) assert.deepEqual(net.node(id).state, ['a', 'b', 'c', 'd', 'e']);
  });

  test('a vote survives a restart: no second vote in the same term', () => {
    const net = new Network(ids(3));
    net.cut(1n, 3n);
    elect(net, 1n); // term 2, with node 2's vote
    assert.equal(net.node(2n).storage.initialState().hardState.vote, 1n);
    net.restart(2n);
    net.isolate(1n);
    // Node 3 campaigns for term 2 too; node 2 remembers its vote and refuses.
    net.campaign(3n);
    assert.equal(net.node(3n).raft.term, 2n);
    net.stabilize();
    assert.notEqual(net.node(3n).raft.state, StateType.Leader);
    assert.equal(net.node(2n).raft.vote, 1n);
  });

  test('CheckQuorum: a leader that loses its quorum steps down', () => {
    const net = new Network(ids(3), { config: { checkQuorum: true } });
    elect(net, 1n);
    // Connected, it stays leader across many election timeouts.
    run(net, 50);
    assert.equal(net.node(1n).raft.state, StateType.Leader);
    net.isolate(1n);
    // Acks from before the partition may still count for the current round, so
    // stepping down takes up to two election timeouts.
    net.tick(1n, 20);
    assert.equal(net.node(1n).raft.state, StateType.Follower);
    assert.equal(net.node(1n).raft.term, 2n);
  });

  test('without CheckQuorum an isolated leader stays leader', () => {
    const net = new Network(ids(3));
    elect(net, 1n);
    net.isolate(1n);
    net.tick(1n, 50);
    assert.equal(net.node(1n).raft.state, StateType.Leader);
  });

  test('leader lease: with CheckQuorum, nodes that heard from the leader ignore a disruptive vote request', () => {
    const net = new Network(ids(3), { config: { checkQuorum: true } });
    elect(net, 1n);
    net.campaign(3n); // term 3, forced
    const votes = net.take((m) => m.type === MessageType.MsgVote);
    assert.equal(votes.length, 2);
    for (const m of votes) net.deliver(m);
    assert.equal(net.queue.filter((m) => m.type === MessageType.MsgVoteResp).length, 0);
    assert.equal(net.node(1n).raft.term, 2n);
    assert.equal(net.node(2n).raft.term, 2n);
    assert.equal(net.node(1n).raft.state, StateType.Leader);
  });
});

describe('pre-vote', () => {
  /** Isolates node 3 while the others keep committing, then lets it rejoin. Returns the terms seen. */
  function partitionAndRejoin(cfg: NodeConfig): { termWhileIsolated: bigint; leader: bigint | undefined; terms: bigint[] } {
    const net = new Network(ids(3), { config: cfg });
    elect(net, 1n);
    net.isolate(3n);
    for (let i = 0; i < 5; i++) {
      net.propose(1n, `p${i}`);
      run(net, 10);
    }
    const termWhileIsolated = net.node(3n).raft.term;
    net.recover(3n);
    run(net, 30);
    return { termWhileIsolated, leader: net.leader()?.id, terms: [...net.nodes.values()].map((n) => n.raft.term) };
  }

  test('a partitioned node with PreVote does not disrupt the cluster when it rejoins', () => {
    const r = partitionAndRejoin({ preVote: true });
    // Its pre-elections failed, so its term never moved...
    assert.equal(r.termWhileIsolated, 2n);
    // ...and on rejoining, leader and term are unchanged.
    assert.equal(r.leader, 1n);
    assert.deepEqual(r.terms, [2n, 2n, 2n]);
  });

  test('without PreVote the rejoining node forces a new election', () => {
    const r = partitionAndRejoin({});
    assert.ok(r.termWhileIsolated > 2n);
    assert.ok(r.terms.every((t) => t > 2n), `terms ${r.terms}`);
  });

  test('PreVote with CheckQuorum: an idle cluster (equal logs) is not disrupted either', () => {
    const net = new Network(ids(3), { config: { preVote: true, checkQuorum: true } });
    elect(net, 1n);
    net.isolate(3n);
    run(net, 40);
    net.recover(3n);
    // Node 3's pre-vote arrives while 1 and 2 are within the lease: ignored.
    net.campaign(3n);
    net.stabilize();
    run(net, 30);
    assert.equal(net.leader()?.id, 1n);
    for (const n of net.nodes.values()) assert.equal(n.raft.term, 2n);
  });

  test('a pre-candidate that wins the pre-vote becomes leader in the next term', () => {
    const net = new Network(ids(3), { config: { preVote: true } });
    net.campaign(1n);
    assert.equal(net.node(1n).raft.state, StateType.PreCandidate);
    assert.equal(net.node(1n).raft.term, 1n);
    assert.ok(net.queue.every((m) => m.type === MessageType.MsgPreVote && m.term === 2n));
    net.stabilize();
    assert.equal(net.leader()?.id, 1n);
    assert.equal(net.node(1n).raft.term, 2n);
  });
});

describe('forgetLeader', () => {
  test('lets a follower grant a vote inside the lease, when the application knows the leader is gone', () => {
    const net = new Network(ids(3), { config: { preVote: true, checkQuorum: true } });
    elect(net, 1n);
    net.isolate(1n);
    // Node 3 still believes in leader 1 and ignores node 2's pre-vote.
    net.campaign(2n);
    net.stabilize();
    assert.notEqual(net.node(2n).raft.state, StateType.Leader);
    net.stepNode(net.node(3n), () => net.node(3n).rn.forgetLeader());
    assert.equal(net.node(3n).raft.lead, 0n);
    net.campaign(2n);
    net.stabilize();
    assert.equal(net.node(2n).raft.state, StateType.Leader);
  });

  test('is a no-op on the leader and refused with lease-based reads', () => {
    const net = new Network(ids(3), { config: { checkQuorum: true, readOnlyOption: ReadOnlyOption.LeaseBased } });
    elect(net, 1n);
    net.node(1n).rn.forgetLeader();
    assert.equal(net.node(1n).raft.lead, 1n);
    net.node(2n).rn.forgetLeader();
    assert.equal(net.node(2n).raft.lead, 1n);
  });
});
