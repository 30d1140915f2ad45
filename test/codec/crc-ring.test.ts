/**
 * The ring that hands runs of records from the scanning thread to the CRC
 * checker: a run is checked where it goes (by the checker when a buffer is
 * free to move on to, in place when none is), and a broken CRC fails the
 * check either way. Runs are real etcd WAL bytes.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { listSegments } from '../../src/codec/segment-name.js';
import { RecordReader } from '../../src/codec/record-reader.js';
import { checkCrcRange, checkRing, newCrcRing, ringHeld, RingWriter, SLOT_BYTES } from '../../src/codec/crc-ring.js';
import { Scratch, walOf } from '../helpers/fixtures.js';

const scratch = new Scratch();
after(() => scratch.remove());

/** The first segment of etcd's single-member data dir, and where its records end and the running CRC at a record in its middle. */
function segmentBytes(): { bytes: Uint8Array; end: number; mid: number; crcAtMid: number } {
  const segs = listSegments(walOf(scratch.unpack('single')));
  const reader = new RecordReader(segs.slice(0, 1));
  const offsets: Array<{ offset: number; crcBefore: number }> = [];
  let crc = 0;
  for (let r = reader.next(); r; r = reader.next()) {
    offsets.push({ offset: r.offset, crcBefore: crc });
    crc = reader.crc;
  }
  const end = reader.lastValidOffset;
  const m = offsets[Math.floor(offsets.length / 2)];
  assert.ok(end < SLOT_BYTES && offsets.length > 20);
  return { bytes: new Uint8Array(readFileSync(segs[0].path)), end, mid: m.offset, crcAtMid: m.crcBefore };
}

const damaged = (b: Uint8Array, at: number): Uint8Array => {
  const copy = b.slice();
  copy[at] ^= 0x10;
  return copy;
};

test('a run of records checks from its start or from any record in it, with the CRC stored before it; a flipped bit fails it', () => {
  const { bytes, end, mid, crcAtMid } = segmentBytes();
  assert.ok(checkCrcRange(bytes, 0, end, 0));
  assert.ok(checkCrcRange(bytes, mid, end, crcAtMid));
  assert.ok(!checkCrcRange(bytes, mid, end, crcAtMid ^ 1), 'the CRC before the run matters');
  assert.ok(!checkCrcRange(damaged(bytes, end - 12), 0, end, 0));
  assert.ok(!checkCrcRange(bytes, 0, end - 1, 0), 'a run that ends inside a record fails');
});

test('runs handed to the checker, and runs checked in place when no buffer is free, fail alike on a broken CRC', () => {
  const { bytes, end } = segmentBytes();
  for (const broken of [false, true]) {
    const content = broken ? damaged(bytes, end - 12) : bytes;
    // Handed over: the writer's buffer is one of the ring's, and another is free.
    const ring = newCrcRing();
    const writer = new RingWriter(ring);
    writer.buffers[0].set(content.subarray(0, end));
    const next = writer.settle(writer.buffers[0], 0, end, 0);
    assert.ok(next && next !== writer.buffers[0], 'moves on to a free buffer');
    writer.end();
    checkRing(ring);
    assert.equal(ringHeld(ring, 1000), !broken, `handed over, broken ${broken}`);

    // In place: every other buffer is still with the checker.
    const busy = newCrcRing();
    const w3 = new RingWriter(busy);
    let cur = w3.buffers[0];
    for (let i = 0; i < w3.buffers.length - 1; i++) {
      cur.set(bytes.subarray(0, end));
      cur = w3.settle(cur, 0, end, 0)!;
      assert.ok(cur, 'a free buffer');
    }
    cur.set(content.subarray(0, end));
    assert.equal(w3.settle(cur, 0, end, 0), undefined, 'none free: checked in place');
    w3.end();
    checkRing(busy);
    assert.equal(ringHeld(busy, 1000), !broken, `all busy, broken ${broken}`);

    // In place: a buffer of the writer's own (a record too large for the ring's) is checked where it is.
    const own = newCrcRing();
    const w2 = new RingWriter(own);
    const big = content.slice(0, end);
    w2.settle(big, 0, end, 0);
    w2.end();
    checkRing(own);
    assert.equal(ringHeld(own, 1000), !broken, `in place, broken ${broken}`);
  }
});
