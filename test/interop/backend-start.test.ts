/**
 * Ground truth for verify's backend and hidden-record verdicts: real etcd
 * started on each damaged copy of the `single` fixture, etcd 3.4 on the one
 * 3.4 wrote and etcd 3.5 on the one 3.5 wrote. Every case of
 * test/helpers/backend-damage.ts says whether etcd starts; here etcd is asked.
 * And a zeroed sector mid-log: etcd starts, reads the log up to it, and
 * erases the records walt found behind it (wal.go ReadAll: ZeroToEnd).
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fixturesDir, runWalt, Scratch, walOf } from '../helpers/fixtures.js';
import { lastSegmentPath } from '../helpers/corrupt.js';
import { Etcd, SINGLE, etcdSkip, kvsText, type MemberSpec } from '../helpers/etcd.js';
import { etcd35Bin, etcd35Skip } from '../helpers/etcd35.js';
import { BACKEND_DAMAGE } from '../helpers/backend-damage.js';

const skip = etcdSkip();
const scratch = new Scratch();
after(() => scratch.remove());
const single = scratch.unpack('single');
const expected = kvsText(readFileSync(join(fixturesDir, 'single', 'expected-get.json'), 'utf8'));

/** Starts etcd on `dir`: the keys it serves, or undefined when it refuses to start. */
async function startAndRead(dir: string, member: MemberSpec = SINGLE): Promise<string | undefined> {
  let etcd: Etcd;
  try {
    etcd = await Etcd.start(dir, member);
  } catch (e) {
    assert.match((e as Error).message, /exited during start/, 'refused, not a port or time-out problem');
    return undefined;
  }
  try {
    return kvsText(await etcd.getAll());
  } finally {
    await etcd.stop();
  }
}

const VERSIONS = [
  { etcd: '3.4', member: SINGLE, skip, dir: () => single, expected: () => expected },
  {
    etcd: '3.5',
    member: { ...SINGLE, etcd: join(etcd35Bin, 'etcd'), etcdctl: join(etcd35Bin, 'etcdctl') },
    skip: etcd35Skip(),
    dir: () => scratch.unpack('etcd35/single'),
    expected: () => kvsText(readFileSync(join(fixturesDir, 'etcd35', 'single', 'expected-get.json'), 'utf8')),
  },
];

for (const v of VERSIONS) {
  for (const c of BACKEND_DAMAGE) {
    test(`real etcd ${v.etcd} on ${c.name}: ${c.etcdStarts ? 'starts and serves every key' : 'refuses to start'}`, { skip: v.skip }, async () => {
      const dir = scratch.copyOf(v.dir());
      c.damage(dir);
      const served = await startAndRead(dir, v.member);
      assert.equal(served !== undefined, c.etcdStarts);
      if (served !== undefined) assert.equal(served, v.expected());
    });
  }
}

test('real etcd on a zeroed sector mid-log: starts, and erases the records walt finds behind it', { skip }, async () => {
  const dir = scratch.copyOf(single);
  const seg = lastSegmentPath(walOf(dir));
  const b = readFileSync(seg);
  // 52736 is a record boundary of this fixture: the sector's first 8 bytes become a zero length field.
  b.fill(0, 52736, 52736 + 512);
  writeFileSync(seg, b);
  const before = JSON.parse(runWalt(['verify', '--json', dir]).stdout);
  assert.ok(before.problems.some((p: { code: string }) => p.code === 'HIDDEN_RECORDS'));
  assert.notEqual(await startAndRead(dir), undefined, 'etcd 3.4 starts on it');
  const afterStart = JSON.parse(runWalt(['verify', '--json', dir]).stdout);
  assert.equal(afterStart.problems.some((p: { code: string }) => p.code === 'HIDDEN_RECORDS'), false, 'etcd zeroed what followed its end of the log');
});
