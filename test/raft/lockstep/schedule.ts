/**
 * Seeded schedules for the lockstep differential run: a small cluster's
 * configuration and a list of operations, which walt's driver (driver.ts) and
 * the Go program on etcd's raft (test/oracle/raft-lockstep) both execute.
 * An operation that does not fit the moment (deliver on an empty network, a
 * snapshot with nothing newly applied) does nothing on both sides, so the
 * schedule needs no knowledge of the cluster's state.
 */
import { seededRand } from '../../../src/raft/util.js';

/** Op codes; the Go program's constants are the same numbers in the same order. */
export enum Op {
  /** [Tick, node] */
  Tick,
  /** [TickAll]: every node ticks once, in id order. */
  TickAll,
  /** [Campaign, node] */
  Campaign,
  /** [Propose, node]: data "p<step>". */
  Propose,
  /** [ConfChange, node, type, nodeId]: a ConfChange (v1). */
  ConfChange,
  /** [ConfChangeV2, node, transition, type, nodeId, ...]: no changes means leave the joint config. */
  ConfChangeV2,
  /** [Transfer, node, transferee]: asked of any node, leader or not. */
  Transfer,
  /** [ReadIndex, node]: context "r<step>". */
  ReadIndex,
  /** [Deliver, k]: the message at k mod the network's length (0: the oldest). */
  Deliver,
  /** [Drop, k]; a dropped MsgSnap is reported to its sender as failed. */
  Drop,
  /** [Duplicate, k]: a copy of the message goes to the end of the network. */
  Duplicate,
  /** [DeliverAll]: everything in flight now, oldest first. */
  DeliverAll,
  /** [Snapshot, node, keep]: createSnapshot at the applied index, then compact all but `keep` entries before it. */
  Snapshot,
  /** [Restart, node]: a new RawNode over the node's storage, applied = its snapshot's index. */
  Restart,
  /** [Unreachable, node, peer]: reportUnreachable(peer). */
  Unreachable,
  /**
   * [Stall, node, k]: the node's Ready is left unhandled through step+k (a
   * slow disk): messages still arrive, and a restart meanwhile loses what the
   * Ready held, none of which had left the node.
   */
  Stall,
}

export interface ScheduleConfig {
  electionTick: number;
  heartbeatTick: number;
  checkQuorum: boolean;
  preVote: boolean;
  /** ReadOnlyLeaseBased rather than Safe (only with checkQuorum). */
  leaseBased: boolean;
  /** -1: no limit. */
  maxSizePerMsg: number;
  maxInflight: number;
  /** 0: no limit. */
  maxUncommitted: number;
}

export interface Schedule {
  seed: number;
  /** The election-timeout random source's seed (uint64, decimal). */
  rand: string;
  ids: number[];
  voters: number[];
  learners: number[];
  cfg: ScheduleConfig;
  ops: number[][];
}

/** Operation weights: delivery dominates so that the cluster makes progress between faults. */
const WEIGHTS: [Op, number][] = [
  [Op.Deliver, 34],
  [Op.DeliverAll, 8],
  [Op.Drop, 4],
  [Op.Duplicate, 2],
  [Op.Tick, 6],
  [Op.TickAll, 10],
  [Op.Campaign, 3],
  [Op.Propose, 10],
  [Op.ConfChange, 2],
  [Op.ConfChangeV2, 3],
  [Op.Transfer, 2],
  [Op.ReadIndex, 3],
  [Op.Snapshot, 3],
  [Op.Restart, 1],
  [Op.Unreachable, 1],
  [Op.Stall, 2],
];
const TOTAL = WEIGHTS.reduce((s, [, w]) => s + w, 0);

/** Add, remove or add as learner (ConfChangeUpdateNode changes no configuration). */
const CC_TYPES = [0, 1, 3];

export function makeSchedule(seed: number, length = 150): Schedule {
  const rnd = seededRand(seed);
  const int = (n: number): number => Math.floor(rnd() * n);
  const pick = <T>(xs: readonly T[]): T => xs[int(xs.length)];
  const ids = [1, 2, 3, 4, 5];
  const node = (): number => 1 + int(ids.length);

  const nVoters = pick([1, 2, 3, 3, 3]);
  const voters = ids.slice(0, nVoters);
  const learners = rnd() < 0.3 ? [nVoters + 1] : [];
  const checkQuorum = rnd() < 0.5;
  const electionTick = pick([5, 10]);
  const cfg: ScheduleConfig = {
    electionTick,
    heartbeatTick: 1 + int(3),
    checkQuorum,
    preVote: rnd() < 0.5,
    leaseBased: checkQuorum && rnd() < 0.3,
    maxSizePerMsg: pick([-1, -1, 0, 64, 256]),
    maxInflight: pick([256, 256, 1, 2, 4]),
    maxUncommitted: pick([0, 0, 0, 32, 128]),
  };
  const randSeed = (BigInt(Math.floor(rnd() * 2 ** 32)) << 32n) | BigInt(Math.floor(rnd() * 2 ** 32));

  const ops: number[][] = [];
  for (let i = 0; i < length; i++) {
    let w = rnd() * TOTAL;
    let op = WEIGHTS[0][0];
    for (const [o, ow] of WEIGHTS) {
      if (w < ow) {
        op = o;
        break;
      }
      w -= ow;
    }
    switch (op) {
      case Op.TickAll:
      case Op.DeliverAll:
        ops.push([op]);
        break;
      case Op.Tick:
      case Op.Campaign:
      case Op.Propose:
      case Op.ReadIndex:
      case Op.Restart:
        ops.push([op, node()]);
        break;
      case Op.ConfChange:
        ops.push([op, node(), pick(CC_TYPES), node()]);
        break;
      case Op.ConfChangeV2: {
        const leave = rnd() < 0.3;
        const changes: number[] = [];
        const n = leave ? 0 : 1 + int(3);
        for (let c = 0; c < n; c++) changes.push(pick(CC_TYPES), node());
        ops.push([op, node(), leave ? 0 : int(3), ...changes]);
        break;
      }
      case Op.Transfer:
      case Op.Unreachable:
        ops.push([op, node(), node()]);
        break;
      case Op.Deliver:
      case Op.Drop:
      case Op.Duplicate:
        ops.push([op, rnd() < 0.7 ? 0 : int(1000)]);
        break;
      case Op.Snapshot:
        ops.push([op, node(), int(4)]);
        break;
      case Op.Stall:
        ops.push([op, node(), 1 + int(8)]);
        break;
    }
  }
  return { seed, rand: randSeed.toString(), ids, voters, learners, cfg, ops };
}
