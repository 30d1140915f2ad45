/**
 * `walt snap list` on the real data dirs, and on copies with damaged and
 * unmatched .snap files, judged by the files etcd left (files.txt) and by
 * what etcd's own snap.Load and LoadNewestAvailable chose (the oracle's
 * records, and the oracle itself where it can be built).
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { resolveDataDir } from '../../src/codec/data-dir.js';
import { encodeSnapFile, readSnapFile, snapName } from '../../src/codec/snap-file.js';
import { encodeSnapEnvelope } from '../../src/codec/proto/snappb.js';
import { encodeSnapshot } from '../../src/codec/proto/raftpb.js';
import { listSnapshots, type SnapList } from '../../src/report/snap-list.js';
import { fixturesDir, readFixtureJson, removeDir, runWalt, unpackFixture, type OracleReadAll } from '../helpers/fixtures.js';
import { oracle, oracleSkip } from '../helpers/oracle.js';

const single = unpackFixture('single');
const cluster = unpackFixture('cluster3');
const scratch = mkdtempSync(join(tmpdir(), 'walt-snap-list-'));
after(() => {
  removeDir(single);
  removeDir(cluster);
  removeDir(scratch);
});

const DIRS = [
  [single, ['single']],
  [join(cluster, 'm1'), ['cluster3', 'm1']],
  [join(cluster, 'm2'), ['cluster3', 'm2']],
  [join(cluster, 'm3'), ['cluster3', 'm3']],
  [join(cluster, 'm4'), ['cluster3', 'm4']],
] as const;

/** "size  member/snap/name" lines of files.txt for one data dir (cluster3's are prefixed with the member). */
function snapFilesListed(rec: readonly string[]): Map<string, number> {
  const text = readFileSync(join(fixturesDir, rec[0], 'files.txt'), 'utf8');
  const prefix = rec.length > 1 ? `${rec[1]}/member/snap/` : 'member/snap/';
  const out = new Map<string, number>();
  for (const line of text.split('\n')) {
    const m = /^\s*(\d+)\s+(\S+)$/.exec(line);
    if (m && m[2].startsWith(prefix)) out.set(m[2].slice(prefix.length), Number(m[1]));
  }
  return out;
}

const list = (dir: string): SnapList => listSnapshots(resolveDataDir(dir));
let n = 0;
const copyOf = (src: string) => {
  const dst = join(scratch, `copy${n++}`);
  cpSync(src, dst, { recursive: true });
  return dst;
};

test('real data dirs: every file etcd left, each .snap ok, and the snapshot etcd’s own code loads under both rules', () => {
  for (const [dir, rec] of DIRS) {
    const l = list(dir);
    assert.equal(l.ok, true);
    assert.deepEqual(new Map(l.files.map((f) => [f.name, f.size])), snapFilesListed(rec));
    const loaded = readFixtureJson(...rec, 'oracle-snapload.json');
    assert.equal(l.loads.newestValid, loaded.file, `${dir}: snap.Load`);
    assert.equal(l.loads.etcd3423, readFixtureJson<OracleReadAll>(...rec, 'oracle-readall.json').snapFile, `${dir}: LoadNewestAvailable`);
    const newest = l.files.find((f) => f.name === loaded.file)!;
    assert.equal(String(newest.index), loaded.index);
    assert.equal(String(newest.term), loaded.term);
    assert.deepEqual(newest.confState!.voters, loaded.voters);
    assert.deepEqual(newest.confState!.learners, loaded.learners);
    for (const f of l.files) assert.equal(f.crc?.status, f.kind === 'db' ? undefined : 'ok');
  }
  const m4 = readFixtureJson('cluster3', 'm4', 'oracle-snapload.json');
  const cli = runWalt(['snap', 'list', join(cluster, 'm4')]);
  assert.equal(cli.status, 0);
  assert.match(cli.stdout, new RegExp(`${m4.file}[^\\n]*voters ${m4.voters[0]}`));
  assert.match(cli.stdout, new RegExp(`learners ${m4.learners[0]}`));
  assert.match(cli.stdout, new RegExp(`etcd 3.4.23 loads ${m4.file}`));
  const json = JSON.parse(runWalt(['snap', 'list', '--json', single]).stdout);
  assert.equal(json.loads.etcd3423, readFixtureJson<OracleReadAll>('single', 'oracle-readall.json').snapFile);
  assert.equal(json.files.at(-1).name, 'db');
});

