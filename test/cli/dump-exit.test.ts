/**
 * dump's exit code and its NDJSON end record come from one outcome: "eof" 0,
 * "torn" 3, "error" 1. etcd's ReadAll (the oracle) says what each damaged
 * log is: read to its end, torn (ErrUnexpectedEOF, which etcd repairs), or
 * refused.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runWalt, Scratch, walOf } from '../helpers/fixtures.js';
import { oracle, oracleSkip } from '../helpers/oracle.js';
import { cutInsideLastRecord, flipBitMidLog } from '../helpers/corrupt.js';

const scratch = new Scratch();
after(() => scratch.remove());
const single = scratch.unpack('single');
const EXIT: Record<string, number> = { eof: 0, torn: 3, error: 1 };

function dumpEnd(dir: string): { status: number; end: { status: string; code?: string } } {
  const r = runWalt(['dump', '--format', 'ndjson', dir]);
  return { status: r.status, end: JSON.parse(r.stdout.trim().split('\n').pop()!) };
}

test('the end record and the exit code agree: healthy, torn tail, corruption mid-log', { skip: oracleSkip() }, () => {
  const torn = scratch.copyOf(single);
  cutInsideLastRecord(walOf(torn));
  const bad = scratch.copyOf(single);
  flipBitMidLog(walOf(bad));
  for (const [dir, want] of [[single, 'eof'], [torn, 'torn'], [bad, 'error']] as const) {
    const { status, end } = dumpEnd(dir);
    assert.equal(end.status, want, dir);
    assert.equal(status, EXIT[end.status], `${dir}: exit ${status} for end status ${end.status}`);
    const etcd = oracle<{ error: string }>('verify', walOf(dir));
    assert.equal(etcd.error === '', want !== 'error', `etcd's wal.Verify: ${etcd.error}`);
    assert.equal(runWalt(['verify', dir]).status, status, 'verify exits as dump does');
  }
});

test('a 0-byte .wal: the end record says error, as the exit code does', () => {
  const dir = scratch.fresh('empty');
  mkdirSync(join(dir, 'member', 'wal'), { recursive: true });
  writeFileSync(join(dir, 'member', 'wal', '0000000000000000-0000000000000000.wal'), '');
  const { status, end } = dumpEnd(dir);
  assert.equal(end.status, 'error');
  assert.equal(status, 1);
  assert.equal(end.code, 'SNAPSHOT_NOT_FOUND');
});
