/**
 * `walt dump --decode-values k8s-full` run as a user runs it, on the k8s
 * fixture (objects written through real etcd): each object whole in the
 * NDJSON and under the table's rows, the Secret withheld, the JSON-stored
 * Namespace recognised.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFixtureJson, runWalt, Scratch } from '../helpers/fixtures.js';

const scratch = new Scratch();
after(() => scratch.remove());
const k8s = scratch.unpack('k8s');

const served = readFixtureJson<{ kvs: Array<{ key: string; value: string }> }>('k8s', 'expected-get.json').kvs;
const secretServed = served.find((kv) => Buffer.from(kv.key, 'base64').toString().startsWith('/registry/secrets/'))!.value;

function byKey(args: string[]): Map<string, any> {
  const r = runWalt(['dump', '-w', 'ndjson', '--decode-values', 'k8s-full', ...args, k8s]);
  assert.equal(r.status, 0, r.stderr);
  const entries = r.stdout.trim().split('\n').map((l) => JSON.parse(l)).filter((l) => l.record === 'entry' && l.request?.put);
  return new Map(entries.map((e) => [Buffer.from(e.request.put.key, 'base64').toString(), e]));
}

test('NDJSON: each object whole in "k8sObject", its identity and decoding in "k8s"', () => {
  const got = byKey([]);
  assert.deepEqual(got.get('/registry/pods/default/web-0').k8sObject, { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'web-0', namespace: 'default' } });
  assert.deepEqual(got.get('/registry/deployments/default/web').k8s, { apiVersion: 'apps/v1', kind: 'Deployment', namespace: 'default', name: 'web', decoding: 'typed' });
  const ns = got.get('/registry/namespaces/prod');
  assert.deepEqual([ns.k8s, ns.k8sObject], [{ apiVersion: 'v1', kind: 'Namespace', name: 'prod', contentType: 'application/json', decoding: 'json' }, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'prod' } }]);
  const secret = got.get('/registry/secrets/prod/db-credentials');
  assert.deepEqual(secret.k8sObject, { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'db-credentials', namespace: 'prod' }, redacted: true });
  // make-fixtures.sh encoded the Secret's data entry one byte short: said, not hidden.
  assert.match(secret.k8s.error, /^k8s\.io\.api\.core\.v1\.Secret at byte 26: index out of range/);
  assert.deepEqual([secret.data, secret.redacted, secret.request.put.value], [null, true, null]);
});

test('the table prints each object under its row; no output shows the Secret unless --show-secrets', () => {
  const r = runWalt(['dump', '--decode-values', 'k8s-full', k8s]);
  assert.equal(r.status, 0, r.stderr);
  const lines = r.stdout.split('\n');
  const row = lines.findIndex((l) => l.includes('put key="/registry/pods/default/web-0"'));
  assert.deepEqual(lines.slice(row + 1, row + 4), ['    {', '      "apiVersion": "v1",', '      "kind": "Pod",']);
  assert.ok(lines.some((l) => /^ {4}decoding stopped short: k8s\.io\.api\.core\.v1\.Secret/.test(l)));
  for (const out of [r.stdout, runWalt(['dump', '-w', 'ndjson', '--decode-values', 'k8s-full', k8s]).stdout]) assert.ok(!out.includes('hunter2') && !out.includes(secretServed));
  assert.equal(byKey(['--show-secrets']).get('/registry/secrets/prod/db-credentials').k8sObject.redacted, undefined);
});

test('--decode-values names k8s-full among its choices', () => {
  const r = runWalt(['dump', '--decode-values', 'k8s-whole', k8s]);
  assert.equal(r.status, 2);
  assert.match(r.stderr, /k8s-full/);
});
