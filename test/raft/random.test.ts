/**
 * Randomized simulation: clusters of 3 and 5 nodes under a seeded schedule of
 * ticks, proposals, message loss, duplication, delay and reordering, network
 * partitions, crashes with restart from storage, log compaction and (in one
 * variant) membership changes. After every step: at most one leader per term,
 * no two nodes apply different entries at an index (every state machine is a
 * prefix of one sequence), and log matching. At the end the network heals and
 * a proposal must commit on every member.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ConfChangeTransition, ConfChangeType, type ConfChangeSingle } from '../../src/codec/proto/raftpb.js';
import { seededRand } from '../../src/raft/index.js';
import { Network, type TestNode } from './network.js';

interface Scenario {
  seed: number;
  size: number;
  steps: number;
  /** Also propose random membership changes over size+1 nodes. */
  membership: boolean;
}

function simulate({ seed, size, steps, membership }: Scenario): void {
  const rand = seededRand(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)];
  const members = Array.from({ length: size }, (_, i) => BigInt(i + 1));
  const ids = membership ? [...members, BigInt(size + 1)] : members;
  const preVote = rand() < 0.5;
  const checkQuorum = rand() < 0.5;
  const maxSizePerMsg = pick([0, 200, Infinity]);
  const net = new Network(ids, {
    voters: members,
    config: (id) => ({ preVote, checkQuorum, maxSizePerMsg, maxInflightMsgs: 4, rand: seededRand(seed * 1000 + Number(id)) }),
  });
  let proposals = 0;
  let isolated: bigint | undefined;

  for (let step = 0; step < steps; step++) {
    const r = rand();
    if (r < 0.5 && net.queue.length > 0) {
      // Any queued message may go next: delay and reordering.
      const i = Math.floor(rand() * net.queue.length);
      const fate = rand();
      if (fate < 0.1) net.dropAt(i);
      else if (fate < 0.15) net.deliver(net.queue[i]); // a duplicate: the original stays queued
      else net.deliverAt(i);
    } else if (r < 0.78) {
      net.tick(pick(ids));
    } else if (r < 0.9) {
      net.propose(pick(ids), `s${seed}-p${proposals++}`);
    } else if (r < 0.92) {
      net.restart(pick(ids));
    } else if (r < 0.96) {
      net.node(pick(ids)).compact(BigInt(Math.floor(rand() * 5)));
    } else if (r < 0.98) {
      if (isolated === undefined) {
        isolated = pick(ids);
        net.isolate(isolated);
      } else {
        net.recover(isolated);
        isolated = undefined;
      }
    } else if (membership) {
      proposeRandomChange(net, pick(ids), pick(ids), rand, size);
    }
    // Election safety is checked on every Ready, entry-level state machine safety on every apply.
    net.checkStateMachineSafety();
    net.checkLogMatching();
  }

  // Heal the network; the cluster must elect a leader and commit a new proposal on
  // every member. A proposal may be lost with a deposed leader, so retry like an
  // application would.
  net.heal();
  const inConfig = (): TestNode[] => {
    const cs = net.leader()?.confState;
    if (cs === undefined) return [...net.nodes.values()];
    return [...cs.voters, ...cs.learners, ...cs.votersOutgoing].map((id) => net.node(id));
  };
  const done = (): boolean => {
    const tails = inConfig().map((n) => n.state.at(-1));
    return tails.every((t) => t !== undefined && t.startsWith('final') && t === tails[0]);
  };
  for (let round = 0; round < 300 && !done(); round++) {
    // Removed nodes are shut down, as etcd does, so they cannot disrupt with stale campaigns.
    const live = new Set(inConfig());
    for (const n of net.nodes.values()) if (live.has(n)) net.stepNode(n, () => n.rn.tick());
    net.stabilize();
    const leader = net.leader();
    if (round % 20 === 0 && leader !== undefined) net.propose(leader.id, `final${round}`);
    // Snapshot now and then, as applications do: a member added after the last
    // snapshot can only catch up from one that includes it in its ConfState.
    if (round % 20 === 10) for (const n of live) n.compact(2n);
  }
  net.checkStateMachineSafety();
  net.checkLogMatching();
  assert.ok(done(), `no final proposal committed on every member: ${inConfig().map((n) => `${n.id}:${n.state.at(-1)}`)}`);
}

/**
 * Proposes, on node `on`, a change for `target` that keeps at least `minVoters`
 * voters in the proposer's view: demote or remove a voter, promote a learner,
 * add a non-member as learner; sometimes two changes at once through a joint config,
 * or a request to leave a joint config.
 */
function proposeRandomChange(net: Network, on: bigint, target: bigint, rand: () => number, minVoters: number): void {
  const cs = net.node(on).confState;
  if (cs.votersOutgoing.length > 0) {
    net.proposeConfChange(on, { transition: ConfChangeTransition.ConfChangeTransitionAuto, changes: [] });
    return;
  }
  const changes: ConfChangeSingle[] = [];
  if (cs.voters.includes(target)) {
    if (cs.voters.length > minVoters - 1) {
      changes.push({ type: rand() < 0.5 ? ConfChangeType.ConfChangeRemoveNode : ConfChangeType.ConfChangeAddLearnerNode, nodeId: target });
    }
  } else if (cs.learners.includes(target)) {
    changes.push({ type: ConfChangeType.ConfChangeAddNode, nodeId: target });
  } else {
    changes.push({ type: ConfChangeType.ConfChangeAddLearnerNode, nodeId: target });
  }
  // Sometimes swap in another voter-to-be at the same time, which needs a joint config.
  const learner = cs.learners.find((id) => id !== target);
  if (learner !== undefined && rand() < 0.3) changes.push({ type: ConfChangeType.ConfChangeAddNode, nodeId: learner });
  if (changes.length === 0) return;
  const transition = changes.length > 1 || rand() < 0.3 ? pickTransition(rand) : ConfChangeTransition.ConfChangeTransitionAuto;
  net.proposeConfChange(on, { transition, changes });
}

const pickTransition = (rand: () => number): ConfChangeTransition =>
  [ConfChangeTransition.ConfChangeTransitionAuto, ConfChangeTransition.ConfChangeTransitionJointImplicit, ConfChangeTransition.ConfChangeTransitionJointExplicit][
    Math.floor(rand() * 3)
  ];

function runSeeds(size: number, membership: boolean, seeds: number, steps: number): void {
  for (let s = 1; s <= seeds; s++) {
    const seed = s * 7919 + size * 31 + (membership ? 1 : 0);
    try {
      simulate({ seed, size, steps, membership });
    } catch (e) {
      (e as Error).message = `seed ${seed} (size ${size}, membership ${membership}): ${(e as Error).message}`;
      throw e;
    }
  }
}

describe('randomized simulation', () => {
  test('3 nodes', () => runSeeds(3, false, 80, 3000));
  test('5 nodes', () => runSeeds(5, false, 60, 3000));
  test('3 nodes with membership changes', () => runSeeds(3, true, 60, 3000));
  test('5 nodes with membership changes', () => runSeeds(5, true, 40, 3000));
});
