/**
 * Lockstep differential run (issue 13): 1,000 seeded schedules of ticks,
 * proposals, conf changes (joint ones too, left automatically and
 * explicitly), delivery, drops, duplicates, reordering, snapshots,
 * compaction, restarts, leader transfers asked of any node and ReadIndex, run
 * on walt's raft (etcdVersion '3.4') and on etcd 3.4's (a Go program over
 * Debian's source, test/oracle/raft-lockstep). Every Ready of every node must
 * print the same on both sides. scripts/raft-differential.sh runs 100,000.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { describe, lockstepBinary, lockstepSkip, runSeeds } from './lockstep/compare.js';

test('walt\'s raft prints the same Readies as etcd 3.4\'s over 1,000 seeded schedules', { skip: lockstepSkip() }, () => {
  const d = runSeeds(lockstepBinary()!, 0, 1000);
  assert.equal(d, undefined, d === undefined ? '' : describe(d));
});
