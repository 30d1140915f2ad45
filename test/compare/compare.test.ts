/**
 * `walt verify --compare` on the real three-member cluster (plus m4, a learner
 * that joined from a leader's snapshot) and on edited copies whose CRCs all
 * hold, so that only the comparison can tell: a committed entry with a flipped
 * byte, a member cut short, and uncommitted tails that differ.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { resolveDataDir } from '../../src/codec/data-dir.js';
import { EntryType } from '../../src/codec/proto/raftpb.js';
import { compareMembers, type CompareReport } from '../../src/report/compare.js';
import { verifyDataDir } from '../../src/report/verify.js';
import { fixturesDir, readFixtureJson, removeDir, runWalt, unpackFixture, type OracleReadAll } from '../helpers/fixtures.js';
import { oracle, oracleSkip } from '../helpers/oracle.js';
import { flipBitMidLog } from '../helpers/corrupt.js';
import { appendEntries, flipDataByte, rewriteEntry, truncateAfterEntry } from './wal-edit.js';

const cluster = unpackFixture('cluster3');
const single = unpackFixture('single');
const scratch = mkdtempSync(join(tmpdir(), 'walt-compare-'));
after(() => {
  removeDir(cluster);
  removeDir(single);
  removeDir(scratch);
});

const NAMES = ['m1', 'm2', 'm3', 'm4'] as const;
const member = (m: string) => join(cluster, m);
let n = 0;
function copyOf(m: string): string {
  const dst = join(scratch, `${m}-copy${n++}`);
  cpSync(member(m), dst, { recursive: true });
  return dst;
}
const walOf = (d: string) => join(d, 'member', 'wal');
const compare = (dirs: string[]): CompareReport => compareMembers(dirs.map((d) => resolveDataDir(d)));
const pairOf = (r: CompareReport, a: number, b: number) => r.pairs.find((p) => p.a === a && p.b === b)!;

/** What etcd's ReadAll read from m1: its last entry and commit (m1–m3 stopped with the same log). */
const m1Read = readFixtureJson<OracleReadAll>('cluster3', 'm1', 'oracle-readall.json');
const LAST = BigInt(m1Read.entries.at(-1)!.index);
const LAST_TERM = BigInt(m1Read.entries.at(-1)!.term);
const COMMIT = BigInt(m1Read.hardState.commit);
const sameTail = (m: string) => {
  const r = readFixtureJson<OracleReadAll>('cluster3', m, 'oracle-readall.json');
  assert.equal(`${r.entries.at(-1)!.index}/${r.hardState.commit}`, `${LAST}/${COMMIT}`, `the tests below assume ${m} stopped with m1's last index and commit`);
};

/** etcdctl's JSON has IDs above 2^53: read them from the text, as hex (types.ID). */
const clusterIdOf = (file: string) => BigInt(/"cluster_id":(\d+)/.exec(readFileSync(join(fixturesDir, file), 'utf8'))![1]).toString(16);

test('the real cluster compares consistent: IDs, hard states and ranges as etcd reads them, every common index identical', () => {
  const r = compare(NAMES.map(member));
  assert.equal(r.verdict, 'consistent', JSON.stringify(r.problems));
  assert.equal(r.clusterID, clusterIdOf('cluster3/expected-status.json'));
  const lasts = NAMES.map((m) => BigInt(readFixtureJson<OracleReadAll>('cluster3', m, 'oracle-readall.json').entries.at(-1)!.index));
  const longest = lasts.reduce((a, b) => (a > b ? a : b));
  NAMES.forEach((m, i) => {
    const theirs = readFixtureJson<OracleReadAll>('cluster3', m, 'oracle-readall.json');
    const mine = r.members[i];
    assert.equal(mine.nodeID, theirs.metadata.nodeID);
    assert.equal(String(mine.hardState!.commit), theirs.hardState.commit);
    assert.equal(mine.lastIndex, lasts[i]);
    assert.equal(mine.behind, longest - lasts[i]);
  });
  // m1–m3 hold their whole log; m4 joined from a leader snapshot and holds entries after it only.
  assert.equal(r.members[0].firstIndex, 1n);
  const m4 = readFixtureJson<OracleReadAll>('cluster3', 'm4', 'oracle-readall.json');
  assert.equal(r.members[3].firstIndex, BigInt(m4.snapshot.index) + 1n);
  for (const p of r.pairs) {
    assert.equal(p.verdict, 'identical');
    assert.equal(BigInt(p.compared), p.overlap!.to - p.overlap!.from + 1n);
  }
  const cli = runWalt(['verify', '--compare', ...NAMES.map(member)]);
  assert.equal(cli.status, 0, cli.stderr);
  assert.match(cli.stdout, /CONSISTENT/);
  const json = runWalt(['verify', '--compare', '--json', member('m1'), member('m4')]);
  assert.equal(json.status, 0);
  assert.equal(JSON.parse(json.stdout).verdict, 'consistent');
});

