/**
 * The hand-written KeyValue (key-value.ts) against what it stands in for,
 * encodeMessage(KeyValueSpec): the same bytes, which are etcd's own, for every
 * row of the `key` bucket etcd wrote in the fixtures' backends, and the same
 * bytes for values at every edge of the wire.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { Scratch } from '../helpers/fixtures.js';
import { BboltFile } from '../../src/codec/bbolt/index.js';
import { decodeMessage, encodeMessage } from '../../src/codec/proto/message.js';
import { KeyValueSpec, type mvccpb } from '../../src/codec/proto/bucket-values.js';
import { keyValueSize, writeKeyValue, type KeyValueFields } from '../../src/codec/proto/key-value.js';

const scratch = new Scratch();
after(() => scratch.remove());

function written(kv: KeyValueFields): Buffer {
  const size = keyValueSize(kv);
  // Room on both sides: nothing may be written outside [at, at + size).
  const buf = Buffer.alloc(size + 8, 0xee);
  assert.equal(writeKeyValue(buf, 4, kv), 4 + size);
  assert.deepEqual([...buf.subarray(0, 4), ...buf.subarray(4 + size)], new Array(8).fill(0xee));
  return buf.subarray(4, 4 + size);
}

function general(kv: KeyValueFields): Buffer {
  const key = Buffer.from(kv.key, 'latin1');
  const value = kv.value === undefined ? {} : { value: kv.value };
  return Buffer.from(encodeMessage(KeyValueSpec, { key, create_revision: kv.createRevision, mod_revision: kv.modRevision, version: kv.version, ...value, lease: kv.lease }));
}

const fields = (m: mvccpb.KeyValue): KeyValueFields => ({
  key: Buffer.from(m.key ?? []).toString('latin1'),
  createRevision: m.create_revision,
  modRevision: m.mod_revision,
  version: m.version,
  value: m.value,
  lease: m.lease,
});

test("every KeyValue etcd wrote in the fixtures' backends is written back as encodeMessage writes it, and as etcd did", () => {
  let rows = 0;
  for (const name of ['single', 'cluster3', 'k8s', 'multiseg']) {
    const root = scratch.unpack(name);
    const dirs = name === 'cluster3' ? ['m1', 'm2', 'm3', 'm4'].map((m) => join(root, m)) : [root];
    for (const dir of dirs) {
      const db = BboltFile.open(join(dir, 'member', 'snap', 'db'));
      try {
        for (const e of db.root().bucket(Buffer.from('key'))!.entries()) {
          const m = decodeMessage<mvccpb.KeyValue>(KeyValueSpec, e.value);
          // A tombstone's row holds KeyValue{key} alone (kvstore_txn.go delete).
          const kv = e.key.length === 18 ? { ...fields(m), value: undefined } : fields(m);
          const ours = written(kv);
          assert.deepEqual(ours, general(kv));
          assert.deepEqual(ours, e.value);
          rows++;
        }
      } finally {
        db.close();
      }
    }
  }
  assert.ok(rows > 1000, `${rows} rows`);
});

test('int64 fields at every varint edge, negatives, empty and long keys and values', () => {
  const ints = [0n, 1n, 127n, 128n, 16383n, 16384n, 2n ** 32n, 2n ** 53n - 1n, 2n ** 53n, 2n ** 63n - 1n, -1n, -(2n ** 63n)];
  const bytes = [new Uint8Array(0), Buffer.from('v'), Buffer.alloc(127, 1), Buffer.alloc(128, 2), Buffer.alloc(20000, 3)];
  const keys = ['k', '', '\u00ff\u0000\u0080', 'x'.repeat(200)];
  let n = 0;
  for (const v of ints) {
    for (const key of keys) {
      for (const value of [...bytes, undefined]) {
        const kv: KeyValueFields = { key, createRevision: v, modRevision: BigInt.asIntN(64, -v), version: v === 0n ? 5n : v, value, lease: v };
        assert.deepEqual(written(kv), general(kv), JSON.stringify({ key, v: `${v}`, value: value?.length }));
        n++;
      }
    }
  }
  assert.equal(n, ints.length * keys.length * (bytes.length + 1));
});
