/**
 * The bbolt reader against real bbolt (the oracle walks the same file with
 * bbolt's own Cursor) and against etcd's backend files, then on damaged
 * copies: a bad meta page falls back to the other, as bbolt's DB.meta does;
 * damage past that is an error naming the file and byte offset.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BboltFile, fnv64a, type Bucket } from '../../../src/codec/bbolt/index.js';
import { CodecError } from '../../../src/codec/errors.js';
import { removeDir, unpackFixture } from '../../helpers/fixtures.js';
import { bboltOracle, bboltOracleSkip } from '../../state/helpers.js';

interface Item {
  path: string[];
  key: string;
  value: string | null;
}

function walk(b: Bucket, path: string[], out: Item[]): Item[] {
  for (const e of b.entries()) {
    out.push({ path, key: e.key.toString('hex'), value: e.isBucket ? null : e.value.toString('hex') });
    if (e.isBucket) walk(b.open(e), [...path, e.key.toString('hex')], out);
  }
  return out;
}

function readAll(path: string): Item[] {
  const db = BboltFile.open(path);
  try {
    return walk(db.root(), [], []);
  } finally {
    db.close();
  }
}

function assertCodecError(f: () => unknown, code: string, file: string): CodecError {
  try {
    f();
  } catch (e) {
    assert.ok(e instanceof CodecError, `expected a CodecError, got ${e}`);
    assert.equal(e.code, code, e.message);
    assert.equal(e.file, file);
    return e;
  }
  assert.fail(`expected ${code}`);
}

const tmp = mkdtempSync(join(tmpdir(), 'walt-bbolt-'));
test.after(() => removeDir(tmp));

test('reads every bucket and key as bbolt does: branches, overflow pages, nested and inline buckets, reused pages', { skip: bboltOracleSkip() }, () => {
  const db = join(tmp, 'oracle.db');
  execFileSync(bboltOracle()!, ['make', db]);
  const expected = JSON.parse(execFileSync(bboltOracle()!, ['dump', db], { encoding: 'utf8', maxBuffer: 64 << 20 })) as Item[];
  const ours = readAll(db);
  assert.equal(ours.length, expected.length);
  assert.deepEqual(ours, expected);

  const file = BboltFile.open(db);
  const root = file.root();
  assert.equal(root.bucket(Buffer.from('big'))!.get(Buffer.from('c-100k'))!.length, 90002, 'a value on overflow pages');
  assert.equal(root.bucket(Buffer.from('nest'))!.bucket(Buffer.from('inline'))!.bucket(Buffer.from('deeper'))!.root, 0n, 'an inline bucket');
  assert.equal(root.bucket(Buffer.from('flat'))!.get(Buffer.from('key-000000')), undefined, 'deleted in a later txn');
  assert.equal(root.bucket(Buffer.from('flat'))!.get(Buffer.from('key-000001'))!.length, 60);
  assert.equal(root.get(Buffer.from('flat')), undefined, 'get does not return a bucket');
  assert.equal(root.bucket(Buffer.from('nope')), undefined);
  file.close();
});

test("reads etcd's backend: its buckets, and a meta whose checksum is FNV-64a", () => {
  const dir = unpackFixture('single');
  try {
    const path = join(dir, 'member/snap/db');
    const db = BboltFile.open(path);
    const names = [...db.root().entries()].map((e) => e.key.toString());
    assert.deepEqual(names, ['alarm', 'auth', 'authRoles', 'authUsers', 'cluster', 'key', 'lease', 'members', 'members_removed', 'meta']);
    assert.equal(db.pageSize, 4096);
    const raw = readFileSync(path);
    const at = db.meta.page * db.pageSize + 16;
    assert.equal(fnv64a(raw.subarray(at, at + 56)), db.meta.checksum);
    db.close();
  } finally {
    removeDir(dir);
  }
});

test('a damaged meta page falls back to the other one; both damaged is BBOLT_BAD_META', () => {
  const dir = unpackFixture('single');
  try {
    const path = join(tmp, 'meta.db');
    copyFileSync(join(dir, 'member/snap/db'), path);
    const good = BboltFile.open(path);
    const { page, txid } = good.meta;
    good.close();
    const raw = readFileSync(path);
    // Flip a byte of the winning meta's txid: its checksum no longer holds.
    raw[page * 4096 + 16 + 48] ^= 0xff;
    writeFileSync(path, raw);
    const older = BboltFile.open(path);
    assert.equal(older.meta.page, 1 - page);
    assert.ok(older.meta.txid < txid);
    older.close();
    raw[(1 - page) * 4096 + 16] ^= 0xff; // the other meta's magic
    writeFileSync(path, raw);
    const e = assertCodecError(() => BboltFile.open(path), 'BBOLT_BAD_META', path);
    assert.match(e.message, /page 0: .*page 1: /);
  } finally {
    removeDir(dir);
  }
});

test('a truncated file, a page whose header names another page, and a cycle of pages are errors with offsets', () => {
  const dir = unpackFixture('single');
  try {
    const src = join(dir, 'member/snap/db');
    const db = BboltFile.open(src);
    const keyRoot = db.root().bucket(Buffer.from('key'))!.root;
    db.close();

    const cut = join(tmp, 'cut.db');
    copyFileSync(src, cut);
    const size = Number(keyRoot) * 4096 + 100;
    truncateSync(cut, size);
    const e1 = assertCodecError(() => readAll(cut), 'BBOLT_TRUNCATED', cut);
    assert.equal(e1.offset! % 4096, 0, 'the offset of the page that does not fit');
    assert.ok(e1.offset! + 4096 > size);

    const renamed = join(tmp, 'renamed.db');
    const raw = readFileSync(src);
    raw.writeBigUInt64LE(keyRoot + 1000n, Number(keyRoot) * 4096);
    writeFileSync(renamed, raw);
    const e2 = assertCodecError(() => readAll(renamed), 'BBOLT_BAD_PAGE', renamed);
    assert.equal(e2.offset, Number(keyRoot) * 4096);
    assert.match(e2.message, new RegExp(`page ${keyRoot}'s header says it is page ${keyRoot + 1000n}`));

    // The key bucket's root is a branch page (423 revisions do not fit one leaf): point its first child at itself.
    const cycle = join(tmp, 'cycle.db');
    const raw2 = readFileSync(src);
    assert.equal(raw2.readUInt16LE(Number(keyRoot) * 4096 + 8), 0x01, 'a branch page');
    raw2.writeBigUInt64LE(keyRoot, Number(keyRoot) * 4096 + 16 + 8);
    writeFileSync(cycle, raw2);
    assertCodecError(() => readAll(cycle), 'BBOLT_TOO_DEEP', cycle);
  } finally {
    removeDir(dir);
  }
});

test('a file too short for a meta page: a bbolt file cut short (BBOLT_TRUNCATED) when it starts like one, else not bbolt, at byte 0', () => {
  const path = join(tmp, 'short.db');
  writeFileSync(path, Buffer.alloc(40));
  assert.equal(assertCodecError(() => BboltFile.open(path), 'BBOLT_NOT_BBOLT', path).offset, 0);
  unpackFixture('single', join(tmp, 'short-src'));
  writeFileSync(path, readFileSync(join(tmp, 'short-src', 'member', 'snap', 'db')).subarray(0, 40));
  assert.equal(assertCodecError(() => BboltFile.open(path), 'BBOLT_TRUNCATED', path).offset, 0);
  rmSync(path);
});
