/**
 * etcd 3.4's unstable-log tests (raft/log_unstable_test.go), ported with their
 * exact cases and assertions. Go's (value, ok) pairs are walt's value or
 * undefined: `ok` false is undefined, and Go's zero value is then expected.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Entry, Snapshot } from '../../src/codec/proto/raftpb.js';
import { Unstable } from '../../src/raft/log_unstable.js';
import { entry } from './etcd-unit.js';

const e = (index: bigint, term: bigint): Entry => entry({ index, term });
const snap = (index: bigint, term: bigint): Snapshot => ({
  data: undefined,
  metadata: { index, term, confState: { voters: [], learners: [], votersOutgoing: [], learnersNext: [], autoLeave: false } },
});

function unstable(entries: Entry[], offset: bigint, snapshot?: Snapshot): Unstable {
  const u = new Unstable(offset);
  u.entries = entries;
  u.snapshot = snapshot;
  return u;
}

/** Go's (value, ok): the value, or zero with ok false. */
const goPair = (v: bigint | undefined): [bigint, boolean] => [v ?? 0n, v !== undefined];

describe("etcd's log_unstable_test.go", () => {
  test('TestUnstableMaybeFirstIndex', () => {
    const cases: Array<[Entry[], bigint, Snapshot | undefined, boolean, bigint]> = [
      [[e(5n, 1n)], 5n, undefined, false, 0n],
      [[], 0n, undefined, false, 0n],
      [[e(5n, 1n)], 5n, snap(4n, 1n), true, 5n],
      [[], 5n, snap(4n, 1n), true, 5n],
    ];
    cases.forEach(([entries, offset, s, wok, windex], i) => {
      assert.deepEqual(goPair(unstable(entries, offset, s).maybeFirstIndex()), [windex, wok], `#${i}`);
    });
  });

  test('TestMaybeLastIndex', () => {
    const cases: Array<[Entry[], bigint, Snapshot | undefined, boolean, bigint]> = [
      [[e(5n, 1n)], 5n, undefined, true, 5n],
      [[e(5n, 1n)], 5n, snap(4n, 1n), true, 5n],
      [[], 5n, snap(4n, 1n), true, 4n],
      [[], 0n, undefined, false, 0n],
    ];
    cases.forEach(([entries, offset, s, wok, windex], i) => {
      assert.deepEqual(goPair(unstable(entries, offset, s).maybeLastIndex()), [windex, wok], `#${i}`);
    });
  });

  test('TestUnstableMaybeTerm', () => {
    const cases: Array<[Entry[], bigint, Snapshot | undefined, bigint, boolean, bigint]> = [
      [[e(5n, 1n)], 5n, undefined, 5n, true, 1n],
      [[e(5n, 1n)], 5n, undefined, 6n, false, 0n],
      [[e(5n, 1n)], 5n, undefined, 4n, false, 0n],
      [[e(5n, 1n)], 5n, snap(4n, 1n), 5n, true, 1n],
      [[e(5n, 1n)], 5n, snap(4n, 1n), 6n, false, 0n],
      [[e(5n, 1n)], 5n, snap(4n, 1n), 4n, true, 1n],
      [[e(5n, 1n)], 5n, snap(4n, 1n), 3n, false, 0n],
      [[], 5n, snap(4n, 1n), 5n, false, 0n],
      [[], 5n, snap(4n, 1n), 4n, true, 1n],
      [[], 0n, undefined, 5n, false, 0n],
    ];
    cases.forEach(([entries, offset, s, index, wok, wterm], i) => {
      assert.deepEqual(goPair(unstable(entries, offset, s).maybeTerm(index)), [wterm, wok], `#${i}`);
    });
  });

  test('TestUnstableRestore', () => {
    const u = unstable([e(5n, 1n)], 5n, snap(4n, 1n));
    const s = snap(6n, 2n);
    u.restore(s);
    assert.equal(u.offset, s.metadata.index + 1n);
    assert.equal(u.entries.length, 0);
    assert.deepEqual(u.snapshot, s);
  });

  test('TestUnstableStableTo', () => {
    const cases: Array<[Entry[], bigint, Snapshot | undefined, bigint, bigint, bigint, number]> = [
      [[], 0n, undefined, 5n, 1n, 0n, 0],
      [[e(5n, 1n)], 5n, undefined, 5n, 1n, 6n, 0], // stable to the first entry
      [[e(5n, 1n), e(6n, 1n)], 5n, undefined, 5n, 1n, 6n, 1], // stable to the first entry
      [[e(6n, 2n)], 6n, undefined, 6n, 1n, 6n, 1], // stable to the first entry and term mismatch
      [[e(5n, 1n)], 5n, undefined, 4n, 1n, 5n, 1], // stable to old entry
      [[e(5n, 1n)], 5n, undefined, 4n, 2n, 5n, 1], // stable to old entry
      [[e(5n, 1n)], 5n, snap(4n, 1n), 5n, 1n, 6n, 0], // with snapshot: stable to the first entry
      [[e(5n, 1n), e(6n, 1n)], 5n, snap(4n, 1n), 5n, 1n, 6n, 1],
      [[e(6n, 2n)], 6n, snap(5n, 1n), 6n, 1n, 6n, 1], // term mismatch
      [[e(5n, 1n)], 5n, snap(4n, 1n), 4n, 1n, 5n, 1], // stable to snapshot
      [[e(5n, 2n)], 5n, snap(4n, 2n), 4n, 1n, 5n, 1], // stable to old entry
    ];
    cases.forEach(([entries, offset, s, index, term, woffset, wlen], i) => {
      const u = unstable(entries, offset, s);
      u.stableTo(index, term);
      assert.equal(u.offset, woffset, `#${i}: offset`);
      assert.equal(u.entries.length, wlen, `#${i}: len`);
    });
  });

  test('TestUnstableTruncateAndAppend', () => {
    const cases: Array<[Entry[], bigint, Entry[], bigint, Entry[]]> = [
      // append to the end
      [[e(5n, 1n)], 5n, [e(6n, 1n), e(7n, 1n)], 5n, [e(5n, 1n), e(6n, 1n), e(7n, 1n)]],
      // replace the unstable entries
      [[e(5n, 1n)], 5n, [e(5n, 2n), e(6n, 2n)], 5n, [e(5n, 2n), e(6n, 2n)]],
      [[e(5n, 1n)], 5n, [e(4n, 2n), e(5n, 2n), e(6n, 2n)], 4n, [e(4n, 2n), e(5n, 2n), e(6n, 2n)]],
      // truncate the existing entries and append
      [[e(5n, 1n), e(6n, 1n), e(7n, 1n)], 5n, [e(6n, 2n)], 5n, [e(5n, 1n), e(6n, 2n)]],
      [[e(5n, 1n), e(6n, 1n), e(7n, 1n)], 5n, [e(7n, 2n), e(8n, 2n)], 5n, [e(5n, 1n), e(6n, 1n), e(7n, 2n), e(8n, 2n)]],
    ];
    cases.forEach(([entries, offset, toappend, woffset, wentries], i) => {
      const u = unstable(entries, offset);
      u.truncateAndAppend(toappend);
      assert.equal(u.offset, woffset, `#${i}: offset`);
      assert.deepEqual(u.entries, wentries, `#${i}: entries`);
    });
  });
});
