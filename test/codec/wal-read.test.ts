/**
 * walt's reader against etcd's own wal.ReadAll (the Go oracle's output,
 * recorded beside each fixture by fixtures/make-fixtures.sh): the same
 * metadata, hard state and entries, byte for byte, in the same order.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { resolveDataDir, chooseStart } from '../../src/codec/data-dir.js';
import { dumpEntries, planDump } from '../../src/report/dump.js';
import { idHex } from '../../src/codec/proto/metadata.js';
import { entryTypeName } from '../../src/codec/proto/raftpb.js';
import { readFixtureJson, removeDir, unpackFixture, type OracleReadAll } from '../helpers/fixtures.js';

const single = unpackFixture('single');
const cluster = unpackFixture('cluster3');
after(() => {
  removeDir(single);
  removeDir(cluster);
});

function assertMatchesOracle(dataDir: string, oracle: OracleReadAll, startIndex?: bigint): void {
  const plan = planDump(resolveDataDir(dataDir), startIndex);
  assert.equal(oracle.error, '', 'the oracle read the fixture cleanly');
  assert.equal(idHex(plan.scan.metadata!.nodeId), oracle.metadata.nodeID);
  assert.equal(idHex(plan.scan.metadata!.clusterId), oracle.metadata.clusterID);
  assert.equal(plan.scan.hardState!.term, BigInt(oracle.hardState.term));
  assert.equal(plan.scan.hardState!.vote, BigInt(oracle.hardState.vote));
  assert.equal(plan.scan.hardState!.commit, BigInt(oracle.hardState.commit));
  const ours = [...dumpEntries(plan)].map(({ entry }) => ({
    index: String(entry.index),
    term: String(entry.term),
    type: entryTypeName(entry.type),
    data: entry.data ? Buffer.from(entry.data).toString('base64') : '',
  }));
  // The oracle prints an entry without data (a leader's empty entry) as null.
  const theirs = oracle.entries.map(({ index, term, type, data }) => ({ index, term, type, data: data ?? '' }));
  assert.equal(ours.length, theirs.length, 'entry count');
  assert.deepEqual(ours, theirs);
}

test('single member: entries after the snapshot etcd loads equal wal.ReadAll', () => {
  const oracle = readFixtureJson<OracleReadAll>('single', 'oracle-readall.json');
  const start = chooseStart(resolveDataDir(single));
  assert.equal(start.snap?.file.name, oracle.snapFile, 'the same snapshot file is chosen');
  assert.equal(start.start.index, BigInt(oracle.snapshot.index));
  assertMatchesOracle(single, oracle);
});

test('single member: the whole log from index 0 equals wal.ReadAll from index 0', () => {
  assertMatchesOracle(single, readFixtureJson<OracleReadAll>('single', 'oracle-readall-from0.json'), 1n);
});

for (const m of ['m1', 'm2', 'm3']) {
  test(`three-member cluster, ${m}: entries equal wal.ReadAll, from the snapshot and from index 0`, () => {
    assertMatchesOracle(join(cluster, m), readFixtureJson<OracleReadAll>('cluster3', m, 'oracle-readall.json'));
    assertMatchesOracle(join(cluster, m), readFixtureJson<OracleReadAll>('cluster3', m, 'oracle-readall-from0.json'), 1n);
  });
}

test('the learner that joined from a snapshot: equal from its snapshot; from index 0 both refuse the gap', () => {
  const dir = join(cluster, 'm4');
  assertMatchesOracle(dir, readFixtureJson<OracleReadAll>('cluster3', 'm4', 'oracle-readall.json'));
  const from0 = readFixtureJson<OracleReadAll>('cluster3', 'm4', 'oracle-readall-from0.json');
  assert.equal(from0.error, 'wal: slice bounds out of range');
  const plan = planDump(resolveDataDir(dir), 1n);
  assert.equal(plan.scan.error?.code, 'SLICE_OUT_OF_RANGE');
  assert.match(plan.scan.error!.describe(), /0000000000000000-0000000000000000\.wal at byte \d+: entry \d+ follows entry 0/);
});
