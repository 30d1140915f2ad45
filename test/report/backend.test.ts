/**
 * verify and snap on a damaged backend, held to what real etcd 3.4 does with
 * the same damage (test/helpers/backend-damage.ts; the interop test starts
 * etcd on each): an error and exit 1 exactly where etcd refuses to start, a
 * warning and exit 0 where it starts. snap list agrees with verify.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runWalt, Scratch } from '../helpers/fixtures.js';
import { verifyJson } from '../helpers/verify-json.js';
import { BACKEND_DAMAGE, dbOf } from '../helpers/backend-damage.js';
import { resolveDataDir } from '../../src/codec/data-dir.js';
import { verifyDataDirThreaded } from '../../src/report/verify.js';
import { backendThreadsStarted } from '../../src/report/backend-thread.js';

const scratch = new Scratch();
after(() => scratch.remove());
const single = scratch.unpack('single');
const cluster = scratch.unpack('cluster3');
/** Every data dir real etcd left in the fixtures. */
const etcdDirs = [single, ...['m1', 'm2', 'm3'].map((m) => join(cluster, m)), scratch.unpack('k8s')];


test("etcd's own backends: no backend problem, and the consistent index read from meta", () => {
  for (const dir of etcdDirs) {
    const { status, report } = verifyJson(dir);
    assert.equal(status, 0, `${dir}: ${JSON.stringify(report.problems)}`);
    assert.deepEqual(report.problems.filter((p) => p.code.startsWith('BBOLT') || p.code.startsWith('BACKEND')), [], dir);
    assert.ok(report.backend?.consistentIndex, `${dir} has a consistent index`);
  }
});

// The data dir etcd 3.4 wrote and the one etcd 3.5 wrote (test/interop/backend-start.test.ts starts each on every case).
const fixtures: Array<[string, () => string]> = [
  ['3.4', () => single],
  ['3.5', () => scratch.unpack('etcd35/single')],
];

for (const [version, fixture] of fixtures) {
  for (const c of BACKEND_DAMAGE) {
    test(`etcd ${version}'s data dir, ${c.name}: ${c.etcdStarts ? 'etcd starts, so a warning' : 'etcd refuses to start, so an error'} (${c.code})`, () => {
      const dir = scratch.copyOf(fixture());
      c.damage(dir);
      const { status, report } = verifyJson(dir);
      const p = report.problems.find((x) => x.code === c.code);
      assert.ok(p, `${c.code} in ${JSON.stringify(report.problems)}`);
      assert.equal(p.severity, c.etcdStarts ? 'warning' : 'error');
      assert.ok(p.file, 'names the file');
      assert.equal(status, c.etcdStarts ? 0 : 1);
      assert.equal(report.problems.some((x) => x.severity === 'error'), !c.etcdStarts, JSON.stringify(report.problems));
      if (!c.etcdStarts) assert.match(p.message, /etcdutl snapshot restore/, 'the next step is named');
      // snap list judges the same backend the same way.
      assert.equal(runWalt(['snap', 'list', dir]).status, status, 'snap list agrees with verify');
      const text = runWalt(['verify', dir]);
      assert.match(text.stdout, new RegExp(`${c.etcdStarts ? 'warning' : 'error'} ${c.code}: ${dir}`));
    });

    // verify checks a large backend on a second thread (report/backend-thread.ts); here every backend is, and
    // the thread's findings are held to what etcd does. Under WALT_THREADS=1 (CI's one-thread run) no thread starts.
    test(`etcd ${version}'s data dir, ${c.name}, with the backend checked on ${process.env.WALT_THREADS === '1' ? 'one thread (WALT_THREADS=1)' : 'a second thread'}: etcd's judgement still`, async () => {
      const dir = scratch.copyOf(fixture());
      c.damage(dir);
      const before = backendThreadsStarted();
      const report = await verifyDataDirThreaded(resolveDataDir(dir), { threadMinBytes: 0 });
      assert.equal(backendThreadsStarted() - before, process.env.WALT_THREADS === '1' || !existsSync(dbOf(dir)) ? 0 : 1, 'threads started');
      const p = report.problems.find((x) => x.code === c.code);
      assert.ok(p, `${c.code} in ${JSON.stringify(report.problems)}`);
      assert.equal(p.severity, c.etcdStarts ? 'warning' : 'error');
      assert.equal(report.problems.some((x) => x.severity === 'error'), !c.etcdStarts, JSON.stringify(report.problems));
    });
  }
}

test('snap show refuses a file that is not bbolt, saying what it is, in one line with exit 1', () => {
  const dir = scratch.fresh('not-bbolt');
  const text = join(`${dir}-abc.db`);
  writeFileSync(text, 'abc');
  const r = runWalt(['snap', 'show', text]);
  assert.equal(r.status, 1);
  assert.equal(r.stdout, '');
  assert.equal(r.stderr.trim().split('\n').length, 1);
  assert.match(r.stderr, /at byte 0: not a bbolt backend: 3 bytes of text \("abc"\)/);
  const wal = runWalt(['snap', 'show', '--as', 'backend', join(single, 'member', 'wal', '0000000000000000-0000000000000000.wal')]);
  assert.equal(wal.status, 1);
  assert.match(wal.stderr, /not a bbolt backend: a WAL segment/);
});

test("snap show on etcd's backend: pages, txid, buckets and consistent index; a broken page is an error", () => {
  const ok = runWalt(['snap', 'show', '--format', 'json', dbOf(single)]);
  assert.equal(ok.status, 0, ok.stderr);
  const shown = JSON.parse(ok.stdout);
  assert.deepEqual(shown.backend.bbolt.buckets, ['alarm', 'auth', 'authRoles', 'authUsers', 'cluster', 'key', 'lease', 'members', 'members_removed', 'meta']);
  assert.deepEqual(shown.backend.problems, []);
  const dir = scratch.copyOf(single);
  BACKEND_DAMAGE.find((c) => c.code === 'BBOLT_BAD_PAGE')!.damage(dir);
  const bad = runWalt(['snap', 'show', dbOf(dir)]);
  assert.equal(bad.status, 1);
  assert.match(bad.stdout, /error BBOLT_BAD_PAGE: at byte \d+: /);
});
