/** The ordered key set against a sorted array, across many block splits and merges. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SortedKeys } from '../../src/state/sorted-keys.js';

test('adds, deletes and ranges agree with a sorted array, with keys spread over many blocks', () => {
  let seed = 7;
  const rand = (n: number) => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff), seed % n);
  const key = () => String.fromCharCode(rand(4), rand(256), rand(256));
  const set = new SortedKeys();
  const model = new Set<string>();
  for (let i = 0; i < 20000; i++) {
    const k = key();
    if (rand(3) === 0) assert.equal(set.delete(k), model.delete(k));
    else if (!model.has(k)) {
      set.add(k);
      model.add(k);
    }
  }
  const sorted = [...model].sort();
  assert.equal(set.size, sorted.length);
  assert.deepEqual([...set.range('')], sorted);
  for (let i = 0; i < 50; i++) {
    const [from, to] = [key(), key()].sort();
    assert.deepEqual([...set.range(from, to)], sorted.filter((k) => k >= from && k < to));
    assert.deepEqual([...set.range(from, '')], sorted.filter((k) => k >= from), 'an empty end: no upper bound');
  }
  for (const k of sorted) set.delete(k);
  assert.deepEqual([set.size, [...set.range('')]], [0, []]);
});
