/**
 * A WAL that real etcd cut into three 64 MB segments: reading across segment
 * boundaries (the CRC chain carried by each segment's crc record), choosing
 * the segment to start from by index, and a missing segment.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { resolveDataDir } from '../../src/codec/data-dir.js';
import { listSegments } from '../../src/codec/segment-name.js';
import { dumpEntries, planDump } from '../../src/report/dump.js';
import { verifyDataDir } from '../../src/report/verify.js';
import { entryTypeName } from '../../src/codec/proto/raftpb.js';
import { readFixtureJson, removeDir, runWalt, unpackFixture, type OracleReadAll } from '../helpers/fixtures.js';
import { oracle, oracleSkip } from '../helpers/oracle.js';
import { cutInsideLastRecord, flipBitMidLog } from '../helpers/corrupt.js';

const dir = unpackFixture('multiseg');
const scratch = mkdtempSync(join(tmpdir(), 'walt-multiseg-'));
after(() => [dir, scratch].forEach(removeDir));

type Omitted = Omit<OracleReadAll, 'entries'> & { entries: Array<{ index: string; term: string; type: string; dataLen: number }> };

function assertSameEntries(startIndex: bigint | undefined, oracleFile: string): void {
  const theirs = readFixtureJson<Omitted>('multiseg', oracleFile);
  const plan = planDump(resolveDataDir(dir), startIndex);
  assert.equal(plan.scan.end.kind, 'eof');
  const ours = [...dumpEntries(plan)].map(({ entry }) => ({ index: String(entry.index), term: String(entry.term), type: entryTypeName(entry.type), dataLen: entry.data?.length ?? 0 }));
  assert.deepEqual(ours, theirs.entries.map(({ index, term, type, dataLen }) => ({ index, term, type, dataLen })));
  assert.equal(String(plan.scan.hardState!.commit), theirs.hardState.commit);
}

test('three segments read as etcd reads them, from its snapshot and from index 0', () => {
  assert.equal(listSegments(join(dir, 'member', 'wal')).length, 3);
  assertSameEntries(undefined, 'oracle-readall.json');
  assertSameEntries(1n, 'oracle-readall-from0.json');
});

test('reading from the snapshot starts in the last segment whose first index is at or below it', () => {
  const plan = planDump(resolveDataDir(dir));
  const theirs = readFixtureJson<Omitted>('multiseg', 'oracle-readall.json');
  assert.equal(String(plan.scan.start.index), theirs.snapshot.index);
  const all = listSegments(join(dir, 'member', 'wal'));
  // The snapshot (index 255) lies in segment 1 (first index 132); segment 2 starts at 260.
  assert.ok(all[1].index <= plan.scan.start.index && plan.scan.start.index < all[2].index);
  assert.deepEqual(
    plan.segments.map((s) => s.name),
    [all[1].name, all[2].name],
  );
});

test('verify: healthy across segments; the CRC chain crosses each boundary', () => {
  const r = verifyDataDir(resolveDataDir(dir));
  assert.deepEqual(r.problems, []);
  assert.equal(r.segments.length, 3);
  assert.equal(readFixtureJson('multiseg', 'oracle-verify.json').error, '');
});

test('a missing middle segment: verify names the gap; dump from index 1 refuses as etcd does', () => {
  const copy = join(scratch, 'gap');
  cpSync(dir, copy, { recursive: true });
  const segs = listSegments(join(copy, 'member', 'wal'));
  rmSync(segs[1].path);
  const r = verifyDataDir(resolveDataDir(copy));
  const gap = r.problems.find((p) => p.code === 'SEGMENT_SEQUENCE');
  assert.ok(gap, JSON.stringify(r.problems));
  assert.equal(gap.file, segs[2].path);
  const cli = runWalt(['dump', '--start-index', '1', copy]);
  assert.equal(cli.status, 1);
  assert.match(cli.stderr, /segment sequence jumps from 0000000000000000-0000000000000000\.wal to 0000000000000002-/);
  if (!oracleSkip()) {
    const theirs = oracle('readall', copy, '--start-index', '0', '--start-term', '0', '--omit-data');
    // etcd refuses too, though not by name: its isValidSeq (wal/util.go) skips the check while the
    // last sequence seen is 0, so a gap right after segment 0 surfaces as the next crc record's mismatch.
    assert.match(theirs.error, /crc mismatch|file not found/, 'etcd refuses to read across the gap too');
  }
});

test('damage early or late in a large multi-segment log is found where it is', () => {
  for (const at of [0.3, 0.97]) {
    const flipped = join(scratch, `flipped-${at}`);
    cpSync(dir, flipped, { recursive: true });
    const bad = flipBitMidLog(join(flipped, 'member', 'wal'), at);
    const r = verifyDataDir(resolveDataDir(flipped));
    const p = r.problems.find((x) => x.code === 'CRC_MISMATCH');
    assert.ok(p, JSON.stringify(r.problems));
    assert.equal(p.file, bad.segment.path);
    assert.equal(p.offset, bad.offset);
  }

  const torn = join(scratch, 'torn');
  cpSync(dir, torn, { recursive: true });
  cutInsideLastRecord(join(torn, 'member', 'wal'));
  assert.equal(verifyDataDir(resolveDataDir(torn)).verdict, 'torn-tail');
});