test('a committed entry with one byte flipped and its CRC chain rebuilt: verify and etcd accept the member, the comparison finds it', () => {
  const bad = copyOf('m2');
  // An entry every member holds (m4's log starts after its snapshot) and all have committed.
  const index = BigInt(readFixtureJson<OracleReadAll>('cluster3', 'm4', 'oracle-readall.json').snapshot.index) + 20n;
  assert.ok(index <= COMMIT);
  rewriteEntry(walOf(bad), index, (e) => flipDataByte(e, 2));
  assert.equal(verifyDataDir(resolveDataDir(bad)).verdict, 'healthy', 'every CRC holds');
  if (!oracleSkip()) assert.equal(oracle('verify', walOf(bad)).error, '', "etcd's wal.Verify accepts it too");
  const r = compare([member('m1'), bad, member('m3'), member('m4')]);
  assert.equal(r.verdict, 'corrupt');
  for (const [a, b] of [[0, 1], [1, 2], [1, 3]]) {
    const p = pairOf(r, a, b);
    assert.equal(p.verdict, 'corruption');
    assert.equal(p.first!.index, index);
    assert.equal(p.corrupt!.index, index);
    assert.equal(p.differing, 1, 'only that entry differs');
    assert.equal(p.first!.a.term, p.first!.b.term);
  }
  assert.equal(pairOf(r, 0, 2).verdict, 'identical');
  const cli = runWalt(['verify', '--compare', member('m1'), bad]);
  assert.equal(cli.status, 1);
  assert.match(cli.stdout, new RegExp(`differ at index ${index} with the same term \\(\\d+\\)[^\\n]*corruption`));
  assert.match(cli.stdout, /CORRUPT/);
});

test('a committed entry rewritten with another term: corruption, since both members committed it', () => {
  const bad = copyOf('m3');
  assert.ok(LAST <= COMMIT);
  const last = LAST;
  rewriteEntry(walOf(bad), last, (e) => ({ ...e, term: e.term + 1n }));
  const r = compare([member('m1'), bad]);
  const p = pairOf(r, 0, 1);
  assert.equal(r.verdict, 'corrupt');
  assert.equal(p.corrupt!.index, last);
  assert.notEqual(p.corrupt!.a.term, p.corrupt!.b.term);
  assert.match(p.message, new RegExp(`at or below both commit indexes \\(${COMMIT}, ${COMMIT}\\)`));
});

test('a member cut short is behind, by the entries it lacks, and still consistent', () => {
  ['m2', 'm3'].forEach(sameTail);
  const short = copyOf('m3');
  truncateAfterEntry(walOf(short), LAST - 10n);
  const r = compare([member('m1'), member('m2'), short]);
  assert.equal(r.verdict, 'consistent');
  assert.equal(r.members[2].lastIndex, LAST - 10n);
  assert.equal(r.members[2].behind, 10n);
  assert.deepEqual(r.pairs.map((p) => p.overlap!.to), [LAST, LAST - 10n, LAST - 10n]);
  const cli = runWalt(['verify', '--compare', member('m1'), short]);
  assert.equal(cli.status, 0);
  assert.match(cli.stdout, /behind by 10/);
});

