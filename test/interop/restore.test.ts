/**
 * `walt restore` judged by etcd: for several points of each fixture's log,
 * walt writes a backend snapshot; etcd's own restore tool (`etcdctl snapshot
 * restore` of 3.4, `etcdutl snapshot restore` of 3.5) checks its SHA-256
 * trailer and makes a data dir of it; etcd starts there and serves the key
 * space, a `--rev` read of a kept revision, its leases and users. What it
 * serves must be what `walt replay-to-state` rebuilds at that point (whose
 * replay the replay tests hold to etcd), and at the commit index what the
 * live member served when the fixture was made.
 *
 * An earlier point is judged by etcd alone too: the data dir cut after entry
 * N (`walt cut --drop-after N`), its backend and `.snap` files removed, so
 * etcd replays the WAL from index 1 to N; it must serve what etcd started on
 * walt's snapshot of N serves.
 *
 * Where auth is enabled at the point, etcdctl logs in as root with the
 * password the fixture's script gave it: etcd 3.4's log holds passwords in
 * clear text, which walt hashes as etcd does. A separate test logs in as a
 * user whose password was changed.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fixturesDir, runWalt, Scratch, unpackFixture } from '../helpers/fixtures.js';
import { ETCD, ETCDCTL, Etcd, SINGLE, etcdSkip, kvsText, type MemberSpec } from '../helpers/etcd.js';
import { etcd35Bin, etcd35Skip } from '../helpers/etcd35.js';
import { parseBigJson } from '../state/helpers.js';
import { chooseStart, openWal, resolveDataDir } from '../../src/codec/data-dir.js';
import { listSegments } from '../../src/codec/segment-name.js';
import { WalWriter } from '../../src/codec/wal-writer.js';
import { encodeMetadata } from '../../src/codec/proto/metadata.js';
import { EntryType } from '../../src/codec/proto/raftpb.js';
import { encodeInternalRaftRequest } from '../../src/codec/proto/etcdserverpb.js';

const scratch = new Scratch();
after(() => scratch.remove());

interface EtcdRelease {
  name: string;
  skip: () => string | false;
  etcd: string;
  etcdctl: string;
  /** The restore command, up to the snapshot file and the new data dir. */
  restore: (db: string, dataDir: string, spec: MemberSpec) => void;
}

const RESTORED: Omit<MemberSpec, 'etcd' | 'etcdctl'> = {
  name: 'restored',
  clientPort: 23796,
  peerPort: 23806,
  initialCluster: 'restored=http://127.0.0.1:23806',
  token: 'walt-restored',
  flags: [],
};

const restoreArgs = (db: string, dataDir: string, spec: MemberSpec) => [
  'snapshot', 'restore', db, '--data-dir', dataDir, '--name', spec.name,
  '--initial-cluster', spec.initialCluster, '--initial-advertise-peer-urls', `http://127.0.0.1:${spec.peerPort}`, '--initial-cluster-token', spec.token,
];

const RELEASES: EtcdRelease[] = [
  {
    name: 'etcd 3.4 (etcdctl snapshot restore)',
    skip: etcdSkip,
    etcd: ETCD,
    etcdctl: ETCDCTL,
    restore: (db, dir, spec) => execFileSync(ETCDCTL, restoreArgs(db, dir, spec), { env: { ...process.env, ETCDCTL_API: '3' }, stdio: 'pipe' }),
  },
  {
    name: 'etcd 3.5 (etcdutl snapshot restore)',
    skip: etcd35Skip,
    etcd: join(etcd35Bin, 'etcd'),
    etcdctl: join(etcd35Bin, 'etcdctl'),
    restore: (db, dir, spec) => execFileSync(join(etcd35Bin, 'etcdutl'), restoreArgs(db, dir, spec), { stdio: 'pipe' }),
  },
];

interface Fixture {
  name: string;
  dir: string;
  /** What the live member served when the fixture was made. */
  expectedGet: string;
}

const fixtures: Fixture[] = [
  { name: 'single (3.4)', dir: scratch.unpack('single'), expectedGet: join(fixturesDir, 'single', 'expected-get.json') },
  { name: 'k8s (3.4)', dir: scratch.unpack('k8s'), expectedGet: join(fixturesDir, 'k8s', 'expected-get.json') },
  { name: 'cluster3 m1 (3.4)', dir: join(scratch.unpack('cluster3'), 'm1'), expectedGet: join(fixturesDir, 'cluster3', 'm1', 'expected-get.json') },
  { name: 'etcd35 single (3.5)', dir: unpackFixture(join('etcd35', 'single'), scratch.fresh('etcd35')), expectedGet: join(fixturesDir, 'etcd35', 'single', 'expected-get.json') },
];

