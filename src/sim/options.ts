/**
 * What a simulation is asked to do, and the defaults: what the command line
 * needs to describe its flags, without loading the simulator itself.
 */
import type { FaultCounts, ScenarioStep } from './scenario.js';

/** Probabilities of what happens to each message on the simulated network. */
export interface FaultRates {
  /** Probability that a message is lost. */
  drop: number;
  /** Probability that a message is held back for up to two election timeouts (later ones overtake it). */
  delay: number;
  /** Probability that a message arrives twice. */
  duplicate: number;
  /** Probability that a message leaves FIFO order and arrives after some later ones. */
  reorder: number;
}

export const noFaultRates = (): FaultRates => ({ drop: 0, delay: 0, duplicate: 0, reorder: 0 });

export type BreakVariant = 'forget-vote';

export interface SimOptions extends FaultCounts {
  /** Voting members at start. */
  nodes: number;
  /** Learners added right after the cluster forms. */
  learners: number;
  seed: bigint;
  ticks: number;
  tickMs: number;
  /** Stop the workload after this many operations (default: as many as the rate gives). */
  ops?: number;
  keys: number;
  /** Client operations per second of virtual time. */
  rate: number;
  rates: FaultRates;
  snapshotCount: number;
  /** A scripted schedule; without it one is generated from the seed and the fault counts. */
  scenario?: ScenarioStep[];
  /** Where node-K/member/{wal,snap} go; a temp dir (removed afterwards) if not given. */
  outDir?: string;
  break?: BreakVariant;
  /** Peer URLs on 127.0.0.1, node k at this port + k (default: http://node-k:2380), so that real etcd can start on the data dirs. */
  peerBasePort?: number;
  /** WAL segment size (etcd: 64,000,000 bytes); small values exercise segment cuts. */
  segmentBytes?: number;
  preVote: boolean;
  /** Shrink the schedule on a violation, in at most this many reruns (0: do not shrink). */
  shrinkRuns: number;
  /** Called every 50 ticks of virtual time. */
  onProgress?: (p: Progress) => void;
}

export const defaultOptions = (): SimOptions => ({
  nodes: 3,
  learners: 0,
  seed: 1n,
  ticks: 1000,
  tickMs: 100,
  keys: 8,
  rate: 20,
  rates: noFaultRates(),
  partitions: 0,
  crashes: 0,
  tornCrashes: 0,
  membershipChanges: 0,
  diskStalls: 0,
  leaderTransfers: 0,
  snapshotCount: 500,
  preVote: true,
  shrinkRuns: 60,
});

export interface Progress {
  timeMs: number;
  tick: number;
  committed: bigint;
  leader?: number;
  faults: number;
}

