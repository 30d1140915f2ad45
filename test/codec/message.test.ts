/**
 * What message.ts adds to protobufjs, each rule on a small message: exact
 * 64-bit integers, gogo's strictness, the last oneof member winning, and
 * gogo's choice of what to write (byte for byte against hand-made bytes).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeMessage, encodeMessage, spec } from '../../src/codec/proto/message.js';
import { ProtoWriter, WireType } from '../../src/codec/proto/wire.js';
import { ProtoError } from '../../src/codec/errors.js';
import type { etcdserverpb, mvccpb } from '../../src/codec/proto/etcd.gen.js';

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
const msg = (...set: Array<(w: ProtoWriter) => void>) => {
  const w = new ProtoWriter();
  for (const f of set) f(w);
  return w.finish();
};

test('64-bit integers are exact bigints both ways: uint64 past 2^53, negative int64', () => {
  const kv = { key: new Uint8Array([0x61]), create_revision: -2n, mod_revision: 2n ** 63n - 1n, version: 9007199254740993n, lease: -(2n ** 63n) };
  const b = encodeMessage(spec('mvccpb.KeyValue'), kv);
  const back = decodeMessage<mvccpb.KeyValue>(spec('mvccpb.KeyValue'), b);
  assert.deepEqual([back.create_revision, back.mod_revision, back.version, back.lease], [-2n, 2n ** 63n - 1n, 9007199254740993n, -(2n ** 63n)]);
  const h = decodeMessage<etcdserverpb.RequestHeader>(spec('etcdserverpb.RequestHeader'), msg((w) => w.tag(1, WireType.VARINT).uint64(2n ** 64n - 1n)));
  assert.equal(h.ID, 2n ** 64n - 1n);
});

test("decoding is as strict as gogo's: a known field with another wire type, field 0, a stray end-group, a length past the end", () => {
  const put = spec('etcdserverpb.PutRequest');
  assert.throws(() => decodeMessage(put, msg((w) => w.tag(1, WireType.VARINT).uint64(1))), (e) => e instanceof ProtoError && /wrong wire type 0 for field key/.test(e.message));
  assert.throws(() => decodeMessage(put, new Uint8Array([0x00, 0x01])), ProtoError);
  assert.throws(() => decodeMessage(put, new Uint8Array([0x0c])), ProtoError);
  assert.throws(() => decodeMessage(put, new Uint8Array([0x0a, 0x05, 0x61])), ProtoError);
  // Nested: the txn's compare's key as a varint.
  const txn = msg((w) => w.tag(1, WireType.LEN).bytes(msg((c) => c.tag(3, WireType.VARINT).uint64(1))));
  assert.throws(() => decodeMessage(spec('etcdserverpb.TxnRequest'), txn), /wrong wire type 0 for field key/);
  // An unknown field of any wire type is skipped.
  assert.deepEqual(decodeMessage(put, msg((w) => w.tag(77, WireType.FIXED64).fixed64(5n), (w) => w.tag(1, WireType.LEN).bytes(new Uint8Array([0x61])))).key, new Uint8Array([0x61]));
});

test('a oneof with two members on the wire keeps the last, as gogo does, nested in a txn too', () => {
  const compare = msg((w) => w.tag(2, WireType.VARINT).uint64(1), (w) => w.tag(4, WireType.VARINT).uint64(3), (w) => w.tag(5, WireType.VARINT).uint64(0));
  const c = decodeMessage<etcdserverpb.Compare>(spec('etcdserverpb.Compare'), compare);
  assert.equal(c.version, undefined);
  assert.equal(c.create_revision, 0n);
  const txn = decodeMessage<etcdserverpb.TxnRequest>(spec('etcdserverpb.TxnRequest'), msg((w) => w.tag(1, WireType.LEN).bytes(new Uint8Array([0x28, 0x07])), (w) => w.tag(1, WireType.LEN).bytes(compare)));
  assert.equal(txn.compare[0].create_revision, 7n);
  assert.equal(txn.compare[1].version, undefined);
  assert.equal(txn.compare[1].create_revision, 0n);
});

test("encoding writes what gogo writes: proto2 non-nullable fields even at zero, nullable ones when set, proto3 scalars when not zero, oneof members when set", () => {
  // v2 Request: every non-nullable field, zero or not; PrevExist=false is written, absent is not.
  const req = spec('etcdserverpb.Request');
  const mk = encodeMessage(req, { ID: 1n, Method: 'PUT', Path: '/a', PrevExist: false });
  assert.equal(hex(mk), '0801' + '1203505554' + '1a022f61' + '2200' + '2800' + '3200' + '3800' + '4000' + '4800' + '5000' + '5800' + '6000' + '6800' + '7000' + '7800' + '800100');
  assert.ok(!hex(encodeMessage(req, { ID: 1n, Method: 'PUT', Path: '/a' })).includes('4000'));
  // Compare{target: CREATE, create_revision: 0}: the member is written at zero; result EQUAL (0) is not.
  assert.equal(hex(encodeMessage(spec('etcdserverpb.Compare'), { result: 0, target: 1, key: new Uint8Array([0x61]), create_revision: 0n })), '1001' + '1a0161' + '2800');
  // raftpb.Entry type 0 and term 0 are written; walpb.Snapshot's conf_state only when there is one; SnapshotMetadata's conf_state always.
  assert.equal(hex(encodeMessage(spec('raftpb.Entry'), { type: 0, term: 0n, index: 5n })), '080010001805');
  assert.equal(hex(encodeMessage(spec('walpb.Snapshot'), { index: 0n, term: 0n })), '08001000');
  assert.equal(hex(encodeMessage(spec('raftpb.Snapshot'), {})), '1208' + '0a022800' + '1000' + '1800');
});
