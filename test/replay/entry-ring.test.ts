/**
 * The ring between the replay's two threads: every entry arrives once, in
 * order, intact, across many wraps of a small ring and a slow reader, and
 * each conf change's verdict reaches the writer before it goes on.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Worker } from 'node:worker_threads';
import { newRing, RingReader, RingState } from '../../src/replay/entry-ring.js';

test('entries of every size cross a small ring in order, intact, and conf change verdicts go back', async () => {
  const count = 3000;
  const ring = newRing(64 << 10);
  const worker = new Worker(new URL('../helpers/ring-writer.js', import.meta.url), { workerData: { ring, count } });
  const reader = new RingReader(ring);
  let next = 1;
  let refused = 0n;
  const end = reader.drain(
    (e) => {
      const i = next++;
      assert.equal(e.index, BigInt(i));
      assert.equal(e.term, BigInt(i >> 4));
      const size = (i * 7919) % 5000;
      assert.equal(e.data?.length ?? 0, size, `entry ${i}`);
      if (size) assert.ok(e.data!.every((b) => b === (i & 0xff)), `entry ${i} intact`);
      assert.equal(e.type, i % 200 === 0 ? 1 : 0);
      // Now and then a slow apply: the writer, waiting for room, looks again meanwhile and must not write over what is unread.
      if (i % 250 === 0) for (const until = Date.now() + 60; Date.now() < until; );
      // Refuse every other conf change; the writer counts what it was told.
      const refuse = e.type !== 0 && (i / 200) % 2 === 1;
      if (refuse) refused++;
      return refuse;
    },
    (quietMs) => quietMs > 10_000,
  );
  await new Promise((r) => worker.once('exit', r));
  assert.equal(end.state, RingState.DONE);
  assert.equal(next, count + 1);
  assert.equal(end.summary[0], refused);
  assert.ok(refused > 5n);
});
