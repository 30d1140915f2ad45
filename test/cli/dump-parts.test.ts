/**
 * A long dump is printed by two threads, part by part (src/cli/dump-parts.ts).
 * On etcd's 140 MB multi-segment data dir the lines must hold the entries
 * etcd's ReadAll returned, in its order, and be byte for byte what one thread
 * prints (--limit keeps a dump on one thread); parts cut through an
 * overwritten tail must still print only the entries that stand; and a reader
 * that goes away must end both threads quietly.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { closeSync, cpSync, createReadStream, mkdtempSync, openSync, readFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { resolveDataDir } from '../../src/codec/data-dir.js';
import { WalWriter } from '../../src/codec/wal-writer.js';
import { encodeMetadata } from '../../src/codec/proto/metadata.js';
import { EntryType, type Entry } from '../../src/codec/proto/raftpb.js';
import { dumpEntries, dumpRanges, planDump } from '../../src/report/dump.js';
import { selectEntries } from '../../src/report/entry-select.js';
import { parseEntryTypes } from '../../src/report/entry-filter.js';
import { createLineWriter, fdSink } from '../../src/cli/line-writer.js';
import { printerFor } from '../../src/cli/dump-printers.js';
import { HIDE_SECRETS } from '../../src/report/secrets.js';
import { newPartsWorker, PART_BYTES, printInParts, printsInParts, startPartsWorker } from '../../src/cli/dump-threads.js';
import { readFixtureJson, removeDir, unpackFixture, walOf, waltBin, type OracleReadAll } from '../helpers/fixtures.js';
import { flipBitMidLog } from '../helpers/corrupt.js';

const multiseg = unpackFixture('multiseg');
const scratch = mkdtempSync(join(tmpdir(), 'walt-dump-parts-'));
after(() => [multiseg, scratch].forEach(removeDir));

let outputs = 0;

/** Runs walt with its output in a file (a dump of this data dir is hundreds of MB); returns the file. */
function dumpToFile(args: string[]): string {
  const file = join(scratch, `out${outputs++}`);
  const fd = openSync(file, 'w');
  try {
    const r = spawnSync(process.execPath, [waltBin, 'dump', ...args], { stdio: ['ignore', fd, 'pipe'], encoding: 'utf8', env: { ...process.env, FORCE_COLOR: '0' } });
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stderr, '');
  } finally {
    closeSync(fd);
  }
  return file;
}

const sha256 = (file: string) => createHash('sha256').update(readFileSync(file)).digest('hex');

type Omitted = Omit<OracleReadAll, 'entries'> & { entries: Array<{ index: string; term: string; type: string; dataLen: number; kind: string }> };

/** The entry lines of an NDJSON dump, as etcd's oracle lists entries, read a line at a time. */
async function entryLines(file: string): Promise<Array<{ index: string; term: string; type: string; dataLen: number; kind: string }>> {
  const out = [];
  for await (const line of createInterface({ input: createReadStream(file) })) {
    const o = JSON.parse(line);
    if (o.record === 'entry') out.push({ index: String(o.index), term: String(o.term), type: o.type, dataLen: Buffer.from(o.data, 'base64').length, kind: o.kind });
  }
  return out;
}

const oracleEntries = (file: string) => readFixtureJson<Omitted>('multiseg', file).entries.map(({ index, term, type, dataLen }) => ({ index, term, type, dataLen }));

test('the multi-segment log is printed on two threads (on a machine with two CPUs), and with --limit on one', { skip: availableParallelism() < 2 && 'one CPU' }, async () => {
  const plan = planDump(resolveDataDir(multiseg), 1n, { markEvery: PART_BYTES });
  assert.ok(dumpRanges(plan).length >= 20, `${dumpRanges(plan).length} parts`);
  const worker = startPartsWorker(walOf(multiseg), {});
  assert.ok(printsInParts(plan, worker));
  await worker.terminate();
  assert.equal(startPartsWorker(walOf(multiseg), { limit: 10 }), undefined);
});

test('NDJSON on two threads: the entries etcd read, in its order, and the bytes one thread prints', async () => {
  for (const [args, oracle] of [
    [['--start-index', '1'], 'oracle-readall-from0.json'],
    [[], 'oracle-readall.json'],
  ] as const) {
    const two = dumpToFile(['--format', 'ndjson', ...args, multiseg]);
    const one = dumpToFile(['--format', 'ndjson', '--limit', '1000000', ...args, multiseg]);
    assert.deepEqual(
      (await entryLines(two)).map(({ index, term, type, dataLen }) => ({ index, term, type, dataLen })),
      oracleEntries(oracle),
    );
    assert.equal(sha256(two), sha256(one), 'the same lines as one thread prints');
  }
});

