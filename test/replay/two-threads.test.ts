/**
 * A large log is replayed on two threads (reading and raft on a worker,
 * applying here). On etcd's multi-segment data dir (140 MB of WAL) that path
 * must give what etcd served and what the one-thread replay gives, and a
 * damaged or torn log must end as it does on one thread.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fixturesDir, Scratch, walOf } from '../helpers/fixtures.js';
import { cutInsideLastRecord, flipBitMidLog } from '../helpers/corrupt.js';
import { resolveDataDir } from '../../src/codec/data-dir.js';
import { CodecError } from '../../src/codec/errors.js';
import { replayDataDir, type ReplayOptions } from '../../src/replay/replay.js';
import { startFeedWorker } from '../../src/replay/feed-thread.js';

const scratch = new Scratch();
after(() => scratch.remove());
const multiseg = scratch.unpack('multiseg');

/** The response without its header, as text (JSON.parse would round uint64 lease IDs). */
const body = (s: string) => s.trim().replace(/^\{"header":\{[^{}]*\},/, '{');

function replay(dir: string, twoThreads: boolean, opts: Partial<ReplayOptions> = {}) {
  const applied: bigint[] = [];
  // Entries applied on two threads come through shared memory.
  let shared = 0;
  const r = replayDataDir(resolveDataDir(dir), {
    from: 'wal',
    keepHistory: false,
    twoThreads,
    onApplied: (_s, e) => {
      applied.push(e.index);
      if (e.data?.buffer instanceof SharedArrayBuffer) shared++;
    },
    ...opts,
  });
  return { ...r, json: r.state.toEtcdctlJson(), applied, shared };
}

test('on two threads the key space is what etcd served, and what one thread replays, entry for entry', () => {
  const two = replay(multiseg, true);
  const one = replay(multiseg, false);
  assert.ok(two.shared > 0 && one.shared === 0, 'the two-thread path ran');
  assert.equal(body(two.json), body(readFileSync(join(fixturesDir, 'multiseg', 'expected-get.json'), 'utf8')));
  assert.equal(two.json, one.json);
  assert.deepEqual([two.appliedIndex, two.commitIndex, two.lastIndex], [one.appliedIndex, one.commitIndex, one.lastIndex]);
  // Every entry once, in order, the conf changes that open the log among them.
  assert.deepEqual(two.applied, one.applied);
  assert.equal(two.state.cluster.list().length, one.state.cluster.list().length);
});

test('a worker started ahead, as replay-to-state starts it, takes its work and gives what etcd served', () => {
  const ahead = replay(multiseg, true, { feedWorker: startFeedWorker() });
  assert.ok(ahead.shared > 0, 'the two-thread path ran');
  assert.equal(body(ahead.json), body(readFileSync(join(fixturesDir, 'multiseg', 'expected-get.json'), 'utf8')));
});

test('on two threads --at-index stops where one thread stops', () => {
  const at = replay(multiseg, false).appliedIndex / 2n;
  const two = replay(multiseg, true, { atIndex: at });
  const one = replay(multiseg, false, { atIndex: at });
  assert.equal(two.appliedIndex, at);
  assert.equal(two.json, one.json);
});

test('a damaged large log is reported where it is damaged; a torn one replays as on one thread', () => {
  const flipped = scratch.copyOf(multiseg);
  const bad = flipBitMidLog(walOf(flipped), 0.3);
  assert.throws(
    () => replay(flipped, true),
    (e: unknown) => e instanceof CodecError && e.code === 'CRC_MISMATCH' && e.file === bad.segment.path && e.offset === bad.offset,
  );

  const torn = scratch.copyOf(multiseg);
  cutInsideLastRecord(walOf(torn));
  const two = replay(torn, true);
  const one = replay(torn, false);
  assert.equal(two.json, one.json);
  assert.equal(two.lastIndex, one.lastIndex);
});