function walt(args: string[]): string {
  const r = runWalt(args);
  assert.equal(r.status, 0, `walt ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

interface Plan {
  index: number;
  revision: number;
  commitIndex: number;
  commitRevision: number;
}

/** What walt's replay holds after entry `index`: the key space as etcdctl prints it, leases, users, auth. */
function replayed(dir: string, index: number) {
  // Values in full: etcd serves a Secret's value, which replay-to-state withholds by default.
  const get = walt(['replay-to-state', '--show-secrets', '--at-index', String(index), dir]);
  const sections = parseBigJson(walt(['replay-to-state', '--at-index', String(index), '--include', 'leases,auth', '--keys-only', dir]));
  return { get, leases: (sections.leases as Array<{ id: string }>).map((l) => l.id).sort(), users: (sections.auth.users as Array<{ name: string }>).map((u) => u.name).sort(), authEnabled: sections.auth.enabled as boolean };
}

const headerRevision = (getJson: string): number => Number(/"revision":(\d+)/.exec(getJson)![1]);

/** The key space of `get -w json` output as text, without its header (an empty key space has nothing after it). */
const keySpace = (getJson: string): string => kvsText(getJson).replace(/^\{"header":\{[^{}]*\}\}$/, '{}');

/** The points tried on a fixture: the commit index (replayed from index 1, and from the backend), an index a third of the way, a revision two thirds of the way, and before the first delete (where the log has one). */
function points(dir: string): string[][] {
  const commit = JSON.parse(walt(['restore', '--dry-run', '-w', 'json', dir])) as Plan;
  const anyDelete = runWalt(['restore', '--dry-run', '--before-delete-prefix', '', dir]).status === 0;
  return [['--at-commit'], ['--at-commit', '--from', 'db'], ['--at-index', String(Math.floor(commit.commitIndex / 3))], ['--at-revision', String(Math.floor((commit.commitRevision * 2) / 3))], ...(anyDelete ? [['--before-delete-prefix', '']] : [])];
}

for (const f of fixtures) {
  for (const point of points(f.dir)) {
    for (const rel of RELEASES) {
      test(`${rel.name} restores walt's snapshot of ${f.name} ${point.join(' ')} and serves what replay-to-state rebuilds there`, { skip: etcdSkip() || rel.skip() }, async () => {
        const db = scratch.fresh('restore.db');
        const plan = JSON.parse(walt(['restore', f.dir, '--out', db, '-w', 'json', ...point])) as Plan;
        const want = replayed(f.dir, plan.index);
        // fixtures/make-fixtures.sh: root's password, never changed.
        const as = want.authEnabled ? ['--user', 'root:rootpw'] : [];
        assert.equal(headerRevision(want.get), plan.revision);
        if (plan.index === plan.commitIndex) assert.equal(keySpace(want.get), keySpace(readFileSync(f.expectedGet, 'utf8')), 'walt at the commit index serves what the live member did');
        const spec: MemberSpec = { ...RESTORED, etcd: rel.etcd, etcdctl: rel.etcdctl };
        const dataDir = scratch.fresh('restored');
        rel.restore(db, dataDir, spec);
        const etcd = await Etcd.start(dataDir, spec);
        try {
          const got = await etcd.etcdctl('get', '', '--prefix', '-w', 'json', ...as);
          assert.equal(keySpace(got), keySpace(want.get));
          assert.equal(headerRevision(got), plan.revision);
          const leases = (await etcd.etcdctl('lease', 'list', ...as)).split('\n').slice(1).filter(Boolean).sort();
          assert.deepEqual(leases, want.leases);
          const users = (await etcd.etcdctl('user', 'list', ...as)).split('\n').filter(Boolean).sort();
          assert.deepEqual(users, want.users);
          const members = JSON.parse(await etcd.etcdctl('member', 'list', '-w', 'json', ...as)).members as Array<{ name: string }>;
          assert.deepEqual(members.map((m) => m.name), ['restored'], 'snapshot restore makes a membership of one');
          // A read of an earlier revision the snapshot kept.
          const rev = Math.max(1, plan.revision - 3);
          const old = runWalt(['replay-to-state', '--show-secrets', '--at-index', String(plan.index), '--at-revision', String(rev), f.dir]);
          if (old.status === 0) assert.equal(keySpace(await etcd.etcdctl('get', '', '--prefix', '-w', 'json', '--rev', String(rev), ...as)), keySpace(old.stdout), `--rev ${rev}`);
          else await assert.rejects(etcd.etcdctl('get', '', '--prefix', '--rev', String(rev), ...as), /compacted/, `walt: ${old.stderr}`);
        } finally {
          await etcd.stop();
        }
      });
    }
  }
}