/** single's newest .snap (as etcd's snap.Load chose it) and the one before it. */
function singleSnaps(dir: string) {
  const names = list(dir).files.filter((f) => f.kind === 'snap').map((f) => f.name);
  assert.equal(names[0], readFixtureJson('single', 'oracle-snapload.json').file);
  const newest = readSnapFile(join(dir, 'member', 'snap', names[0])).snapshot;
  return { newest, newestName: names[0], older: names[1] };
}

test('a .snap newer than any WAL snapshot record: etcd 3.4.23 passes it over, older etcd loads it', () => {
  const dir = copyOf(single);
  const snapDir = join(dir, 'member', 'snap');
  const { newest, newestName } = singleSnaps(dir);
  const index = newest.metadata.index + 4n;
  const orphan = snapName(newest.metadata.term, index);
  writeFileSync(join(snapDir, orphan), encodeSnapFile({ ...newest, metadata: { ...newest.metadata, index } }));
  const l = list(dir);
  assert.equal(l.loads.newestValid, orphan);
  assert.equal(l.loads.etcd3423, newestName);
  if (!oracleSkip()) {
    assert.equal(oracle('readall', '--snap-mode', 'load', dir).snapFile, orphan);
    assert.equal(oracle('readall', dir).snapFile, l.loads.etcd3423);
  }
});

test('damaged .snap files: mismatch, empty, zero CRC, undecodable, each with its reason; etcd renames them to .broken and they list as such', () => {
  const dir = copyOf(single);
  const snapDir = join(dir, 'member', 'snap');
  const { newest, older } = singleSnaps(dir);
  // The newest with a flipped byte, and three newer still: empty, a zero CRC, not protobuf.
  const name = (k: bigint) => snapName(newest.metadata.term, newest.metadata.index + k);
  const at = (k: bigint) => join(snapDir, name(k));
  const flipped = readFileSync(at(0n));
  flipped[flipped.length - 1] ^= 0x01;
  writeFileSync(at(0n), flipped);
  writeFileSync(at(1n), new Uint8Array(0));
  writeFileSync(at(2n), encodeSnapEnvelope({ crc: 0, data: encodeSnapshot(newest) }));
  writeFileSync(at(3n), Buffer.from([0xff, 0xff, 0xff]));
  const l = list(dir);
  const status = (k: bigint) => l.files.find((f) => f.name === name(k))!.crc!;
  assert.equal(status(0n).status, 'mismatch');
  assert.notEqual(status(0n).stored, status(0n).computed);
  assert.match(status(0n).reason!, /CRC/);
  assert.equal(status(1n).status, 'empty');
  assert.equal(status(2n).status, 'empty');
  assert.equal(status(3n).status, 'undecodable');
  assert.equal(l.ok, true, 'etcd sets the broken ones aside and loads an older one: a warning, as verify says');
  assert.equal(l.loads.etcd3423, older);
  assert.equal(l.loads.newestValid, older);
  const cli = runWalt(['snap', 'list', dir]);
  assert.equal(cli.status, 0);
  const v = runWalt(['verify', '--json', dir]);
  assert.equal(v.status, cli.status, 'snap list and verify agree on the same broken snapshots');
  assert.ok(JSON.parse(v.stdout).problems.some((p: { severity: string; file: string }) => p.severity === 'warning' && p.file === at(0n)));
  assert.match(cli.stdout, new RegExp(`mismatch ${name(0n)}: snapshot CRC is`));
  if (!oracleSkip()) {
    assert.equal(oracle('snapload', snapDir).file, l.loads.newestValid);
    const after = list(dir);
    assert.deepEqual(
      after.files.filter((f) => f.kind === 'snap.broken').map((f) => [f.name, f.crc!.status]),
      ([[3n, 'undecodable'], [2n, 'empty'], [1n, 'empty'], [0n, 'mismatch']] as const).map(([k, s]) => [`${name(k)}.broken`, s]),
    );
    assert.equal(after.ok, true, 'only .snap files count: etcd has set the broken ones aside');
  }
});

test('usage: a path that is not a data dir exits 2', () => {
  assert.equal(runWalt(['snap', 'list', '/nonexistent/etcd']).status, 2);
  assert.equal(runWalt(['snap', 'list']).status, 2);
  assert.equal(runWalt(['snap']).status, 2);
});
