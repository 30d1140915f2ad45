/**
 * Scenario files: what they may say, and a scripted run that takes every
 * step kind in turn and still passes every check; generated schedules hold
 * what the fault counts ask for.
 */
import { describe, test, after } from 'node:test';
import assert from 'node:assert/strict';
import { defaultOptions } from '../../src/sim/options.js';
import { simulate } from '../../src/sim/simulate.js';
import { FAULT_KINDS, ScenarioError, faultKind, generateSchedule, parseScenario, type ScenarioStep } from '../../src/sim/scenario.js';
import { Prng } from '../../src/sim/prng.js';
import { removeDir, scratch } from './helpers.js';

const dirs: string[] = [];
after(() => dirs.forEach(removeDir));

describe('scenario files', () => {
  test('a list of steps, in an object or bare, sorted by tick', () => {
    const steps = parseScenario('{"steps": [{"at": 9, "heal": true}, {"at": 3, "crash": "leader", "torn": true, "for": 4}]}');
    assert.deepEqual(steps, [
      { at: 3, crash: 'leader', torn: true, for: 4 },
      { at: 9, heal: true },
    ]);
    assert.deepEqual(parseScenario('[{"at": 1, "partition": [[1], [2, 3]]}]'), [{ at: 1, partition: [[1], [2, 3]] }]);
  });

  test('refuses what it cannot run, saying which step and why', () => {
    const bad: Array<[string, RegExp]> = [
      ['{"steps": [', /not JSON/],
      ['{"faults": []}', /expected \{"steps"/],
      ['[{"crash": 1}]', /step 1 .*"at"/],
      ['[{"at": 1, "for": 0, "crash": 1}]', /"for"/],
      ['[{"at": 1, "crash": 1, "heal": true}]', /exactly one of/],
      ['[{"at": 1, "partition": [[1, 2]]}]', /bad value for "partition"/],
      ['[{"at": 1, "crash": "everyone"}]', /bad value for "crash"/],
      ['[{"at": 1, "rates": {"drop": 2}}]', /bad value for "rates"/],
      ['[{"at": 1, "heal": true}, {"at": 2, "promote": 0}]', /step 2 .*"promote"/],
    ];
    for (const [text, why] of bad) assert.throws(() => parseScenario(text), (e: unknown) => e instanceof ScenarioError && why.test(e.message), text);
  });
});

test('a scripted run through every step kind passes every check', () => {
  const steps: ScenarioStep[] = [
    { at: 20, partition: [[1, 2], [3]], for: 15 },
    { at: 40, asymmetric: { from: [1], to: [2, 3] }, for: 10 },
    { at: 60, isolate: 'leader', for: 20 },
    { at: 85, heal: true },
    { at: 90, crash: 'leader', torn: true, for: 10 },
    { at: 110, crash: 2 },
    { at: 125, restart: 2 },
    { at: 140, addLearner: true },
    { at: 170, promote: 'learner' },
    { at: 200, remove: 'follower' },
    { at: 230, transferLeader: 'any' },
    { at: 250, diskStall: 'leader', for: 8 },
    { at: 270, rates: { drop: 0.05, reorder: 0.05 } },
  ];
  const dir = scratch('scenario');
  dirs.push(dir);
  const r = simulate({ ...defaultOptions(), seed: 5n, ticks: 320, snapshotCount: 40, scenario: steps, outDir: dir });
  assert.ok(r.ok, `${r.violation?.check}: ${r.violation?.message}`);
  for (const kind of FAULT_KINDS) {
    assert.equal(r.stats.faults[kind], steps.filter((s) => faultKind(s) === kind).length, `${kind}: ${JSON.stringify(r.stats.faults)}`);
  }
  const texts = r.events.map((e) => e.text);
  assert.ok(texts.some((t) => /torn (entry|hard state)/.test(t)), 'the torn crash tore nothing');
  assert.ok(texts.some((t) => t.startsWith('repaired a torn tail')));
  assert.ok(texts.includes('applied: add node 4 as a learner') && texts.includes('applied: promote node 4'), texts.join('\n'));
  assert.ok(texts.some((t) => /^applied: remove node \d$/.test(t)));
  assert.equal(r.finals.filter((f) => f.status === 'removed').length, 1);
  assert.equal(r.finals.length, 4);
});

test('a generated schedule has the faults asked for, inside the run, in tick order', () => {
  const counts = { partitions: 3, crashes: 2, tornCrashes: 2, membershipChanges: 4, diskStalls: 2, leaderTransfers: 1 };
  const steps = generateSchedule({ ticks: 500, electionTick: 10, members: 3, ...counts }, new Prng(9n, 'schedule'));
  const kinds = steps.map(faultKind);
  const n = (k: string) => kinds.filter((x) => x === k).length;
  assert.equal(n('partition') + n('asymmetric') + n('isolate'), 3);
  assert.equal(n('crash'), 4);
  assert.equal(steps.filter((s) => 'crash' in s && s.torn).length, 2);
  assert.deepEqual([n('addLearner'), n('promote'), n('remove')], [2, 1, 1]);
  assert.equal(n('diskStall'), 2);
  assert.equal(n('transferLeader'), 1);
  assert.ok(steps.every((s, i) => s.at >= 20 && s.at <= 470 && (i === 0 || steps[i - 1].at <= s.at)));
  assert.deepEqual(generateSchedule({ ticks: 500, electionTick: 10, members: 3, ...counts }, new Prng(9n, 'schedule')), steps);
});
