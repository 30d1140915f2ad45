/**
 * `walt snap status FILE` prints what etcd 3.5's `etcdutl snapshot status`
 * prints, byte for byte, in each of its formats: on the backend of every
 * fixture (copied to a file, as a user would pass a saved snapshot), and on
 * damaged backends, where both refuse or both print the same.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { runWalt, Scratch } from '../helpers/fixtures.js';
import { etcd35Bin, etcd35Skip } from '../helpers/etcd35.js';
import { BACKEND_DAMAGE, dbOf } from '../helpers/backend-damage.js';
import { humanizeBytes } from '../../src/report/snap-status.js';

const scratch = new Scratch();
after(() => scratch.remove());
const FORMATS = ['simple', 'table', 'json', 'fields'];

function etcdutl(args: string[]) {
  const r = spawnSync(join(etcd35Bin, 'etcdutl'), args, { encoding: 'utf8' });
  return { status: r.status ?? 1, stdout: r.stdout, stderr: r.stderr };
}

/** Every backend the fixtures hold: member/snap/db of each data dir, and any .snap.db. */
function fixtureBackends(): string[] {
  const dbs: string[] = [];
  const walk = (dir: string) => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      if (e.isDirectory()) walk(join(dir, e.name));
      else if (e.name === 'db' || e.name.endsWith('.snap.db')) dbs.push(join(dir, e.name));
    }
  };
  for (const name of ['single', 'cluster3', 'k8s', 'multiseg', 'etcd35/single']) walk(scratch.unpack(name));
  return dbs;
}

test('the backend of every fixture: the same hash, revision, total keys and size as etcdutl, in every format', { skip: etcd35Skip() }, () => {
  const dbs = fixtureBackends();
  assert.ok(dbs.length >= 7, `backends found: ${dbs.length}`);
  for (const db of dbs) {
    const file = scratch.fresh('snapshot') + '.db';
    copyFileSync(db, file);
    for (const w of FORMATS) {
      const want = etcdutl(['snapshot', 'status', '-w', w, file]);
      assert.equal(want.status, 0, want.stderr);
      const got = runWalt(['snap', 'status', '-w', w, file]);
      assert.equal(got.status, 0, got.stderr);
      assert.equal(got.stdout, want.stdout, `${db} -w ${w}`);
    }
  }
});

test('damaged backends: where etcdutl refuses, walt refuses in one line naming the file (exit 1 or 2); else both print the same', { skip: etcd35Skip() }, () => {
  for (const c of BACKEND_DAMAGE) {
    const dir = scratch.unpack('single');
    c.damage(dir);
    const db = dbOf(dir);
    const want = etcdutl(['snapshot', 'status', '-w', 'json', db]);
    const got = runWalt(['snap', 'status', '-w', 'json', db]);
    if (want.status === 0) {
      assert.equal(got.status, 0, `${c.name}: ${got.stderr}`);
      assert.equal(got.stdout, want.stdout, c.name);
    } else {
      assert.ok(got.status === 1 || got.status === 2, `${c.name}: exit ${got.status}`);
      assert.equal(got.stdout, '', c.name);
      assert.match(got.stderr, /^walt: [^\n]*(\/db|snap\/db)[^\n]*\n$/, `${c.name}: ${got.stderr}`);
    }
  }
});

test("sizes as go-humanize's Bytes prints them: SI units, one decimal below 10, Go's round half to even", () => {
  const cases: [number, string][] = [
    [0, '0 B'],
    [9, '9 B'],
    [10, '10 B'],
    [999, '999 B'],
    [1000, '1.0 kB'],
    [1049, '1.0 kB'],
    [1050, '1.1 kB'],
    [9999, '10 kB'],
    [10_500, '10 kB'],
    [11_500, '12 kB'],
    [110_592, '111 kB'],
    [1_500_000, '1.5 MB'],
    [2_147_483_648, '2.1 GB'],
  ];
  for (const [n, want] of cases) assert.equal(humanizeBytes(n), want, String(n));
});
