/** Shared by the simulation tests: scratch dirs on tmpfs where there is one, and options with every fault kind. */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defaultOptions, type SimOptions } from '../../src/sim/options.js';
import type { ScenarioStep } from '../../src/sim/scenario.js';

/** Data dirs are written and read back constantly: tmpfs keeps the disk out of the timings. */
const root = existsSync('/dev/shm') ? '/dev/shm' : tmpdir();

export function scratch(prefix: string): string {
  return mkdtempSync(join(root, `walt-${prefix}-`));
}

export function removeDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}

/** A short run with at least one of every fault kind, small snapshots and small WAL segments. */
export function everyFault(seed: bigint, nodes: number, ticks = 160): SimOptions {
  return {
    ...defaultOptions(),
    seed,
    nodes,
    ticks,
    rate: 15,
    rates: { drop: 0.02, delay: 0.02, duplicate: 0.02, reorder: 0.02 },
    partitions: 2,
    crashes: 1,
    tornCrashes: 1,
    membershipChanges: 3,
    diskStalls: 1,
    leaderTransfers: 1,
    snapshotCount: 25,
    segmentBytes: 16 * 1024,
    shrinkRuns: 0,
  };
}

/**
 * The window in which a node that forgets its vote on restart can vote twice
 * in a term (see break.test.ts): nodes 1 and 2 cut from each other from the
 * start, node 3 between them down for 15 ticks, then restarting every other tick.
 */
export function forgetVoteWindow(): ScenarioStep[] {
  const steps: ScenarioStep[] = [
    { at: 0, partition: [[1], [2]] },
    { at: 0, crash: 3, for: 15 },
  ];
  for (let b = 1; b <= 10; b++) steps.push({ at: 15 + 2 * b, crash: 3, for: 1 });
  return steps;
}
