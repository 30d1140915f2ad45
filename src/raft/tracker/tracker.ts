/**
 * The active configuration and every member's progress (etcd
 * raft/tracker/tracker.go): what the leader needs to compute the commit
 * index, tally votes and check that a quorum is alive.
 */
import type { ConfState } from '../../codec/proto/raftpb.js';
import { JointConfig } from '../quorum/joint.js';
import { MajorityConfig } from '../quorum/majority.js';
import { VoteResult, type AckedIndexer } from '../quorum/quorum.js';
import { sortBigints } from '../util.js';
import type { Progress, ProgressMap } from './progress.js';

/**
 * A membership configuration. Invariant: learners and voters (either half)
 * are disjoint. Demoting a voter while joint cannot make it a learner at once,
 * since it is still a voter in the outgoing half; it waits in learnersNext
 * until the joint configuration is left.
 */
export class TrackerConfig {
  constructor(
    readonly voters: JointConfig = new JointConfig(),
    /** Leave the joint configuration automatically once it is applied. */
    public autoLeave = false,
    readonly learners: Set<bigint> = new Set(),
    readonly learnersNext: Set<bigint> = new Set(),
  ) {}

  clone(): TrackerConfig {
    return new TrackerConfig(this.voters.clone(), this.autoLeave, new Set(this.learners), new Set(this.learnersNext));
  }

  toString(): string {
    let s = `voters=${this.voters}`;
    if (this.learners.size > 0) s += ` learners=${new MajorityConfig(this.learners)}`;
    if (this.learnersNext.size > 0) s += ` learners_next=${new MajorityConfig(this.learnersNext)}`;
    if (this.autoLeave) s += ' autoleave';
    return s;
  }
}

export interface TallyResult {
  granted: number;
  rejected: number;
  result: VoteResult;
}

export class ProgressTracker implements AckedIndexer {
  config = new TrackerConfig();
  /** Replace only through setConfig, which keeps `ids` in step. */
  progress: ProgressMap = new Map();
  votes = new Map<bigint, boolean>();
  /** Every tracked ID in ascending order, so iteration (and thus message order) is deterministic. */
  private sortedIds: bigint[] = [];

  constructor(
    readonly maxInflight: number,
    readonly maxInflightBytes: number,
  ) {}

  setConfig(config: TrackerConfig, progress: ProgressMap): void {
    this.config = config;
    this.progress = progress;
    this.sortedIds = sortBigints([...progress.keys()]);
  }

  ids(): readonly bigint[] {
    return this.sortedIds;
  }

  confState(): ConfState {
    return {
      voters: this.config.voters.incoming.slice(),
      learners: this.learnerNodes(),
      votersOutgoing: this.config.voters.outgoing.slice(),
      learnersNext: sortBigints([...this.config.learnersNext]),
      autoLeave: this.config.autoLeave,
    };
  }

  /** Whether the only voter is (at most) one node, e.g. the leader itself. */
  isSingleton(): boolean {
    return this.config.voters.incoming.size === 1 && this.config.voters.outgoing.size === 0;
  }

  ackedIndex(id: bigint): bigint | undefined {
    return this.progress.get(id)?.match;
  }

  /** The largest index acknowledged by a quorum of the (possibly joint) voters. */
  committed(): bigint {
    return this.config.voters.committedIndex(this);
  }

  visit(f: (id: bigint, pr: Progress) => void): void {
    for (const id of this.sortedIds) f(id, this.progress.get(id)!);
  }

  /** Whether a quorum of voters has been heard from recently (CheckQuorum). */
  quorumActive(): boolean {
    const votes = new Map<bigint, boolean>();
    for (const [id, pr] of this.progress) if (!pr.isLearner) votes.set(id, pr.recentActive);
    return this.config.voters.voteResult(votes) === VoteResult.VoteWon;
  }

  voterNodes(): bigint[] {
    return sortBigints([...this.config.voters.ids()]);
  }

  learnerNodes(): bigint[] {
    return sortBigints([...this.config.learners]);
  }

  resetVotes(): void {
    this.votes = new Map();
  }

  /** Records id's vote; only the first vote from each node counts. */
  recordVote(id: bigint, granted: boolean): void {
    if (!this.votes.has(id)) this.votes.set(id, granted);
  }

  tallyVotes(): TallyResult {
    let granted = 0;
    let rejected = 0;
    for (const [id, pr] of this.progress) {
      if (pr.isLearner) continue;
      const v = this.votes.get(id);
      if (v === true) granted++;
      else if (v === false) rejected++;
    }
    return { granted, rejected, result: this.config.voters.voteResult(this.votes) };
  }
}