test('uncommitted tails that differ in term: a legal divergence, exit 1; the same index and term with other bytes is not', () => {
  sameTail('m2');
  const [a, b] = [copyOf('m1'), copyOf('m2')];
  // As if m1 led a new term and appended an entry, while m2 took one at the same index from the
  // old term's leader: neither committed it.
  const next = LAST + 1n;
  appendEntries(walOf(a), [{ index: next, term: LAST_TERM + 1n, type: EntryType.EntryNormal, data: Buffer.from('from the next term') }]);
  appendEntries(walOf(b), [{ index: next, term: LAST_TERM, type: EntryType.EntryNormal }]);
  for (const d of [a, b]) assert.equal(verifyDataDir(resolveDataDir(d)).verdict, 'healthy');
  const r = compare([a, b, member('m3')]);
  assert.equal(r.verdict, 'diverged');
  const p = pairOf(r, 0, 1);
  assert.equal(p.verdict, 'legal');
  assert.equal(p.first!.index, next);
  assert.equal(p.corrupt, undefined);
  assert.equal(r.members[2].behind, 1n);
  assert.equal(pairOf(r, 0, 2).verdict, 'identical');
  const cli = runWalt(['verify', '--compare', a, b]);
  assert.equal(cli.status, 1);
  assert.match(cli.stdout, new RegExp(`differ from index ${next} \\(term ${LAST_TERM + 1n} vs ${LAST_TERM}\\), above both commit indexes \\(${COMMIT}, ${COMMIT}\\)[^\\n]*legal in Raft`));
  assert.match(cli.stdout, /DIVERGED/);

  // One leader writes one entry per index and term: two different entries with the same index and term are corruption, committed or not.
  const c = copyOf('m2');
  appendEntries(walOf(c), [{ index: next, term: LAST_TERM + 1n, type: EntryType.EntryNormal, data: Buffer.from('another entry of that term') }]);
  const same = pairOf(compare([a, c]), 0, 1);
  assert.equal(same.verdict, 'corruption');
  assert.equal(same.corrupt!.index, next);
});

test('a member whose WAL fails its own CRC check mid-log: compared up to the damage, reported as corrupt with file and offset', () => {
  const bad = copyOf('m2');
  const rec = flipBitMidLog(walOf(bad));
  const r = compare([member('m1'), bad]);
  assert.equal(r.verdict, 'corrupt');
  assert.equal(r.members[1].end, 'error');
  assert.equal(r.members[1].error!.code, 'CRC_MISMATCH');
  assert.equal(r.members[1].error!.offset, rec.offset);
  assert.ok(r.members[1].behind > 0n);
  assert.equal(pairOf(r, 0, 1).verdict, 'identical', 'the entries before the damage agree');
  assert.match(r.problems[0], new RegExp(`${rec.segment.name} byte ${rec.offset}`));
  assert.equal(runWalt(['verify', '--compare', member('m1'), bad]).status, 1);
});

test('members of different clusters, and --compare misused: usage errors (exit 2)', () => {
  const r = compare([member('m1'), single]);
  assert.equal(r.verdict, 'different-clusters');
  assert.deepEqual(r.pairs, []);
  const cli = runWalt(['verify', '--compare', member('m1'), single]);
  assert.equal(cli.status, 2);
  assert.match(cli.stdout, /different clusters/);
  assert.equal(runWalt(['verify', '--compare', member('m1')]).status, 2);
  assert.equal(runWalt(['verify', member('m1'), member('m2')]).status, 0, 'without --compare, several dirs are each verified on their own');
  assert.equal(runWalt(['verify', '--compare', '--wal-dir', walOf(member('m1')), member('m1'), member('m2')]).status, 2);
  assert.equal(runWalt(['verify', '--compare', member('m1'), '/nonexistent/etcd']).status, 2);
});
