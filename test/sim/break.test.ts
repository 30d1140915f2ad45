/**
 * The checks catch a deliberately broken node: one that forgets its vote when
 * it restarts, and so may vote twice in a term. That only matters in a narrow
 * window (two candidates in one term, the voter restarting between their
 * requests before it hears from a leader), so the schedule makes the window
 * common: nodes 1 and 2 cannot reach each other, node 3 links them and
 * crashes, long enough for both to campaign, then briefly and often; messages
 * are delayed and duplicated. Seeds are searched, within a bound.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { defaultOptions, type SimOptions } from '../../src/sim/options.js';
import { simulate } from '../../src/sim/simulate.js';
import { forgetVoteWindow, removeDir, scratch } from './helpers.js';

const dirs: string[] = [];
after(() => dirs.forEach(removeDir));

const TICKS = 60;
const MAX_SEEDS = 60n;


function options(seed: bigint, shrinkRuns = 0): SimOptions {
  const dir = scratch('break');
  dirs.push(dir);
  return {
    ...defaultOptions(),
    seed,
    ticks: TICKS,
    preVote: false,
    rates: { drop: 0, delay: 0.7, duplicate: 0.8, reorder: 0 },
    scenario: forgetVoteWindow(),
    break: 'forget-vote',
    shrinkRuns,
    outDir: dir,
  };
}

test('a node that forgets its vote on restart is caught with some seed, and only when broken', () => {
  let seed = 1n;
  let r = simulate(options(seed));
  while (r.ok && seed < MAX_SEEDS) r = simulate(options(++seed));
  assert.ok(!r.ok, `no seed in 1..${MAX_SEEDS} caught the node that forgets its vote`);
  // Two leaders in a term is what a forgotten vote leads to; the other checks may see its consequence first.
  assert.match(r.violation!.check, /^(election-safety|log-matching|leader-completeness|state-machine-safety)$/, r.violation!.message);

  const healthy = simulate({ ...options(seed), break: undefined });
  assert.ok(healthy.ok, `seed ${seed} fails without the broken node too: ${healthy.violation?.message}`);

  const shrunk = simulate(options(seed, 20)).shrunk;
  assert.ok(shrunk !== undefined);
  assert.ok(shrunk.steps.length < forgetVoteWindow().length, `shrinking kept all ${shrunk.steps.length} steps`);
  const again = simulate({ ...options(seed), scenario: shrunk.steps, rates: shrunk.rates });
  assert.equal(again.violation?.check, shrunk.violation.check, 'the shrunk schedule no longer shows the violation');
});
