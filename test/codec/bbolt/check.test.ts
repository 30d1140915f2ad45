/**
 * bbolt's check (codec/bbolt/check.ts) against bbolt's own: the bbolt oracle
 * opens each file as etcd 3.4 does (NoFreelistSync, so Open walks every page
 * and panics on a bad one) and runs Tx.Check. etcd's backends check clean;
 * damage bbolt panics on is a finding walt counts as fatal; a file bbolt
 * calls invalid is one walt does not open.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { BboltFile, checkBbolt } from '../../../src/codec/bbolt/index.js';
import { CodecError } from '../../../src/codec/errors.js';
import { Scratch } from '../../helpers/fixtures.js';
import { bboltOracle, bboltOracleSkip } from '../../state/helpers.js';
import { dbOf, seededBytes } from '../../helpers/backend-damage.js';
import { PageFlag, readPageHeader } from '../../../src/codec/bbolt/page.js';

const scratch = new Scratch();
after(() => scratch.remove());
const single = scratch.unpack('single');
const cluster = scratch.unpack('cluster3');
const backends = [dbOf(single), ...['m1', 'm2', 'm3'].map((m) => dbOf(join(cluster, m)))];

type OracleCheck = { open?: string; errors?: string[]; panic?: string };

/**
 * What bbolt finds wrong with a damaged file: its panic, or its check's errors.
 * With NoFreelistSync, bbolt's Open walks the tree and panics from a goroutine
 * of its own (db.go freepages) with the reason the walk met; under load the
 * process can finish, tx.Check reporting the same reason, before that
 * goroutine runs. Either way the reason is bbolt's.
 */
function bboltRefusal(path: string): string {
  const v = bboltCheck(path);
  return v.panic ?? (v.errors ?? []).join('\n');
}

/** bbolt's verdict on a copy (Open may write to the file). */
function bboltCheck(path: string): OracleCheck {
  const copy = scratch.fresh('oracle-copy');
  copyFileSync(path, copy);
  try {
    return JSON.parse(execFileSync(bboltOracle()!, ['check', copy], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }));
  } catch (e) {
    return { panic: String((e as { stderr?: string }).stderr ?? e).split('\n')[0] };
  }
}

function ourCheck(path: string) {
  const db = BboltFile.open(path);
  try {
    return checkBbolt(db);
  } finally {
    db.close();
  }
}

test("etcd's backends: bbolt's check finds nothing, and neither does walt's; every page is reached or free", { skip: bboltOracleSkip() }, () => {
  for (const db of backends) {
    assert.deepEqual(bboltCheck(db), { errors: [] }, db);
    const r = ourCheck(db);
    assert.deepEqual(r.findings, [], db);
    assert.equal(r.freelistSynced, false, 'etcd 3.4 writes no freelist (NoFreelistSync)');
    assert.equal(r.reachable + r.free, r.pages, 'metas, tree and free pages cover the file');
  }
});

test('a branch pointing twice at one child: bbolt refuses it (multiple references), walt reports it', { skip: bboltOracleSkip() }, () => {
  // The cluster's key buckets are big enough to have a branch root.
  const path = scratch.fresh('shared.db');
  copyFileSync(dbOf(join(cluster, 'm1')), path);
  const f = BboltFile.open(path);
  const root = f.root().bucket(Buffer.from('key'))!.root;
  const at = Number(root) * f.pageSize;
  f.close();
  const b = readFileSync(path);
  const h = readPageHeader(b, at);
  if (h.flags !== PageFlag.branch || h.count < 2) return assert.fail(`the key root page ${root} is not a branch with two children: pick another fixture`);
  // Branch elements: pos u32, ksize u32, pgid u64 at +8; point the second at the first's child.
  b.writeBigUInt64LE(b.readBigUInt64LE(at + 16 + 8), at + 16 + 16 + 8);
  writeFileSync(path, b);
  assert.match(bboltRefusal(path), /multiple references/);
  assert.ok(ourCheck(path).findings.some((x) => x.kind === 'multiple-references'));
});

test('a page overwritten with random bytes: bbolt refuses it (a page out of bounds), walt names the page and its offset', { skip: bboltOracleSkip() }, () => {
  const path = scratch.fresh('random-page.db');
  copyFileSync(dbOf(single), path);
  const f = BboltFile.open(path);
  const root = f.root().bucket(Buffer.from('key'))!.root;
  const size = f.pageSize;
  f.close();
  const b = readFileSync(path);
  b.set(seededBytes(size, 'check-test'), Number(root) * size);
  writeFileSync(path, b);
  assert.match(bboltRefusal(path), /page \d+: out of bounds/);
  const finding = ourCheck(path).findings.find((x) => x.page === root);
  assert.ok(finding, 'the overwritten page is named');
  assert.equal(finding.offset, Number(root) * size);
});

test("files bbolt calls invalid are ones walt does not open, and it says what they are", { skip: bboltOracleSkip() }, () => {
  const cases: Array<[string, Buffer, RegExp]> = [
    ['text', Buffer.from('abc'), /3 bytes of text/],
    ['random', seededBytes(16384, 'invalid'), /unknown data/],
    ['zeros', Buffer.alloc(16384), /starting with zeros/],
  ];
  for (const [name, bytes, what] of cases) {
    const path = scratch.fresh(name);
    writeFileSync(path, bytes);
    assert.equal(bboltCheck(path).open, 'invalid database', name);
    assert.throws(() => BboltFile.open(path), (e: unknown) => e instanceof CodecError && e.code === 'BBOLT_NOT_BBOLT' && what.test(e.message) && e.offset === 0, name);
  }
});
