/** The bench's arithmetic: medians, ratios, and targets met or missed (bench/stats.ts, bench/report.ts). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { median, ratio } from '../../bench/stats.js';
import { side, verdict, type Result } from '../../bench/report.js';
import type { Row } from '../../bench/rows.js';

test('median: the middle value, or the mean of the two middle ones', () => {
  assert.equal(median([3, 1, 2]), 2);
  assert.equal(median([4, 1, 3, 2]), 2.5);
  assert.equal(median([5]), 5);
  assert.ok(Number.isNaN(median([])));
});

test("ratio: walt's figure over the anchor's", () => {
  assert.equal(ratio(1, 4), 0.25);
});

const row = (targets: Row['targets']): Row => ({ walt: 'w', anchor: 'a', runWalt: () => ({ seconds: 0, rssMB: 0 }), runAnchor: async () => ({ seconds: 0, rssMB: 0 }), targets });

test('a side is the medians of its successful runs; a failed run is kept as the failure', () => {
  const s = side([
    { seconds: 2, rssMB: 90 },
    { seconds: 1, rssMB: 110 },
    { seconds: 3, rssMB: 100 },
    { seconds: 9, rssMB: 999, failure: 'exit 1' },
  ]);
  assert.deepEqual([s.seconds, s.rssMB, s.runs, s.failure?.failure], [2, 100, 3, 'exit 1']);
});

test('verdicts: time and RSS ratios, RSS in MB, and a failed walt run misses', () => {
  const r: Result = {
    row: row([]),
    walt: side([{ seconds: 1, rssMB: 80 }]),
    anchor: side([{ seconds: 2, rssMB: 100 }]),
  };
  assert.deepEqual(verdict({ of: 'time ratio', max: 0.5 }, r), { value: 0.5, pass: true });
  assert.deepEqual(verdict({ of: 'RSS ratio', max: 0.75 }, r), { value: 0.8, pass: false });
  assert.deepEqual(verdict({ of: 'RSS MB', max: 100 }, r), { value: 80, pass: true });
  const failed = { ...r, walt: side([{ seconds: 1, rssMB: 80 }, { seconds: 60, rssMB: 6000, failure: 'exit 134' }]) };
  assert.equal(verdict({ of: 'time ratio', max: 0.5 }, failed).pass, false);
});
