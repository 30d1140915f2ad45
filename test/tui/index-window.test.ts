/**
 * browse's offset index and windowed reads: the entries at index N, read
 * through the window from the nearest checkpoint, are the ones planDump and
 * dumpEntries stream (etcd's read, which test/codec checks against etcd's own
 * code), across segment boundaries, from etcd's start and from index 1, and
 * after an overwritten tail.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { resolveDataDir, type DataDirPaths } from '../../src/codec/data-dir.js';
import { WalWriter } from '../../src/codec/wal-writer.js';
import { encodeMetadata } from '../../src/codec/proto/metadata.js';
import { EntryType, type Entry } from '../../src/codec/proto/raftpb.js';
import { dumpEntries, planDump } from '../../src/report/dump.js';
import { buildIndex } from '../../src/tui/index-build.js';
import { EntryWindow } from '../../src/tui/entry-window.js';
import { OffsetIndex } from '../../src/tui/offset-index.js';
import { removeDir, unpackFixture } from '../helpers/fixtures.js';

const multiseg = unpackFixture('multiseg');
const single = unpackFixture('single');
const scratch = mkdtempSync(join(tmpdir(), 'walt-tui-'));
after(() => [multiseg, single, scratch].forEach(removeDir));

const shapeOf = (plan: ReturnType<typeof buildIndex>['plan']) => ({
  segments: plan.segments,
  base: plan.scan.start.index,
  lastIndex: plan.scan.lastIndex,
  overwrites: plan.scan.overwrites,
  entryRecords: plan.scan.entryRecords,
});

/** What dump streams, keyed by index: the entry and where its record lies. */
function dumped(paths: DataDirPaths, startIndex?: bigint) {
  const out = new Map<bigint, { term: bigint; type: EntryType; data: string; segment: string; offset: number }>();
  for (const { entry, record } of dumpEntries(planDump(paths, startIndex))) {
    out.set(entry.index, { term: entry.term, type: entry.type, data: Buffer.from(entry.data ?? []).toString('hex'), segment: record.segment.name, offset: record.offset });
  }
  return out;
}

function assertWindowMatchesDump(paths: DataDirPaths, startIndex: bigint | undefined, every: number): void {
  const { plan, index } = buildIndex(paths, { startIndex, every });
  const want = dumped(paths, startIndex);
  const first = plan.scan.start.index + 1n;
  assert.equal(BigInt(want.size), plan.scan.lastIndex - plan.scan.start.index);
  assert.equal(index.count, Math.ceil(want.size / every));
  const w = new EntryWindow(shapeOf(plan), index);
  const last = plan.scan.lastIndex;
  // The ends, each checkpoint and the entries either side of it, windows that straddle segments.
  const probes = new Set<bigint>([first, last, first + 1n, last - 1n]);
  for (let k = 0; k < index.count; k++) for (const d of [-1n, 0n, 1n]) probes.add(index.at(k).index + d);
  for (const s of plan.scan.segments) if (s.firstIndex !== undefined) probes.add(s.firstIndex - 2n);
  // Windows that end on an overwritten index, read from a checkpoint before the overwrite.
  for (const o of plan.scan.overwrites) for (const d of [-4n, -1n, 0n]) probes.add(o.index + d);
  for (const n of probes) {
    if (n < first || n > last) continue;
    const got = w.read(n, 5);
    const expect = [...Array(5).keys()].map((i) => n + BigInt(i)).filter((i) => i <= last);
    assert.deepEqual(
      got.map((b) => ({ index: b.entry.index, term: b.entry.term, type: b.entry.type, data: Buffer.from(b.entry.data ?? []).toString('hex'), segment: b.segment.name, offset: b.offset })),
      expect.map((i) => ({ index: i, ...want.get(i)! })),
      `window at ${n}`,
    );
    for (const b of got) assert.equal(b.computedCrc, b.crc, 'the window checks each CRC as it reads');
  }
  // Streaming from the middle gives the rest of the log, in order.
  const mid = first + (last - first) / 2n;
  const streamed = [...w.stream(mid)].map((e) => e.index);
  assert.deepEqual(streamed, [...want.keys()].filter((i) => i >= mid));
}

test('multiseg: windows equal dump from etcd’s start and from index 1, across the three segments', () => {
  const paths = resolveDataDir(multiseg);
  assertWindowMatchesDump(paths, undefined, 16);
  assertWindowMatchesDump(paths, 1n, 16);
  assertWindowMatchesDump(paths, 100n, 64);
});

test('single: windows equal dump, with every request kind', () => {
  const paths = resolveDataDir(single);
  assertWindowMatchesDump(paths, undefined, 4);
  assertWindowMatchesDump(paths, 1n, 64);
});

test('an overwritten tail: the window shows the entries that replaced it, as dump does', () => {
  const wal = join(scratch, 'overwrite', 'member', 'wal');
  const w = WalWriter.create(wal, encodeMetadata({ nodeId: 1n, clusterId: 2n }), { sync: false, segmentBytes: 8 << 10 });
  const entry = (index: bigint, term: bigint): Entry => ({ index, term, type: EntryType.EntryNormal, data: Buffer.from(`entry ${index} of term ${term}`.padEnd(100, '.')) });
  const run = (from: number, to: number, term: bigint) => {
    for (let i = from; i <= to; i++) w.save({ term, vote: 1n, commit: BigInt(Math.min(i, 150)) }, [entry(BigInt(i), term)]);
  };
  // A leader writes 1–300; a new one overwrites from 200 (to 260), another from 240 (to 280).
  run(1, 300, 2n);
  run(200, 260, 3n);
  run(240, 280, 4n);
  w.close();
  const paths = resolveDataDir(join(scratch, 'overwrite'));
  const plan = planDump(paths, 1n);
  assert.equal(plan.scan.overwrites.length, 2);
  assert.ok(plan.scan.segments.length > 3, 'the writes span several segments');
  assertWindowMatchesDump(paths, 1n, 16);
  const { plan: p2, index } = buildIndex(paths, { startIndex: 1n, every: 16 });
  // The checkpoints past the last overwrite point at the records that stand.
  assert.equal(index.count, Math.ceil(280 / 16));
  assert.equal(new EntryWindow(shapeOf(p2), index).get(250n)?.entry.term, 4n);
});

test('the index of a 2M-entry log stays small', () => {
  const idx = new OffsetIndex(0n);
  for (let i = 1n; i <= 2_000_000n; i += BigInt(idx.every)) idx.set(idx.slotOf(i), 0, Number(i) * 1000, 0, Number(i) - 1);
  assert.equal(idx.count, 2_000_000 / idx.every);
  assert.ok(idx.byteSize < 1 << 20, `${idx.byteSize} bytes`);
  assert.equal(idx.nearest(1_999_999n)!.index, 2_000_000n - BigInt(idx.every) + 1n);
});
