/**
 * `walt restore`'s refusals and plan, as a user meets them: one line naming
 * what is wrong and what to do, exit 2, nothing written. (What the written
 * files hold is judged by etcd in test/interop/restore.test.ts.)
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runWalt, Scratch } from '../helpers/fixtures.js';

const scratch = new Scratch();
after(() => scratch.remove());
const single = scratch.unpack('single');

function refused(args: string[], message: RegExp): void {
  const r = runWalt(['restore', ...args]);
  assert.equal(r.status, 2, r.stderr);
  assert.equal(r.stdout, '');
  assert.match(r.stderr, message);
  assert.equal(r.stderr.trimEnd().split('\n').length, 1, r.stderr);
}

test('refusals: exit 2, one line, nothing written', () => {
  const existing = scratch.fresh('existing.db');
  writeFileSync(existing, 'keep me');
  refused([single, '--out', existing], /exists; restore writes a new file and replaces nothing/);
  const full = scratch.fresh('full');
  mkdirSync(full);
  writeFileSync(join(full, 'x'), '');
  refused([single, '--out-data-dir', full], /is not empty/);
  refused([single], /--out FILE\.db or --out-data-dir DIR is required/);
  refused([single, '--at-index', '3', '--at-revision', '4', '--dry-run'], /choose one point/);
  const out = scratch.fresh('never.db');
  refused([single, '--at-index', '100000', '--out', out], /index 100000 is past the commit index 511/);
  refused([single, '--at-revision', '100000', '--out', out], /past the revision at the commit index, 442/);
  refused([single, '--before-delete', '/never/there', '--out', out], /no committed entry deletes key "\/never\/there"/);
  assert.equal(existsSync(out), false);
  assert.deepEqual(readdirSync(scratch.dir).filter((f) => f.includes('tmp-walt')), [], 'no temp file left');
});

test('--dry-run prints the plan: the point, the entry it lies before, the keys that differ from the commit index', () => {
  const r = runWalt(['restore', single, '--before-delete', '/load/key-0010', '--dry-run', '-w', 'json']);
  assert.equal(r.status, 0, r.stderr);
  const plan = JSON.parse(r.stdout);
  assert.equal(plan.point, 'before-delete');
  assert.equal(plan.before.index, plan.index + 1);
  assert.equal(plan.before.kind, 'delete_range');
  assert.equal(plan.written, undefined);
  assert.ok(plan.differ.restored >= 1, 'the deleted key comes back');
  const text = runWalt(['restore', single, '--before-delete', '/load/key-0010', '--dry-run']).stdout;
  assert.match(text, new RegExp(`left out: entry ${plan.before.index} \\(term \\d+, delete_range "/load/key-001"`));
});

test('--before-delete finds a key that a lease revoke deleted, and a key deleted by a prefix delete', () => {
  const plan = (args: string[]) => JSON.parse(runWalt(['restore', single, '--dry-run', '-w', 'json', ...args]).stdout);
  // The fixture's lease L2 holds /lease/tmp/x and /lease/tmp/y until `etcdctl lease revoke` (fixtures/README.md, step 6).
  const revoked = plan(['--before-delete', '/lease/tmp/y']);
  assert.equal(revoked.before.kind, 'lease_revoke');
  assert.equal(revoked.differ.restored >= 2, true, 'both keys of the lease come back');
  const prefix = plan(['--before-delete-prefix', '/load/key-001']);
  assert.equal(prefix.before.kind, 'delete_range');
  assert.equal(prefix.index, plan(['--before-delete', '/load/key-0012']).index, 'one entry deleted them all');
});