for (const rel of RELEASES) {
  test(`${rel.name}: users whose passwords etcd 3.4's log held in clear text log in to the member restored from walt's snapshot of single`, { skip: etcdSkip() || rel.skip() }, async () => {
    const db = scratch.fresh('restore.db');
    const written = JSON.parse(walt(['restore', fixtures[0].dir, '--out', db, '-w', 'json'])).written as { passwordsHashed: string[] };
    assert.deepEqual([...written.passwordsHashed].sort(), ['alice', 'root'], 'the users the log gave clear-text passwords and did not delete');
    const spec: MemberSpec = { ...RESTORED, etcd: rel.etcd, etcdctl: rel.etcdctl };
    const dataDir = scratch.fresh('restored');
    rel.restore(db, dataDir, spec);
    const etcd = await Etcd.start(dataDir, spec);
    try {
      // fixtures/make-fixtures.sh: root's password rootpw; alice's alicepw, changed to alicepw2; auth disabled at the end.
      await etcd.etcdctl('--user', 'root:rootpw', 'auth', 'enable');
      await etcd.etcdctl('--user', 'alice:alicepw2', 'put', '/data/after-restore', 'ok');
      assert.match(await etcd.etcdctl('--user', 'root:rootpw', 'get', '/data/after-restore'), /^\/data\/after-restore\nok\n$/);
      await assert.rejects(etcd.etcdctl('--user', 'alice:alicepw', 'put', '/data/x', 'y'), /authentication failed/, 'the password alice had before it was changed');
    } finally {
      await etcd.stop();
    }
  });
}

test('etcd replaying the WAL cut after entry N serves what etcd on walt\'s snapshot of N serves (single, 3.4)', { skip: etcdSkip() }, async () => {
  const single = fixtures[0].dir;
  const commit = JSON.parse(walt(['restore', '--dry-run', '-w', 'json', single])) as Plan;
  for (const n of [Math.floor(commit.commitIndex / 3), commit.commitIndex - 8]) {
    const cut = scratch.fresh('cut');
    walt(['cut', '--drop-after', String(n), '--force', '--out', cut, single]);
    // Without a backend or a .snap, etcd applies the WAL from index 1.
    const snapDir = join(cut, 'member', 'snap');
    for (const f of readdirSync(snapDir)) rmSync(join(snapDir, f));
    const fromWal = await Etcd.start(cut, SINGLE);
    let served: string;
    try {
      served = await fromWal.getAll();
    } finally {
      await fromWal.stop();
    }
    const db = scratch.fresh('restore.db');
    walt(['restore', single, '--out', db, '--at-index', String(n)]);
    const spec: MemberSpec = { ...RESTORED, etcd: ETCD, etcdctl: ETCDCTL };
    const dataDir = scratch.fresh('restored');
    RELEASES[0].restore(db, dataDir, spec);
    const restored = await Etcd.start(dataDir, spec);
    try {
      const got = await restored.getAll();
      assert.equal(keySpace(got), keySpace(served), `entry ${n}`);
      assert.equal(headerRevision(got), headerRevision(served), `entry ${n}: revision`);
    } finally {
      await restored.stop();
    }
  }
});

for (const f of [fixtures[0], fixtures[3]]) {
  for (const point of [['--at-commit'], ['--before-delete-prefix', '/load/']]) {
    for (const rel of RELEASES) {
      test(`${rel.name.split(' (')[0]} starts directly on walt's --out-data-dir of ${f.name} ${point.join(' ')}: a member of one, serving replay-to-state's key space`, { skip: etcdSkip() || rel.skip() }, async () => {
        const spec: MemberSpec = { ...RESTORED, etcd: rel.etcd, etcdctl: rel.etcdctl };
        const dataDir = scratch.fresh('data-dir');
        const peer = `http://127.0.0.1:${spec.peerPort}`;
        const out = JSON.parse(walt(['restore', f.dir, '--out-data-dir', dataDir, '--name', spec.name, '--initial-advertise-peer-urls', peer, '--initial-cluster-token', spec.token, '-w', 'json', ...point]));
        const want = replayed(f.dir, out.index);
        const etcd = await Etcd.start(dataDir, spec);
        try {
          const got = await etcd.getAll();
          assert.equal(keySpace(got), keySpace(want.get));
          assert.equal(headerRevision(got), out.revision);
          assert.deepEqual((await etcd.etcdctl('lease', 'list')).split('\n').slice(1).filter(Boolean).sort(), want.leases);
          assert.deepEqual((await etcd.etcdctl('user', 'list')).split('\n').filter(Boolean).sort(), want.users);
          const members = parseBigJson(await etcd.etcdctl('member', 'list', '-w', 'json'));
          assert.deepEqual(members.members.map((m: { ID: string; name: string }) => [BigInt(m.ID).toString(16), m.name]), [[out.written.memberId, spec.name]]);
          assert.equal(BigInt(members.header.cluster_id).toString(16), out.written.clusterId);
        } finally {
          await etcd.stop();
        }
      });
    }
  }
}

