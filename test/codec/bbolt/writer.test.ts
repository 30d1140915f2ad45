/**
 * The bbolt writer judged by bbolt itself: the bbolt oracle (Debian's
 * go.etcd.io/bbolt) opens what walt wrote as etcd 3.4 does and runs Tx.Check,
 * walks every bucket with its Cursor, and looks every key up again through the
 * branch pages with Get. Shapes: a bucket deep enough for three levels of
 * branches, values on overflow pages, an empty bucket, binary keys, keys of
 * every length up to bbolt's limit. Then walt's own reader reads it back (a
 * consistency check of walt with walt).
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { BboltFile, BboltWriter, checkBbolt, type Bucket } from '../../../src/codec/bbolt/index.js';
import { AtomicFileWriter } from '../../../src/codec/atomic-file.js';
import { Scratch } from '../../helpers/fixtures.js';
import { bboltOracle, bboltOracleSkip } from '../../state/helpers.js';

const scratch = new Scratch();
after(() => scratch.remove());

type Item = { path: string[]; key: string; value: string | null };

const value = (i: number, n: number) => Buffer.from(Array.from({ length: n }, (_, j) => (i * 31 + j * 7) & 0xff));
const key = (i: number) => Buffer.from(`key-${String(i).padStart(7, '0')}`);

/** The buckets of the test file, each an ordered list of [key, value]. */
function buckets(): Array<[string, Array<[Buffer, Buffer]>]> {
  const many = Array.from({ length: 120_000 }, (_, i): [Buffer, Buffer] => [key(i), value(i, i % 50)]);
  const big = [10_000, 100_000, 1 << 20, 5].map((n, i): [Buffer, Buffer] => [Buffer.from([0x61 + i]), value(i, n)]);
  const binary = Array.from({ length: 600 }, (_, i): [Buffer, Buffer] => [Buffer.from([i >> 8, i & 0xff, 0, 0xff]), Buffer.alloc(0)]);
  const longKeys = [1, 100, 1000, 4000, 32768].map((n, i): [Buffer, Buffer] => [Buffer.concat([Buffer.from([0x30 + i]), Buffer.alloc(n - 1, 0x7a)]), value(i, 3)]);
  return [
    ['many', many],
    ['big', big],
    ['empty', []],
    ['binary', binary],
    ['long-keys', longKeys],
  ];
}

function expected(): Item[] {
  const out: Item[] = [];
  for (const [name, entries] of [...buckets()].sort((a, b) => Buffer.compare(Buffer.from(a[0]), Buffer.from(b[0])))) {
    const hex = Buffer.from(name).toString('hex');
    out.push({ path: [], key: hex, value: null });
    for (const [k, v] of entries) out.push({ path: [hex], key: k.toString('hex'), value: v.toString('hex') });
  }
  return out;
}

function write(path: string, pageSize?: number): number {
  const out = new AtomicFileWriter(path);
  const db = new BboltWriter(out, pageSize);
  for (const [name, entries] of buckets()) db.bucket(Buffer.from(name), entries);
  const size = db.finish();
  out.commit(true);
  return size;
}

const oracle = (cmd: string, path: string) => JSON.parse(execFileSync(bboltOracle()!, [cmd, path], { encoding: 'utf8', maxBuffer: 1 << 30 }));

for (const pageSize of [4096, 16384]) {
  test(`bbolt checks, walks and looks up every key of a file walt wrote (page size ${pageSize})`, { skip: bboltOracleSkip() }, () => {
    const path = scratch.fresh(`written-${pageSize}.db`);
    const size = write(path, pageSize);
    assert.equal(statSync(path).size, size);
    assert.deepEqual(oracle('check', path), { errors: [] });
    assert.deepEqual(oracle('dump', path), expected());
    const seek = oracle('seek', path);
    assert.deepEqual(seek.notFound, []);
    assert.equal(seek.keys, expected().length);
  });
}

function walk(b: Bucket, path: string[], out: Item[]): Item[] {
  for (const e of b.entries()) {
    out.push({ path, key: e.key.toString('hex'), value: e.isBucket ? null : e.value.toString('hex') });
    if (e.isBucket) walk(b.open(e), [...path, e.key.toString('hex')], out);
  }
  return out;
}

test("consistency: walt's bbolt reader and check read back what walt's writer wrote", () => {
  const path = scratch.fresh('written-walt.db');
  write(path);
  const db = BboltFile.open(path);
  try {
    assert.deepEqual(walk(db.root(), [], []), expected());
    const check = checkBbolt(db);
    assert.deepEqual(check.findings, []);
    assert.equal(check.reachable + check.free, check.pages);
    assert.equal(db.metas[0].problem, undefined);
    assert.equal(db.metas[1].problem, undefined);
  } finally {
    db.close();
  }
});

test('keys out of order are refused, and an aborted file leaves nothing behind', () => {
  const path = scratch.fresh('unsorted.db');
  const out = new AtomicFileWriter(path);
  const db = new BboltWriter(out);
  assert.throws(() => db.bucket(Buffer.from('b'), [[Buffer.from('b'), Buffer.alloc(0)], [Buffer.from('a'), Buffer.alloc(0)]]), /increasing order/);
  out.abort();
  assert.equal(existsSync(path), false);
});
