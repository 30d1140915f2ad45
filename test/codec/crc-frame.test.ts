/**
 * The two primitives every record rests on: CRC-32C (RFC 3720's check
 * values, and the chaining etcd relies on) and the length field with its
 * padding bits, checked against the framing of records etcd wrote.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import { crc32c } from '../../src/codec/crc32c.js';
import { padFor, readFrameSize, writeFrameSize } from '../../src/codec/frame.js';
import { removeDir, unpackFixture, walOf } from '../helpers/fixtures.js';
import { records } from '../helpers/corrupt.js';
import { decodeRecord } from '../../src/codec/proto/walpb.js';
import { ProtoWriter } from '../../src/codec/proto/wire.js';
import { ProtoError } from '../../src/codec/errors.js';

const single = unpackFixture('single');
after(() => removeDir(single));

test('CRC-32C check values (RFC 3720 B.4 and the usual "123456789")', () => {
  assert.equal(crc32c(Buffer.from('123456789')), 0xe3069283);
  assert.equal(crc32c(new Uint8Array(32)), 0x8a9136aa);
  assert.equal(crc32c(new Uint8Array(32).fill(0xff)), 0x62a8ab43);
  assert.equal(crc32c(Uint8Array.from({ length: 32 }, (_, i) => i)), 0x46dd794e);
  assert.equal(crc32c(new Uint8Array(0), 0x1234), 0x1234, 'no data leaves the running value as it is');
});

test('a running CRC over pieces equals the CRC of the whole, at every size (native and JS paths alike)', () => {
  const data = Uint8Array.from({ length: 5000 }, (_, i) => (i * 131 + 7) & 0xff);
  const whole = crc32c(data);
  for (const cut of [1, 25, 127, 128, 129, 1000, 4999]) assert.equal(crc32c(data.subarray(cut), crc32c(data.subarray(0, cut))), whole, `cut at ${cut}`);
  const pure = createRequire(import.meta.url)('crc-32/crc32c') as { buf(b: Uint8Array, s?: number): number };
  for (const n of [0, 1, 24, 127, 128, 1024, 5000]) assert.equal(crc32c(data.subarray(0, n), 77), pure.buf(data.subarray(0, n), 77) >>> 0, `${n} bytes`);
});

test("every record etcd wrote: its length field decodes to its size and padding, and encodes back to the same 8 bytes", () => {
  const recs = records(walOf(single));
  const file = readFileSync(recs[0].segment.path);
  let sawPadding = false;
  for (const r of recs) {
    const { recordBytes, padBytes } = readFrameSize(file, r.offset);
    assert.equal(recordBytes, r.recordBytes);
    assert.equal(padBytes, padFor(recordBytes), 'padded to 8-byte alignment');
    assert.equal((r.offset + 8 + recordBytes + padBytes) % 8, 0);
    const field = new Uint8Array(8);
    writeFrameSize(field, 0, recordBytes);
    assert.deepEqual(field, new Uint8Array(file.subarray(r.offset, r.offset + 8)));
    sawPadding ||= padBytes > 0;
  }
  assert.ok(sawPadding, 'the fixture has padded records');
  // The record's CRC chains: each stored value is the running CRC over the data so far.
  let running = 0;
  for (const r of recs) {
    if (r.type === 4) {
      running = r.crc;
      continue;
    }
    running = crc32c(r.data ?? new Uint8Array(0), running);
    assert.equal(running, r.crc, `record at ${r.offset}`);
  }
});

test('walpb.Record decodes as gogo does whatever the field layout, not only the one etcd writes', () => {
  const data = new Uint8Array(300).map((_, i) => i);
  const decode = (w: ProtoWriter) => {
    const b = w.finish();
    return decodeRecord(b, 0, b.length);
  };
  const same = (r: ReturnType<typeof decodeRecord>, type: number, crc: number, bytes?: Uint8Array) => {
    assert.equal(r.type, type);
    assert.equal(r.crc, crc);
    assert.deepEqual(r.data && [...r.data], bytes && [...bytes]);
  };
  // etcd's layout: type, crc, data.
  same(decode(new ProtoWriter().tag(1, 0).uint64(2).tag(2, 0).uint32(0xdeadbeef).tag(3, 2).bytes(data)), 2, 0xdeadbeef, data);
  // The same fields in reverse order, a two-byte type, a crc record without data, and data present but empty.
  same(decode(new ProtoWriter().tag(3, 2).bytes(data).tag(2, 0).uint32(7).tag(1, 0).uint64(2)), 2, 7, data);
  same(decode(new ProtoWriter().tag(1, 0).uint64(300).tag(2, 0).uint32(1)), 300, 1);
  same(decode(new ProtoWriter().tag(1, 0).uint64(4).tag(2, 0).uint32(0)), 4, 0);
  same(decode(new ProtoWriter().tag(1, 0).uint64(2).tag(2, 0).uint32(9).tag(3, 2).bytes(new Uint8Array(0))), 2, 9, new Uint8Array(0));
  // A crc written as a wider varint keeps its low 32 bits, as gogo's uint32 decoding does.
  same(decode(new ProtoWriter().tag(1, 0).uint64(2).tag(2, 0).uint64(0x1_0000_0005n)), 2, 5);
  // A data length that runs past the record is an error, not a short view.
  const cut = new ProtoWriter().tag(1, 0).uint64(2).tag(2, 0).uint32(1).tag(3, 2).bytes(data).finish();
  assert.throws(() => decodeRecord(cut, 0, cut.length - 1), ProtoError);
});
