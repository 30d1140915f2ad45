/**
 * The `key` bucket walt restore writes, row by row against the one etcd
 * itself wrote in each fixture's backend: at the commit index both hold the
 * revisions kept since the last compaction, and each row's KeyValue must be
 * etcd's bytes (gogo's proto3 marshalling: no value field for an empty value,
 * no zero revision or lease).
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { runWalt, Scratch } from '../helpers/fixtures.js';
import { BboltFile } from '../../src/codec/bbolt/index.js';

const scratch = new Scratch();
after(() => scratch.remove());

function keyRows(db: string): Map<string, string> {
  const f = BboltFile.open(db);
  try {
    const rows = new Map<string, string>();
    for (const e of f.root().bucket(Buffer.from('key'))!.entries()) rows.set(e.key.toString('hex'), e.value.toString('hex'));
    return rows;
  } finally {
    f.close();
  }
}

for (const [name, dir] of [
  ['single (3.4)', () => scratch.unpack('single')],
  ['k8s (3.4)', () => scratch.unpack('k8s')],
  ['cluster3 m1 (3.4)', () => join(scratch.unpack('cluster3'), 'm1')],
  ['etcd35 single (3.5)', () => scratch.unpack('etcd35/single')],
] as const) {
  test(`${name}: walt restore's key bucket holds etcd's own rows, byte for byte`, () => {
    const data = dir();
    const out = scratch.fresh('restored.db');
    const r = runWalt(['restore', '--out', out, data]);
    assert.equal(r.status, 0, r.stderr);
    const theirs = keyRows(join(data, 'member', 'snap', 'db'));
    const ours = keyRows(out);
    assert.ok(theirs.size > 0, 'etcd wrote rows');
    assert.deepEqual([...ours.keys()], [...theirs.keys()], 'the same revisions');
    for (const [k, v] of theirs) assert.equal(ours.get(k), v, `revision ${k}`);
  });
}
