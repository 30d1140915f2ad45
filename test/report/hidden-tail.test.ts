/**
 * Records behind etcd's end of the log. etcd's own ReadAll (the oracle) says
 * where the log ends on each damaged copy and what it holds; the undamaged
 * fixture's ReadAll says which entries and commit there were. walt must name
 * the rest: CRC-valid records past the end are an error with their offset,
 * entries and commitment; other non-zero bytes a warning; zeros nothing.
 * (test/interop/backend-start.test.ts has etcd start on such a dir and erase them.)
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, readFileSync, writeFileSync } from 'node:fs';
import { readFixtureJson, runWalt, Scratch, walOf, type OracleReadAll } from '../helpers/fixtures.js';
import { verifyJson } from '../helpers/verify-json.js';
import { oracle, oracleSkip } from '../helpers/oracle.js';
import { lastSegmentPath, records } from '../helpers/corrupt.js';
import { seededBytes } from '../helpers/backend-damage.js';

const scratch = new Scratch();
after(() => scratch.remove());
const single = scratch.unpack('single');
const whole = readFixtureJson<OracleReadAll>('single', 'oracle-readall-from0.json');
const lastIndex = BigInt(whole.entries[whole.entries.length - 1].index);
const commit = BigInt(whole.hardState!.commit);

/** etcd's ReadAll from index 0 on the damaged copy: where etcd's log ends. */
const etcdRead = (dir: string) => oracle<OracleReadAll & { error: string }>('readall', '--snap-mode', 'none', '--omit-data', dir);

test('a zeroed sector at a record boundary mid-log: etcd reads up to it; walt names the records after it, committed, as an error', { skip: oracleSkip() }, () => {
  const dir = scratch.copyOf(single);
  const seg = lastSegmentPath(walOf(dir));
  // A record that starts a sector, in the middle of the log: zeroing the sector zeroes its length field.
  const recs = records(walOf(dir));
  const at = recs.find((r) => r.offset % 512 === 0 && r.offset > readFileSync(seg).length / 3)!;
  const b = readFileSync(seg);
  b.fill(0, at.offset, at.offset + 512);
  writeFileSync(seg, b);
  const theirs = etcdRead(dir);
  assert.equal(theirs.error, '', 'etcd sees a clean end of the log');
  const seen = BigInt(theirs.entries[theirs.entries.length - 1].index);
  assert.ok(seen < lastIndex, 'and misses entries');
  const { status, report: { problems } } = verifyJson(dir);
  assert.equal(status, 1);
  const p = problems.find((x) => x.code === 'HIDDEN_RECORDS');
  assert.ok(p, JSON.stringify(problems));
  assert.equal(p.severity, 'error');
  assert.equal(p.file, seg);
  assert.ok(p.offset! >= at.offset + 512 && p.offset! % 8 === 0, `offset ${p.offset} after the sector`);
  const m = /entries (\d+)\.\.(\d+) \(all committed/.exec(p.message);
  assert.ok(m, p.message);
  assert.ok(BigInt(m[1]) > seen);
  assert.equal(BigInt(m[2]), lastIndex, 'through the last entry etcd wrote');
  assert.ok(lastIndex <= commit);
  assert.match(p.message, new RegExp(`log ends at byte ${at.offset}`));
  assert.match(p.message, /walt dump --raw/);
  // dump: the same outcome in its end record and exit code.
  const d = runWalt(['dump', '--format', 'ndjson', dir]);
  assert.equal(d.status, 1);
  const end = JSON.parse(d.stdout.trim().split('\n').pop()!);
  assert.equal(end.status, 'error');
  assert.equal(end.code, 'HIDDEN_RECORDS');
  // dump --raw shows them, marked.
  const raw = runWalt(['dump', '--raw', '--format', 'ndjson', dir]);
  const hidden = raw.stdout.trim().split('\n').map((l) => JSON.parse(l)).filter((r) => r.record === 'raw' && r.hidden);
  assert.equal(hidden[0].offset, p.offset);
  assert.equal(BigInt(hidden.filter((r) => r.type === 'entry').pop().detail.index), lastIndex);
  assert.deepEqual(hidden.filter((r) => !r.crcOk), [], 'every hidden record passes its CRC');
});

test("the last record's length field zeroed, its bytes left: etcd's log ends one record early; walt names the record", { skip: oracleSkip() }, () => {
  const dir = scratch.copyOf(single);
  const recs = records(walOf(dir));
  const last = recs[recs.length - 1];
  const seg = last.segment.path;
  const b = readFileSync(seg);
  b.fill(0, last.offset, last.offset + 8);
  writeFileSync(seg, b);
  const theirs = etcdRead(dir);
  assert.equal(theirs.error, '');
  assert.notEqual(theirs.hardState!.commit, whole.hardState!.commit, 'etcd lost the last hard state');
  const { status, report: { problems } } = verifyJson(dir);
  assert.equal(status, 1);
  const p = problems.find((x) => x.code === 'HIDDEN_RECORDS')!;
  assert.ok(p, JSON.stringify(problems));
  assert.equal(p.offset, last.offset);
  assert.match(p.message, new RegExp(`1 record \\(a hard state committing ${whole.hardState!.commit}`));
});

test('zeros after the end are the preallocated tail: nothing to say; other bytes after a zero length field are a warning', { skip: oracleSkip() }, () => {
  const zeros = scratch.copyOf(single);
  appendFileSync(lastSegmentPath(walOf(zeros)), Buffer.alloc(64 * 1024));
  assert.equal(etcdRead(zeros).error, '');
  const z = verifyJson(zeros);
  assert.equal(z.status, 0);
  assert.deepEqual(z.report.problems.filter((p) => p.code === 'HIDDEN_RECORDS' || p.code === 'BYTES_AFTER_END'), []);

  const junk = scratch.copyOf(single);
  const seg = lastSegmentPath(walOf(junk));
  const end = readFileSync(seg).length;
  appendFileSync(seg, Buffer.concat([Buffer.alloc(4096), seededBytes(4096, 'junk')]));
  assert.equal(etcdRead(junk).error, '', 'etcd stops at the zero length field');
  const j = verifyJson(junk);
  assert.equal(j.status, 0);
  const p = j.report.problems.find((x) => x.code === 'BYTES_AFTER_END');
  assert.ok(p, JSON.stringify(j.report.problems));
  assert.equal(p.severity, 'warning');
  assert.equal(p.offset, end + 4096);
});

test('bytes far past the end, several reads on in the zero tail, are found at their offset', { skip: oracleSkip() }, () => {
  const junk = scratch.copyOf(single);
  const seg = lastSegmentPath(walOf(junk));
  const end = readFileSync(seg).length;
  // Past 1 MB of zeros and off any 8-byte boundary: the look reads the tail in pieces (hidden-tail.ts CHUNK).
  const gap = (1 << 20) + 12_345;
  appendFileSync(seg, Buffer.concat([Buffer.alloc(gap), Buffer.from([0x2a])]));
  assert.equal(etcdRead(junk).error, '', 'etcd stops at the zero length field');
  const p = verifyJson(junk).report.problems.find((x) => x.code === 'BYTES_AFTER_END');
  assert.ok(p, 'a warning for the stray byte');
  assert.equal(p.offset, end + gap);
});