test('the table and the filters on two threads print what one thread prints', async () => {
  const table = dumpToFile(['--start-index', '1', multiseg]);
  assert.equal(sha256(table), sha256(dumpToFile(['--start-index', '1', '--limit', '1000000', multiseg])));
  const puts = dumpToFile(['--format', 'ndjson', '--start-index', '1', '--entry-type', 'IRRPut', '--prefix', '/blob/', multiseg]);
  const got = await entryLines(puts);
  assert.ok(got.length > 100 && got.every((e) => e.kind === 'put'), `${got.length} puts`);
  assert.equal(sha256(puts), sha256(dumpToFile(['--format', 'ndjson', '--start-index', '1', '--entry-type', 'IRRPut', '--prefix', '/blob/', '--limit', '1000000', multiseg])));
});

test('a CRC broken in either thread’s part of the scan stops the dump where one thread stops it, with the same lines and error', () => {
  // The parts worker checks the CRCs of the runs of records the scan hands it before it prints: damage early and late.
  for (const at of [0.3, 0.97]) {
    const copy = join(scratch, `flipped-${at}`);
    cpSync(multiseg, copy, { recursive: true });
    const bad = flipBitMidLog(walOf(copy), at);
    const runs = ['', '1000000'].map((limit) => {
      const file = join(scratch, `out${outputs++}`);
      const fd = openSync(file, 'w');
      const r = spawnSync(process.execPath, [waltBin, 'dump', '--format', 'ndjson', '--start-index', '1', ...(limit ? ['--limit', limit] : []), copy], { stdio: ['ignore', fd, 'pipe'], encoding: 'utf8' });
      closeSync(fd);
      return { status: r.status, stderr: r.stderr, sha: sha256(file) };
    });
    assert.equal(runs[0].status, 1, runs[0].stderr);
    assert.ok(runs[0].stderr.includes(`${bad.segment.path} at byte ${bad.offset}`), runs[0].stderr);
    assert.deepEqual(runs[0], runs[1]);
    removeDir(copy);
  }
});

test('a reader that stops early (| head) ends both threads quietly, with status 0', () => {
  const r = spawnSync('bash', ['-c', `"${process.execPath}" "${waltBin}" dump --format ndjson --start-index 1 "${multiseg}" | head -c 1000 > /dev/null; echo "\${PIPESTATUS[0]}"`], { encoding: 'utf8', timeout: 60_000 });
  assert.equal(r.stdout.trim(), '0');
  assert.equal(r.stderr, '');
});

test('parts cut through overwritten tails print only the entries that stand, as one pass does', async () => {
  const dir = join(scratch, 'overwrites');
  const w = WalWriter.create(join(dir, 'member', 'wal'), encodeMetadata({ nodeId: 1n, clusterId: 2n }), { sync: false, segmentBytes: 64 << 10 });
  const entry = (index: number, term: bigint): Entry => ({ index: BigInt(index), term, type: EntryType.EntryNormal, data: Buffer.from(`entry ${index} of term ${term}`.padEnd(300, '.')) });
  const run = (from: number, to: number, term: bigint) => {
    for (let i = from; i <= to; i++) w.save({ term, vote: 1n, commit: BigInt(from - 1) }, [entry(i, term)]);
  };
  run(1, 400, 2n);
  run(250, 700, 3n);
  run(690, 900, 4n);
  run(300, 1000, 5n);
  w.close();
  const paths = resolveDataDir(dir);
  for (const markEvery of [1000, 7000, 40_000]) {
    const plan = planDump(paths, 1n, { markEvery });
    assert.ok(plan.scan.overwrites.length === 3 && dumpRanges(plan).length > 4);
    const whole = [...dumpEntries(plan)].map(({ entry }) => `${entry.index}/${entry.term}`);
    assert.deepEqual(
      dumpRanges(plan).flatMap((r) => [...dumpEntries(plan, r)].map(({ entry }) => `${entry.index}/${entry.term}`)),
      whole,
    );
    assert.equal(whole.length, 1000);
    assert.deepEqual(whole.slice(295, 302), ['296/3', '297/3', '298/3', '299/3', '300/5', '301/5', '302/5']);

    const sel = { entryType: parseEntryTypes('Normal'), term: 5n };
    const listing = { secrets: HIDE_SECRETS, values: 'k8s' as const };
    const twoFile = join(scratch, `two-${markEvery}`);
    const fd = openSync(twoFile, 'w');
    const worker = newPartsWorker();
    assert.ok(worker, 'a worker starts');
    const printed = await printInParts(plan, sel, createLineWriter(fdSink(fd)), fd, 'ndjson', listing, worker);
    closeSync(fd);
    const oneFile = join(scratch, `one-${markEvery}`);
    const fd1 = openSync(oneFile, 'w');
    const lines = createLineWriter(fdSink(fd1));
    const printer = printerFor('ndjson', lines, listing);
    let n = 0;
    for (const { entry, record } of selectEntries(plan, sel)) {
      printer.entry(entry, record);
      n++;
    }
    lines.end();
    closeSync(fd1);
    assert.equal(printed, 701, 'indexes 300 to 1000 stand with term 5');
    assert.equal(printed, n);
    assert.equal(readFileSync(twoFile, 'utf8'), readFileSync(oneFile, 'utf8'));
  }
});
