/**
 * Many seeds of 3- and 5-node clusters, each run with every fault kind
 * (partitions of all three shapes, crashes, torn-write crashes, membership
 * changes, disk stalls, leader transfers, and message loss, delay,
 * duplication and reordering), must pass every check. The counts fit the
 * suite's time budget (a minute or so each on two cores); WALT_SIM_SEEDS
 * runs that many of each instead, for a longer soak.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { simulate } from '../../src/sim/simulate.js';
import { everyFault, removeDir, scratch } from './helpers.js';

const SEEDS: Record<number, number> = { 3: 1000, 5: 1000 };

function runSeeds(nodes: number, seeds: number): Record<string, number> {
  const faults: Record<string, number> = {};
  for (let i = 1n; i <= BigInt(seeds); i++) {
    const seed = i * 1000n + BigInt(nodes);
    const dir = scratch('seeds');
    try {
      const r = simulate({ ...everyFault(seed, nodes), outDir: dir });
      assert.ok(r.ok, `seed ${seed}, ${nodes} nodes: ${r.violation?.check}: ${r.violation?.message}`);
      for (const [k, v] of Object.entries(r.stats.faults)) faults[k] = (faults[k] ?? 0) + v;
    } finally {
      removeDir(dir);
    }
  }
  return faults;
}

for (const nodes of [3, 5]) {
  test(`${nodes}-node clusters under every fault kind pass every check, seed after seed`, (t) => {
    const seeds = Number(process.env.WALT_SIM_SEEDS ?? SEEDS[nodes]);
    const faults = runSeeds(nodes, seeds);
    t.diagnostic(`${seeds} seeds; faults injected: ${JSON.stringify(faults)}`);
    for (const kind of ['partition', 'asymmetric', 'isolate', 'crash', 'addLearner', 'promote', 'remove', 'transferLeader', 'diskStall']) {
      assert.ok((faults[kind] ?? 0) > 0, `no ${kind} fault was injected`);
    }
  });
}
