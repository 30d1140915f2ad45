/**
 * `dump --follow` beside a live WAL: the last records etcd wrote are cut off
 * a copy, walt starts following it, and the same bytes are appended back the
 * way etcd appends them (a record at a time, the last one in two writes).
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { appendFileSync, readFileSync, truncateSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { removeDir, unpackFixture, waltBin } from '../helpers/fixtures.js';
import { records } from '../helpers/corrupt.js';

const dir = unpackFixture('single');
after(() => removeDir(dir));

test('--follow prints entries as they are appended, and not before they are whole', async () => {
  const wal = join(dir, 'member', 'wal');
  const recs = records(wal);
  const cut = recs[recs.length - 8];
  const segment = cut.segment.path;
  const tail = readFileSync(segment).subarray(cut.offset);
  truncateSync(segment, cut.offset);
  const expected = recs.slice(-8).filter((r) => r.type === 2).length;

  const child = spawn(process.execPath, [waltBin, 'dump', '--follow', '--format', 'ndjson', dir], { env: { ...process.env, FORCE_COLOR: '0' } });
  let out = '';
  child.stdout.on('data', (b) => (out += b));
  const entries = () => out.split('\n').filter((l) => l.includes('"record":"entry"')).map((l) => JSON.parse(l));
  try {
    await waitFor(() => out.includes('"record":"hardState"'));
    await sleep(300);
    const before = entries().length;
    // Half of the appended bytes: whole records print, the one cut in two waits.
    const half = Math.floor(tail.length / 2);
    appendFileSync(segment, tail.subarray(0, half));
    await sleep(800);
    const mid = entries().length;
    appendFileSync(segment, tail.subarray(half));
    await waitFor(() => entries().length === before + expected);
    const got = entries().slice(before).map((e) => e.index);
    assert.equal(got.length, expected);
    assert.ok(mid < before + expected, 'an incomplete record is not printed');
    assert.deepEqual(got, [...got].sort((a, b) => a - b), 'in log order');
    assert.equal(got.at(-1), entries().at(-1).index);
  } finally {
    child.kill('SIGINT');
  }
});

async function waitFor(cond: () => boolean, ms = 10_000): Promise<void> {
  const until = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > until) throw new Error('timed out waiting for walt');
    await sleep(50);
  }
}
