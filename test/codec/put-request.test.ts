/**
 * The hand-read put (put-request.ts) against the general decoder it stands in
 * for: the same objects, key for key and in the same order, on every entry of
 * the fixtures etcd wrote and on puts laid out every way the wire allows.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { Scratch, walOf } from '../helpers/fixtures.js';
import { records } from '../helpers/corrupt.js';
import { decodeMessage, type Msg } from '../../src/codec/proto/message.js';
import { decodePutRequest } from '../../src/codec/proto/put-request.js';
import { InternalRaftRequestSpec, encodeInternalRaftRequest } from '../../src/codec/proto/etcdserverpb.js';
import { EntryType, decodeEntry } from '../../src/codec/proto/raftpb.js';
import { RecordType } from '../../src/codec/proto/walpb.js';
import { ProtoWriter, WireType } from '../../src/codec/proto/wire.js';

const scratch = new Scratch();
after(() => scratch.remove());

/** Key order, bigint and bytes all show. */
const canonical = (m: Msg | undefined) =>
  JSON.stringify(m, (_k, v) => (typeof v === 'bigint' ? `${v}n` : v instanceof Uint8Array ? `bytes:${Buffer.from(v).toString('hex')}` : v));

function general(b: Uint8Array): Msg | Error {
  try {
    return decodeMessage(InternalRaftRequestSpec, b);
  } catch (e) {
    return e as Error;
  }
}

test('on every entry etcd wrote, a put reads as the general decoder reads it, and nothing else is taken', () => {
  let puts = 0;
  for (const name of ['single', 'cluster3', 'k8s', 'multiseg']) {
    const root = scratch.unpack(name);
    const dirs = name === 'cluster3' ? ['m1', 'm2', 'm3'].map((m) => `${root}/${m}`) : [root];
    for (const dir of dirs) {
      for (const rec of records(walOf(dir))) {
        if (rec.type !== RecordType.entry) continue;
        const e = decodeEntry(rec.data!);
        if (e.type !== EntryType.EntryNormal || !e.data?.length) continue;
        const fast = decodePutRequest(e.data);
        const slow = general(e.data);
        if (fast === undefined) {
          const plainPut = !(slow instanceof Error) && slow.put !== undefined && slow.ID === 0n && Object.keys(slow).every((k) => ['ID', 'header', 'put'].includes(k));
          assert.ok(!plainPut, `entry ${e.index} in ${dir} is a plain put, left to the general decoder`);
          continue;
        }
        puts++;
        assert.equal(canonical(fast), canonical(slow as Msg), `entry ${e.index} in ${dir}`);
      }
    }
  }
  assert.ok(puts > 100, `${puts} puts read by hand`);
});

test('puts laid out every way the wire allows read as the general decoder reads them; the rest is left to it', () => {
  /** A message from its fields' writers. */
  const h = (...set: Array<(w: ProtoWriter) => void>) => {
    const w = new ProtoWriter();
    set.forEach((f) => f(w));
    return w.finish();
  };
  const full = encodeInternalRaftRequest({
    header: { ID: 0xffff_ffff_ffff_fff0n, username: 'root ü', auth_revision: 7n },
    put: { key: Buffer.from('k'), value: Buffer.from('v'), lease: -5n, prev_kv: true, ignore_value: true, ignore_lease: true },
  });
  const put = h((w) => w.tag(1, WireType.LEN).bytes(Buffer.from('key')), (w) => w.tag(2, WireType.LEN).bytes(Buffer.alloc(300, 1)));
  const hdr = h((w) => w.tag(2, WireType.LEN).string('u'), (w) => w.tag(1, WireType.VARINT).uint64(9n));
  const irr = (...parts: Array<[number, number, Uint8Array | bigint]>) => {
    const w = new ProtoWriter();
    for (const [no, wt, v] of parts) {
      w.tag(no, wt);
      if (typeof v === 'bigint') w.uint64(v);
      else w.bytes(v);
    }
    return w.finish();
  };
  const taken = [
    full,
    irr([4, WireType.LEN, put], [100, WireType.LEN, hdr]), // put before header
    irr([4, WireType.LEN, put]), // no header
    irr([100, WireType.LEN, hdr], [4, WireType.LEN, put], [4, WireType.LEN, h()]), // put twice: the last wins
    irr([100, WireType.LEN, h()], [4, WireType.LEN, h()]), // empty header and put
  ];
  for (const b of taken) {
    const fast = decodePutRequest(b);
    assert.ok(fast, 'read by hand');
    assert.equal(canonical(fast), canonical(general(b) as Msg));
  }
  const left = [
    irr([1, WireType.VARINT, 5n], [4, WireType.LEN, put]), // an ID
    irr([100, WireType.LEN, hdr]), // no operation
    irr([4, WireType.LEN, put], [5, WireType.LEN, h()]), // a second operation (delete_range)
    irr([4, WireType.LEN, h((w) => w.tag(7, WireType.VARINT).uint64(1n))]), // a field PutRequest does not have
    irr([4, WireType.VARINT, 1n]), // put with the wrong wire type: the general decoder refuses it
    irr([4, WireType.LEN, put]).subarray(0, 10), // cut short: refused too
  ];
  for (const b of left) assert.equal(decodePutRequest(b), undefined);
  assert.ok(general(left[4]) instanceof Error && general(left[5]) instanceof Error);
});
