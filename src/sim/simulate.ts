/**
 * The simulation's options and results, and the run: `runOnce` runs the
 * cluster (cluster.ts) once with a fault schedule; `simulate` takes the
 * schedule from the options (a scenario, or one generated from the seed),
 * runs it, and on a violation shrinks it.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Entry, HardState } from '../codec/proto/raftpb.js';
import { Prng } from './prng.js';
import type { NetworkStats } from './network.js';
import type { FaultRates, SimOptions } from './options.js';
import type { KeyValue } from './state-machine.js';
import type { WorkloadStats } from './workload.js';
import type { Violation } from './checks.js';
import type { LinearizabilityResult } from './linearizability.js';
import type { Role, StatsSummary, TimelineEvent } from './stats.js';
import { generateSchedule, type ScenarioStep } from './scenario.js';
import { shrinkSchedule, type ShrinkResult } from './shrink.js';
import { Cluster, type SlotStatus } from './cluster.js';
import { ELECTION_TICK } from './node.js';

export interface NodeState {
  node: number;
  id: string;
  status: SlotStatus;
  role?: Role;
  term?: bigint;
  vote?: string;
  commit?: bigint;
  applied?: bigint;
  lastIndex?: bigint;
  snapshotIndex?: bigint;
}

/** What the simulation knows of a node at the end, for checking its data dir. */
export interface NodeFinal {
  node: number;
  id: bigint;
  dataDir: string;
  status: SlotStatus;
  /** Every entry written to its WAL, after overwrites. */
  persisted: Entry[];
  durableHardState: HardState;
  applied: bigint;
  keySpace: KeyValue[];
  revision: bigint;
}

export interface RunOutcome {
  ok: boolean;
  violation?: Violation;
  /** The nodes at the violation, or at the end. */
  nodes: NodeState[];
  finals: NodeFinal[];
  stats: StatsSummary;
  network: NetworkStats;
  workload: WorkloadStats;
  linearizability?: LinearizabilityResult;
  committed: bigint;
  steps: number;
  endMs: number;
  tickMs: number;
  ticks: number;
  events: TimelineEvent[];
  roles: Map<number, Array<{ timeMs: number; role: Role }>>;
  schedule: ScenarioStep[];
  rates: FaultRates;
  clusterId: bigint;
}

export interface SimResult extends RunOutcome {
  seed: bigint;
  dataDir: string;
  shrunk?: ShrinkResult;
}

/** One run in `dir` with this schedule and these network rates. */
export function runOnce(opts: SimOptions, schedule: ScenarioStep[], rates: FaultRates, dir: string): RunOutcome {
  return new Cluster(opts, schedule, rates, dir).run();
}

/** The schedule the options ask for: the scenario, or one generated from the seed. */
export function scheduleFor(opts: SimOptions): ScenarioStep[] {
  if (opts.scenario !== undefined) return opts.scenario;
  return generateSchedule(
    {
      ticks: opts.ticks,
      electionTick: ELECTION_TICK,
      members: opts.nodes + opts.learners,
      partitions: opts.partitions,
      crashes: opts.crashes,
      tornCrashes: opts.tornCrashes,
      membershipChanges: opts.membershipChanges,
      diskStalls: opts.diskStalls,
      leaderTransfers: opts.leaderTransfers,
    },
    new Prng(opts.seed, 'schedule'),
  );
}

/** Runs the simulation; on a violation, shrinks the schedule in throwaway dirs. */
export function simulate(opts: SimOptions): SimResult {
  const temp = opts.outDir === undefined ? mkdtempSync(join(tmpdir(), 'walt-sim-')) : undefined;
  const dir = opts.outDir ?? temp!;
  try {
    const schedule = scheduleFor(opts);
    const outcome = runOnce(opts, schedule, opts.rates, dir);
    const result: SimResult = { ...outcome, seed: opts.seed, dataDir: dir };
    const v = outcome.violation;
    if (v !== undefined && opts.shrinkRuns > 0) {
      const quiet = { ...opts, onProgress: undefined };
      result.shrunk = shrinkSchedule(schedule, opts.rates, v, opts.tickMs, opts.shrinkRuns, (steps, rates) => {
        const scratch = mkdtempSync(join(tmpdir(), 'walt-shrink-'));
        try {
          return runOnce(quiet, steps, rates, scratch).violation;
        } finally {
          rmSync(scratch, { recursive: true, force: true });
        }
      });
    }
    return result;
  } finally {
    if (temp !== undefined) rmSync(temp, { recursive: true, force: true });
  }
}
