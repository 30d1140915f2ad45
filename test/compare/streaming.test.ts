/**
 * `verify --compare` streams: one reader per member, one entry each at a
 * time. A log ten times longer must not take more memory; the peak RSS of a
 * process that compares only that is measured for both.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WalWriter } from '../../src/codec/wal-writer.js';
import { encodeMetadata } from '../../src/codec/proto/metadata.js';
import { EntryType, type Entry } from '../../src/codec/proto/raftpb.js';
import { removeDir, repoRoot } from '../helpers/fixtures.js';

const scratch = mkdtempSync(join(tmpdir(), 'walt-compare-stream-'));
after(() => removeDir(scratch));

/** A member's data dir with `count` 1 KiB entries, all committed. */
function memberWithEntries(name: string, count: number): string {
  const dir = join(scratch, name);
  const w = WalWriter.create(join(dir, 'member', 'wal'), encodeMetadata({ nodeId: 0x1234n, clusterId: 0xabcdn }), { sync: false });
  const data = new Uint8Array(1024).fill(0x61);
  let batch: Entry[] = [];
  for (let i = 1; i <= count; i++) {
    batch.push({ term: 2n, index: BigInt(i), type: EntryType.EntryNormal, data });
    if (batch.length === 500 || i === count) {
      w.save({ term: 2n, vote: 0x1234n, commit: BigInt(i) }, batch);
      batch = [];
    }
  }
  w.close();
  return dir;
}

/** Peak RSS, in KiB, of a fresh process comparing `dir` with itself as two members. */
function peakRssComparing(dir: string): { kib: number; compared: number } {
  const script = `
    const { compareMembers } = await import(${JSON.stringify(join(repoRoot, 'dist/src/report/compare.js'))});
    const { resolveDataDir } = await import(${JSON.stringify(join(repoRoot, 'dist/src/codec/data-dir.js'))});
    const r = compareMembers([resolveDataDir(process.argv[1]), resolveDataDir(process.argv[1])]);
    if (r.verdict !== 'consistent') throw new Error(r.verdict);
    console.log(JSON.stringify({ kib: process.resourceUsage().maxRSS, compared: r.pairs[0].compared }));`;
  return JSON.parse(execFileSync(process.execPath, ['--input-type=module', '-e', script, dir], { encoding: 'utf8' }));
}

test('memory does not grow with the log: 4,000 and 40,000 entries compare in the same peak RSS', () => {
  const small = peakRssComparing(memberWithEntries('small', 4_000));
  const large = peakRssComparing(memberWithEntries('large', 40_000));
  assert.equal(small.compared, 4_000);
  assert.equal(large.compared, 40_000);
  // The large log is ~40 MiB longer per member; holding it would show as 80 MiB more.
  const growthMiB = (large.kib - small.kib) / 1024;
  assert.ok(growthMiB < 24, `peak RSS grew by ${growthMiB.toFixed(1)} MiB`);
});
