/**
 * Membership changes as an operator makes them with etcdctl: one at a time,
 * proposed on the leader as etcd's MemberAdd/MemberPromote/MemberRemove do
 * (a ConfChange with a fresh ID, the member JSON as context), retried with a
 * new ID when a leader change loses the proposal, and given up after a while.
 * A promotion waits until the learner has caught up (etcd refuses it before:
 * isLearnerReady).
 */
import { ConfChangeType, type ConfChange } from '../codec/proto/raftpb.js';
import { memberContext, promoteContext } from './members.js';
import type { SimNode } from './node.js';
import type { Target } from './scenario.js';

export type MemberChange = { kind: 'addLearner' } | { kind: 'promote'; target: number | 'learner' } | { kind: 'remove'; target: Target };

/** What reconfiguration needs from the cluster. */
export interface ReconfigPort {
  leader(): SimNode | undefined;
  /** Node number of a member ID (undefined for an unknown one). */
  kOf(id: bigint): number | undefined;
  idOf(k: number): bigint;
  /** Node k's peer URL (members.ts peerURL). */
  peerURL(k: number): string;
  /** Reserves the next node number and its ID for a member to be added. */
  allocate(): number;
  /** Proposes on the leader and handles its Ready; false if raft dropped the proposal at once. */
  propose(leader: SimNode, cc: ConfChange): boolean;
  /** Resolves `follower` among the voters other than the leader. */
  pickFollower(voters: number[], leader: number): number | undefined;
  log(text: string): void;
}

interface Pending {
  change: MemberChange;
  since: number;
  /** The node the change is about, once resolved. */
  k?: number;
  /** IDs of every proposal made for it: an earlier one may commit after a retry. */
  ccIds: bigint[];
  proposedAt?: number;
}

/** etcd: a learner may be promoted once its match index is within 90% of the leader's. */
const LEARNER_READY = 0.9;

export class Reconfig {
  private readonly queue: Pending[] = [];
  private current: Pending | undefined;
  private nextCcId: bigint;

  constructor(
    private readonly port: ReconfigPort,
    ccIdBase: bigint,
    /** Re-propose after this long without the change applied. */
    private readonly retryMs: number,
    /** Give up on a change after this long. */
    private readonly giveUpMs: number,
  ) {
    this.nextCcId = ccIdBase;
  }

  enqueue(change: MemberChange, now: number): void {
    this.queue.push({ change, since: now, ccIds: [] });
  }

  /** Drops the changes not yet proposed (the run is over); the one in flight may still complete. */
  cancelQueued(): void {
    this.queue.length = 0;
  }

  get busy(): boolean {
    return this.current !== undefined || this.queue.length > 0;
  }

  /** Called every tick: proposes, retries or gives up. */
  poll(now: number): void {
    if (this.current === undefined) {
      const next = this.queue.shift();
      if (next === undefined) return;
      next.since = now;
      this.current = next;
    }
    const p = this.current;
    if (now - p.since > this.giveUpMs) {
      this.port.log(`gave up: ${describe(p)}`);
      this.current = undefined;
      return;
    }
    if (p.proposedAt !== undefined && now - p.proposedAt < this.retryMs) return;
    const leader = this.port.leader();
    if (leader === undefined) return;
    const change = this.build(p, leader);
    if (change === undefined) return;
    const cc: ConfChange = { id: this.nextCcId++, ...change };
    if (!this.port.propose(leader, cc)) return;
    p.ccIds.push(cc.id);
    p.proposedAt = now;
  }

  private build(p: Pending, leader: SimNode): Omit<ConfChange, 'id'> | undefined {
    const cs = leader.confState;
    switch (p.change.kind) {
      case 'addLearner': {
        p.k ??= this.port.allocate();
        const nodeId = this.port.idOf(p.k);
        return { type: ConfChangeType.ConfChangeAddLearnerNode, nodeId, context: memberContext({ id: nodeId, peerURLs: [this.port.peerURL(p.k)], isLearner: true }) };
      }
      case 'promote': {
        const t = p.change.target;
        const learners = cs.learners.map((l) => this.port.kOf(l)).filter((k): k is number => k !== undefined);
        p.k ??= t === 'learner' ? learners[0] : learners.includes(t) ? t : undefined;
        if (p.k === undefined) return undefined;
        const nodeId = this.port.idOf(p.k);
        const pr = leader.rn.raft.prs.progress.get(nodeId);
        const own = leader.rn.raft.prs.progress.get(leader.id);
        if (pr === undefined || own === undefined || Number(pr.match) < Number(own.match) * LEARNER_READY) return undefined;
        return { type: ConfChangeType.ConfChangeAddNode, nodeId, context: promoteContext(nodeId) };
      }
      case 'remove': {
        const voters = cs.voters.map((v) => this.port.kOf(v)).filter((k): k is number => k !== undefined);
        // Keep at least two voters, so that one more failure never leaves a configuration that cannot elect.
        if (p.k === undefined) {
          if (voters.length < 3) return undefined;
          const t = p.change.target;
          p.k = t === 'leader' ? leader.k : t === 'follower' ? this.port.pickFollower(voters, leader.k) : voters.includes(t) ? t : undefined;
          if (p.k === undefined) return undefined;
        }
        return { type: ConfChangeType.ConfChangeRemoveNode, nodeId: this.port.idOf(p.k) };
      }
    }
  }

  /** A node applied a conf change; one proposed for the change in hand completes it. */
  applied(cc: ConfChange, accepted: boolean): void {
    const p = this.current;
    if (p === undefined || !p.ccIds.includes(cc.id)) return;
    this.current = undefined;
    this.port.log(`${accepted ? 'applied' : 'refused by the membership'}: ${describe(p)}`);
  }
}

function describe(p: Pending): string {
  const who = p.k !== undefined ? `node ${p.k}` : 'a node';
  switch (p.change.kind) {
    case 'addLearner':
      return `add ${who} as a learner`;
    case 'promote':
      return `promote ${who}`;
    case 'remove':
      return `remove ${who}`;
  }
}
