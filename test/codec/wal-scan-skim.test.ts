/**
 * A scan without hooks skims runs of plain entries and hard states in bulk
 * (RecordReader.skim); a scan with a hook reads every record one by one. Both
 * must come to the same summary, on etcd's own data dirs and on logs with
 * everything that stops a skim: overwrites, gaps, lower terms, entries
 * before the start, indexes past 2^53, member IDs as votes, and a flipped
 * bit.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { chooseStart, resolveDataDir } from '../../src/codec/data-dir.js';
import { listSegments } from '../../src/codec/segment-name.js';
import { scanWal, type ScanOptions } from '../../src/codec/wal-scan.js';
import { WalWriter } from '../../src/codec/wal-writer.js';
import { encodeMetadata } from '../../src/codec/proto/metadata.js';
import { EntryType, type Entry } from '../../src/codec/proto/raftpb.js';
import type { WalSnapshot } from '../../src/codec/proto/walpb.js';
import { flipBitMidLog } from '../helpers/corrupt.js';
import { Scratch, walOf } from '../helpers/fixtures.js';

const scratch = new Scratch();
after(() => scratch.remove());

/** The scan as one record at a time sees it (a hook turns skimming off), and as skimmed. */
function assertSameScan(walDir: string, start: WalSnapshot, opts: ScanOptions = {}): ReturnType<typeof scanWal> {
  const segments = listSegments(walDir);
  const skimmed = scanWal(segments, start, opts);
  const oneByOne = scanWal(segments, start, { ...opts, onRecord: () => {} });
  assert.deepEqual(skimmed, oneByOne);
  return skimmed;
}

test("etcd's data dirs scan the same skimmed, from index 0 and from the snapshot etcd loads", () => {
  const single = scratch.unpack('single');
  const cluster = scratch.unpack('cluster3');
  const dirs = [single, ...['m1', 'm2', 'm3', 'm4'].map((m) => join(cluster, m))];
  for (const dir of dirs) {
    const paths = resolveDataDir(dir);
    assertSameScan(paths.walDir, { index: 0n, term: 0n }, { matchSnapshot: false });
    const scan = assertSameScan(paths.walDir, chooseStart(paths).start);
    assert.ok(!scan.error && scan.entryCount > 0 && scan.hardState, dir);
  }
});

test('overwrites, gaps, lower terms and entries before the start stop a skim where one record at a time takes over', () => {
  const dir = scratch.fresh('edges');
  const w = WalWriter.create(dir, encodeMetadata({ nodeId: 1n, clusterId: 2n }), { sync: false, segmentBytes: 32 << 10 });
  const entry = (index: bigint, term: bigint): Entry => ({ index, term, type: EntryType.EntryNormal, data: Buffer.from(`entry ${index}`.padEnd(200, '.')) });
  // A vote of a 64-bit member ID makes a 10-byte varint.
  const run = (from: bigint, to: bigint, term: bigint) => {
    for (let i = from; i <= to; i++) w.save({ term, vote: 0xfedcba9876543210n, commit: from - 1n }, [entry(i, term)]);
  };
  run(1n, 300n, 2n);
  run(200n, 500n, 3n);
  run(450n, 700n, 4n);
  w.close();
  {
    const scan = assertSameScan(dir, { index: 0n, term: 0n }, { matchSnapshot: false });
    assert.equal(scan.overwrites.length, 2);
    assert.equal(scan.lastIndex, 700n);
    assert.equal(scan.entryCount, 700);
    assert.equal(scan.hardState?.vote, 0xfedcba9876543210n);
    // From a start in the middle, entries before it are counted but do not extend the log.
    const fromMid = assertSameScan(dir, { index: 350n, term: 3n }, { matchSnapshot: false });
    assert.equal(fromMid.entryCount, 350);
  }

  const gap = scratch.fresh('gap');
  const g = WalWriter.create(gap, encodeMetadata({ nodeId: 1n, clusterId: 2n }), { sync: false });
  for (const i of [1n, 2n, 3n, 5n, 6n]) g.save({ term: 2n, vote: 1n, commit: 0n }, [entry(i, i === 6n ? 1n : 2n)]);
  g.close();
  assert.equal(assertSameScan(gap, { index: 0n, term: 0n }, { matchSnapshot: false }).error?.code, 'SLICE_OUT_OF_RANGE');

  const lower = scratch.fresh('lower');
  const l = WalWriter.create(lower, encodeMetadata({ nodeId: 1n, clusterId: 2n }), { sync: false });
  for (const i of [1n, 2n, 3n, 4n]) l.save({ term: 2n, vote: 1n, commit: 0n }, [entry(i, i === 3n ? 1n : 2n)]);
  l.close();
  assert.equal(assertSameScan(lower, { index: 0n, term: 0n }, { matchSnapshot: false }).termDecrease?.index, 3n);
});

test('indexes and terms past 2^53 are read one record at a time, exactly', () => {
  const dir = scratch.fresh('huge');
  const w = WalWriter.create(dir, encodeMetadata({ nodeId: 1n, clusterId: 2n }), { sync: false });
  const base = 2n ** 53n - 3n;
  for (let i = base; i < base + 6n; i++) w.save({ term: 2n ** 60n, vote: 1n, commit: 0n }, [{ index: i, term: 2n ** 60n, type: EntryType.EntryNormal, data: Buffer.from('x') }]);
  w.close();
  const scan = assertSameScan(dir, { index: base - 1n, term: 0n }, { matchSnapshot: false });
  assert.equal(scan.lastIndex, base + 5n);
  assert.equal(scan.entryCount, 6);
});

test('a flipped bit stops the skim where the CRC fails, read on or not', () => {
  const dir = scratch.unpack('single');
  const wal = walOf(dir);
  flipBitMidLog(wal);
  const scan = assertSameScan(wal, { index: 0n, term: 0n }, { matchSnapshot: false });
  assert.equal(scan.end.kind, 'error');
  const onward = assertSameScan(wal, { index: 0n, term: 0n }, { matchSnapshot: false, continueOnCrcError: true });
  assert.equal(onward.end.kind, 'eof');
});
