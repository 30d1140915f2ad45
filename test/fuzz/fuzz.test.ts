/**
 * 200 seeds of the differential fuzzer (campaign.ts), and every seed that
 * once failed (regressions.json): walt's verify and dump against etcd's own
 * reader on damaged copies of the fixtures. `npm run fuzz` runs 10,000.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { oracleBinary, oracleSkip } from '../helpers/oracle.js';
import { regressionSeeds, runCampaign } from './campaign.js';
import { MUTATION_KINDS } from './mutations.js';

test('200 seeds and the kept regressions: walt agrees with etcd on every damaged copy, without a crash, a hang or a stray write', { skip: oracleSkip() }, async () => {
  const seeds = [...new Set([...Array.from({ length: 200 }, (_, i) => i + 1), ...regressionSeeds()])];
  const kinds = new Set<string>();
  const failed = await runCampaign({ seeds, oracleBin: oracleBinary()!, onCase: (r) => kinds.add(r.mutation.kind) });
  // The seeds reach every kind of damage: a catalogue entry that never fires tests nothing.
  assert.ok(kinds.size >= MUTATION_KINDS.length - 2, `kinds of damage drawn: ${[...kinds].join(', ')}`);
  assert.deepEqual(failed.map((r) => `seed ${r.seed} (${r.fixture}, ${r.mutation.kind} ${r.mutation.file}): ${r.failures.join('; ')}`), []);
});