test("--out-data-dir's member and cluster IDs are the ones etcdctl snapshot restore gives the same name, URL and token", { skip: etcdSkip() }, () => {
  const spec: MemberSpec = { ...RESTORED, etcd: ETCD, etcdctl: ETCDCTL };
  const db = scratch.fresh('restore.db');
  walt(['restore', fixtures[0].dir, '--out', db]);
  const r = spawnSync(ETCDCTL, restoreArgs(db, scratch.fresh('restored'), spec), { env: { ...process.env, ETCDCTL_API: '3' }, encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  // etcd's log line for the member it adds: {"msg":"added member","cluster-id":…,"added-peer-id":…}
  const added = r.stderr.split('\n').filter((l) => l.includes('"added member"')).map((l) => JSON.parse(l));
  assert.equal(added.length, 1, r.stderr);
  const out = JSON.parse(walt(['restore', fixtures[0].dir, '--out-data-dir', scratch.fresh('data-dir'), '--name', spec.name, '--initial-advertise-peer-urls', `http://127.0.0.1:${spec.peerPort}`, '--initial-cluster-token', spec.token, '-w', 'json']));
  assert.deepEqual([out.written.memberId, out.written.clusterId], [added[0]['added-peer-id'], added[0]['cluster-id']]);
});

test('restore reads a data dir that a running etcd holds (its WAL lock is no bar to reading)', { skip: etcdSkip() }, async () => {
  const dir = scratch.copyOf(fixtures[0].dir);
  const etcd = await Etcd.start(dir, SINGLE);
  try {
    const db = scratch.fresh('live.db');
    const plan = JSON.parse(walt(['restore', dir, '--out', db, '-w', 'json'])) as Plan;
    assert.ok(plan.index >= 511, 'the log as it stands, with what the running member appended');
  } finally {
    await etcd.stop();
  }
});

/** A copy of `dir` whose log holds one more entry, a put of `key`, past its last hard state's commit index. */
function withUncommittedPut(dir: string, key: string): { dir: string; index: bigint; commit: bigint } {
  const copy = scratch.copyOf(dir);
  const paths = resolveDataDir(copy);
  const opened = openWal(paths, chooseStart(paths).start);
  const scan = opened.scan;
  const segs = listSegments(paths.walDir);
  const hs = scan.hardState!;
  const w = WalWriter.resume(paths.walDir, encodeMetadata(scan.metadata!), hs, segs[segs.length - 1].seq + 1n, scan.lastIndex, scan.endPosition.crc, { sync: false });
  const index = scan.lastIndex + 1n;
  const data = encodeInternalRaftRequest({ header: { ID: 0xabcdn }, ID: 0xabcdn, put: { key: Buffer.from(key), value: Buffer.from('uncommitted') } });
  // The entry is saved with the hard state as it was: no commit reaches it.
  w.save(hs, [{ term: hs.term, index, type: EntryType.EntryNormal, data }]);
  w.close();
  return { dir: copy, index, commit: hs.commit };
}

test('--allow-uncommitted: an index past the commit index is refused without it; with it the plan names the entries it adds, and etcd restored from the snapshot serves their write', { skip: etcdSkip() }, async () => {
  const { dir, index, commit } = withUncommittedPut(fixtures[0].dir, '/walt/uncommitted');
  const refused = runWalt(['restore', dir, '--dry-run', '--at-index', String(index)]);
  assert.equal(refused.status, 2, refused.stderr);
  assert.match(refused.stderr, /past the commit index .*--allow-uncommitted/);
  const db = scratch.fresh('uncommitted.db');
  const plan = JSON.parse(walt(['restore', dir, '--out', db, '--at-index', String(index), '--allow-uncommitted', '-w', 'json']));
  assert.deepEqual(plan.uncommitted, { from: Number(commit + 1n), to: Number(index) });
  assert.equal(plan.commitIndex, Number(commit));
  assert.match(walt(['restore', dir, '--dry-run', '--at-index', String(index), '--allow-uncommitted']), new RegExp(`includes entries ${commit + 1n}\\.\\.${index}, past the last hard state's commit index`));
  const spec: MemberSpec = { ...RESTORED, etcd: ETCD, etcdctl: ETCDCTL };
  const dataDir = scratch.fresh('restored');
  RELEASES[0].restore(db, dataDir, spec);
  const etcd = await Etcd.start(dataDir, spec);
  try {
    assert.equal((await etcd.etcdctl('get', '/walt/uncommitted', '--print-value-only')).trim(), 'uncommitted');
    const before = walt(['replay-to-state', '--show-secrets', dir]);
    // Everything else as at the commit index, one revision on.
    assert.equal(headerRevision(await etcd.getAll()), headerRevision(before) + 1);
  } finally {
    await etcd.stop();
  }
});
