/**
 * `walt verify` on real data dirs and on damaged copies of them, judged
 * against etcd's own code (wal.Verify, wal.ReadAll, wal.Repair, snap.Load via
 * the oracle) where the oracle can be built.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { rmSync } from 'node:fs';
import { resolveDataDir, chooseStart } from '../../src/codec/data-dir.js';
import { verifyDataDir } from '../../src/report/verify.js';
import { readFixtureJson, runWalt, type OracleReadAll, Scratch, walOf } from '../helpers/fixtures.js';
import { oracle, oracleSkip } from '../helpers/oracle.js';
import { cutInsideLastRecord, cutInsideLengthField, flipBitMidLog, records, truncateHalf, zeroSectorInLastRecord } from '../helpers/corrupt.js';

const scratch = new Scratch();
after(() => scratch.remove());
const single = scratch.unpack('single');
const cluster = scratch.unpack('cluster3');
const single35 = scratch.unpack('etcd35/single');
const cluster35 = scratch.unpack('etcd35/cluster3');

const copyOf = (src: string) => scratch.copyOf(src);

test('real data dirs of etcd 3.4 and 3.5 verify healthy, as etcd’s wal.Verify says', () => {
  for (const [dir, rec] of [
    [single, ['single', 'oracle-verify.json']],
    [join(cluster, 'm1'), ['cluster3', 'm1', 'oracle-verify.json']],
    [join(cluster, 'm2'), ['cluster3', 'm2', 'oracle-verify.json']],
    [join(cluster, 'm3'), ['cluster3', 'm3', 'oracle-verify.json']],
    [join(cluster, 'm4'), ['cluster3', 'm4', 'oracle-verify.json']],
    // Written by etcd 3.5.
    [single35, ['etcd35', 'single', 'oracle-verify.json']],
    ...(['m1', 'm2', 'm3', 'm4'] as const).map((m) => [join(cluster35, m), ['etcd35', 'cluster3', m, 'oracle-verify.json']] as const),
  ] as const) {
    assert.equal(readFixtureJson(...rec).error, '');
    const r = verifyDataDir(resolveDataDir(dir));
    assert.deepEqual(r.problems, [], dir);
    assert.equal(r.verdict, 'healthy');
    assert.equal(r.hardState!.commit, r.lastIndex, 'a cleanly stopped member has committed its whole log');
  }
  const cli = runWalt(['verify', single]);
  assert.equal(cli.status, 0);
  assert.match(cli.stdout, /HEALTHY/);
});

for (const [name, damage] of [
  ['cut inside the last record', cutInsideLastRecord],
  ['cut inside the last length field', cutInsideLengthField],
  ['a zeroed sector in the last record', zeroSectorInLastRecord],
] as const) {
  test(`torn tail (${name}): repairable, named with file and offset; etcd reads it and repairs it`, { skip: false }, () => {
    const dir = copyOf(single);
    const before = records(walOf(dir));
    const lastGood = before[before.length - 2];
    damage(walOf(dir));
    const r = verifyDataDir(resolveDataDir(dir));
    assert.equal(r.verdict, 'torn-tail');
    assert.equal(r.ok, false);
    assert.equal(r.problems.length, 1);
    const p = r.problems[0];
    assert.equal(p.code, 'TORN_TAIL');
    assert.equal(p.repairable, true);
    assert.equal(p.file, before[before.length - 1].segment.path);
    assert.equal(p.offset, before[before.length - 1].offset, 'the torn record is the last one');
    assert.equal(r.segments[0].usedBytes, lastGood.offset + 8 + lastGood.recordBytes + lastGood.padBytes, 'valid bytes end after the last good record');
    const cli = runWalt(['verify', '--json', dir]);
    assert.equal(cli.status, 3, 'exit 3: a torn tail repair-tail can cut off');
    assert.equal(JSON.parse(cli.stdout).verdict, 'torn-tail');
    if (!oracleSkip()) {
      assert.equal(oracle('verify', walOf(dir)).error, '', 'etcd accepts a torn tail when verifying');
      assert.equal(oracle('repair', walOf(dir)).repaired, true, 'and repairs it');
    }
  });
}

test('a flipped bit mid-log: corrupt, not repairable, at the damaged record; etcd refuses it too', () => {
  const dir = copyOf(single);
  const rec = flipBitMidLog(walOf(dir));
  const r = verifyDataDir(resolveDataDir(dir));
  assert.equal(r.verdict, 'corrupt');
  const p = r.problems.find((x) => x.code === 'CRC_MISMATCH');
  assert.ok(p, JSON.stringify(r.problems));
  assert.equal(p.file, rec.segment.path);
  assert.equal(p.offset, rec.offset);
  assert.notEqual(p.repairable, true);
  const cli = runWalt(['verify', dir]);
  assert.equal(cli.status, 1);
  assert.match(cli.stdout, new RegExp(`CORRUPT[\\s\\S]*${rec.segment.name} at byte ${rec.offset}`));
  if (!oracleSkip()) {
    assert.match(oracle('verify', walOf(dir), '--index', String(chooseStart(resolveDataDir(single)).start.index), '--term', '2').error, /crc mismatch/);
    assert.equal(oracle('repair', walOf(dir)).repaired, false, 'etcd cannot repair it either');
  }
});

test('a truncated newest .snap: reported, and the same older snapshot is chosen as etcd loads', { skip: oracleSkip() }, () => {
  const dir = copyOf(single);
  const snapDir = join(dir, 'member', 'snap');
  const newest = chooseStart(resolveDataDir(dir)).snap!.file;
  truncateHalf(newest.path);
  const r = verifyDataDir(resolveDataDir(dir));
  const p = r.problems.find((x) => x.file === newest.path);
  assert.ok(p, 'the broken snapshot is named');
  const start = chooseStart(resolveDataDir(dir));
  assert.notEqual(start.snap!.file.name, newest.name);
  const theirs = oracle('snapload', snapDir);
  assert.equal(start.snap!.file.name, theirs.file);
  assert.equal(String(start.start.index), theirs.index);
  rmSync(dir, { recursive: true });
});

test('usage errors exit 2 with one line naming the path', () => {
  const missing = runWalt(['verify', '/nonexistent/etcd']);
  assert.equal(missing.status, 2);
  assert.equal(missing.stderr.trim().split('\n').length, 1);
  assert.match(missing.stderr, /\/nonexistent\/etcd: no such file or directory/);
  assert.equal(runWalt(['verify']).status, 2);
  assert.equal(runWalt(['dump', '--start-index', 'abc', single]).status, 2);
});

test('the verdict says what a repair drops and whether it was acknowledged, and what still reads after corruption', () => {
  const torn = copyOf(single);
  const before = records(walOf(torn));
  const last = before[before.length - 1];
  cutInsideLastRecord(walOf(torn));
  const t = JSON.parse(runWalt(['verify', '--json', torn]).stdout);
  assert.equal(t.repair.cutOffset, last.offset);
  assert.equal(t.repair.committedLost, false, 'the torn record is the last hard state: nothing committed is lost');
  assert.match(runWalt(['verify', torn]).stdout, /no acknowledged write is lost/);

  const flipped = copyOf(single);
  const bad = flipBitMidLog(walOf(flipped));
  const c = JSON.parse(runWalt(['verify', '--json', flipped]).stdout);
  assert.equal(c.afterDamage.offset, bad.offset);
  const after = before.filter((r) => r.offset > bad.offset);
  assert.equal(c.afterDamage.recordsAfter, after.length, 'every record after the damage still reads');
  assert.equal(String(c.afterDamage.entriesAfter.last), readFixtureJson<OracleReadAll>('single', 'oracle-readall.json').entries.at(-1)!.index);
});

