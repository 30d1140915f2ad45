/**
 * dump's filters, --raw, --stats and value decoding, run as a user runs them
 * and checked against etcd's own reading of the same data dirs (the oracle
 * records) and what etcd served.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { readFixtureJson, runWalt, Scratch, type OracleReadAll } from '../helpers/fixtures.js';
import { cutInsideLastRecord, flipBitMidLog, zeroSectorInLastRecord } from '../helpers/corrupt.js';

const scratch = new Scratch();
after(() => scratch.remove());
const single = scratch.unpack('single');
const k8s = scratch.unpack('k8s');

const from0 = readFixtureJson<OracleReadAll>('single', 'oracle-readall-from0.json');

const entryLines = (args: string[]) => {
  const r = runWalt(['dump', '--format', 'ndjson', ...args]);
  assert.equal(r.status, 0, r.stderr);
  return r.stdout.trim().split('\n').map((l) => JSON.parse(l)).filter((l) => l.record === 'entry');
};

test('--start-index and --end-index are inclusive, --term and --limit compose with them', () => {
  const got = entryLines(['--start-index', '100', '--end-index', '120', single]).map((e) => String(e.index));
  assert.deepEqual(got, from0.entries.filter((e) => +e.index >= 100 && +e.index <= 120).map((e) => e.index));
  const term1 = entryLines(['--start-index', '1', '--term', '1', single]).map((e) => String(e.index));
  assert.deepEqual(term1, from0.entries.filter((e) => e.term === '1').map((e) => e.index));
  assert.ok(term1.length > 0);
  const limited = entryLines(['--start-index', '50', '--limit', '7', single]).map((e) => String(e.index));
  assert.deepEqual(limited, from0.entries.filter((e) => +e.index >= 50).slice(0, 7).map((e) => e.index));
});

test('--key finds every request naming the key, in puts, deletes, ranges and txns', () => {
  const key = '/app/config/x';
  const ours = new Set(entryLines(['--start-index', '1', '--key', key, single]).map((e) => String(e.index)));
  // etcd's own text of each request names the key wherever a request carries it.
  const named = from0.entries.filter((e) => e.text?.includes(`key:"${key}"`)).map((e) => e.index);
  assert.ok(named.length >= 3);
  for (const i of named) assert.ok(ours.has(i), `entry ${i} names ${key}`);
  // The others found cover it with a range (a prefix delete of /app/, say).
  for (const i of ours) if (!named.includes(i)) assert.match(from0.entries.find((e) => e.index === i)!.text, /range_end:/);
});

test('--prefix finds the writes of every key etcd served under it', () => {
  const served = readFixtureJson('single', 'expected-get.json')
    .kvs.map((kv: { key: string }) => Buffer.from(kv.key, 'base64').toString('latin1'))
    .filter((k: string) => k.startsWith('/load/'));
  const lines = entryLines(['--start-index', '1', '--prefix', '/load/', single]);
  const written = new Set(lines.flatMap((e) => (e.request?.put ? [Buffer.from(e.request.put.key, 'base64').toString('latin1')] : [])));
  for (const k of served) assert.ok(written.has(k), k);
  assert.ok(lines.every((e) => JSON.stringify(e.request ?? {}).length > 2));
});

test('--stats: every breakdown of entries adds up to the entry count dump prints', () => {
  const r = runWalt(['dump', '--stats', '--format', 'ndjson', '--start-index', '1', single]);
  assert.equal(r.status, 0, r.stderr);
  const s = JSON.parse(r.stdout);
  assert.equal(s.entries, from0.entries.length);
  const total = (m: Record<string, { count: number }>) => Object.values(m).reduce((a, t) => a + t.count, 0);
  for (const k of ['byEntryType', 'byRequestKind', 'byTerm', 'bySegment']) assert.equal(total(s[k]), s.entries, k);
  assert.equal(s.records.entry.count, from0.entries.length, 'one entry record per entry: this log has no overwrites');
  const kinds: Record<string, number> = {};
  for (const e of from0.entries) {
    const k = e.kind.startsWith('v2request') ? 'v2' : e.kind.startsWith('confchange') ? 'confChange' : e.kind;
    kinds[k] = (kinds[k] ?? 0) + 1;
  }
  assert.deepEqual(Object.fromEntries(Object.entries(s.byRequestKind).map(([k, t]: [string, any]) => [k, t.count])), kinds, "kinds as etcd's decoder counts them");
  assert.equal(s.largest[0].key, '/big/40k');
  const table = runWalt(['dump', '--stats', '--stats-depth', '1', '--start-index', '1', single]);
  assert.match(table.stdout, /request kind/);
  assert.match(table.stdout, /\/load\//);
});

const copyOf = (src: string) => scratch.copyOf(src);

test('--raw lists every record with both CRCs, and goes on past a CRC error to what follows', () => {
  const healthy = runWalt(['dump', '--raw', '--format', 'ndjson', single]);
  assert.equal(healthy.status, 0);
  const rows = healthy.stdout.trim().split('\n').map((l) => JSON.parse(l));
  const raw = rows.filter((r) => r.record === 'raw');
  assert.deepEqual([...new Set(raw.map((r) => r.type))].sort(), ['crc', 'entry', 'metadata', 'snapshot', 'state']);
  assert.equal(raw.filter((r) => r.type === 'entry').length, from0.entries.length);
  assert.ok(raw.every((r) => r.crcOk && r.expectedCrc === r.computedCrc));
  assert.equal(rows.at(-1).status, 'eof');

  const flipped = copyOf(single);
  const bad = flipBitMidLog(join(flipped, 'member', 'wal'));
  const r = runWalt(['dump', '--raw', '--format', 'ndjson', flipped]);
  assert.equal(r.status, 1, 'a CRC error is a problem');
  const frows = r.stdout.trim().split('\n').map((l) => JSON.parse(l)).filter((x) => x.record === 'raw');
  const at = frows.findIndex((x) => !x.crcOk);
  assert.equal(frows[at].offset, bad.offset);
  assert.notEqual(frows[at].expectedCrc, frows[at].computedCrc);
  assert.equal(frows.length, raw.length, 'every record after the damage is still listed');
  assert.ok(frows.slice(at + 1).every((x) => x.crcOk), 'the chain carries on from the stored value');
  const table = runWalt(['dump', '--raw', flipped]);
  assert.match(table.stdout, new RegExp(`${bad.offset}.*CRC MISMATCH`));
});

for (const [name, damage] of [
  ['a record cut short', cutInsideLastRecord],
  ['a zeroed sector', zeroSectorInLastRecord],
] as const) {
  test(`--raw on a torn tail (${name}) lists the records before it and says where it tore`, () => {
    const dir = copyOf(single);
    damage(join(dir, 'member', 'wal'));
    const r = runWalt(['dump', '--raw', '--format', 'ndjson', dir]);
    const rows = r.stdout.trim().split('\n').map((l) => JSON.parse(l));
    const end = rows.at(-1);
    assert.equal(end.status, 'torn');
    const last = rows.filter((x) => x.record === 'raw').at(-1);
    assert.equal(end.offset, last.offset + 8 + last.length + last.pad, 'the tear is right after the last good record');
  });
}

test('Kubernetes values show kind, namespace and name; Secrets stay hidden unless --show-secrets', () => {
  const lines = entryLines([k8s]);
  const byKey = new Map(lines.filter((e) => e.request?.put).map((e) => [Buffer.from(e.request.put.key, 'base64').toString(), e]));
  assert.deepEqual(byKey.get('/registry/pods/default/web-0').k8s, { apiVersion: 'v1', kind: 'Pod', namespace: 'default', name: 'web-0' });
  assert.deepEqual(byKey.get('/registry/deployments/default/web').k8s, { apiVersion: 'apps/v1', kind: 'Deployment', namespace: 'default', name: 'web' });
  const secret = byKey.get('/registry/secrets/prod/db-credentials');
  // Withheld with each field's type kept: null, never a placeholder in a base64 field.
  assert.equal(secret.request.put.value, null);
  assert.equal(secret.data, null);
  assert.equal(secret.redacted, true);
  assert.equal(secret.k8s.kind, 'Secret');
  const served = readFixtureJson('k8s', 'expected-get.json').kvs.find((kv: any) => Buffer.from(kv.key, 'base64').toString() === '/registry/secrets/prod/db-credentials');
  for (const args of [[k8s], ['--format', 'ndjson', k8s], ['--format', 'etcd-dump-logs', k8s], ['--decode-values', 'utf8', k8s]]) {
    const out = runWalt(['dump', ...args]).stdout;
    assert.ok(!out.includes('hunter2') && !out.includes(served.value), `no secret in ${args.join(' ')}`);
  }
  const shown = entryLines(['--show-secrets', k8s]).find((e) => e.index === secret.index);
  assert.equal(shown.request.put.value, served.value, 'the value etcd served, with --show-secrets');
  const table = runWalt(['dump', k8s]).stdout;
  assert.match(table, /k8s\(v1\/Pod kube-system\/coredns-5d78c9869d-abcde/);
  assert.match(runWalt(['dump', '--decode-values', 'hex', '--prefix', '/registry/pods/default', k8s]).stdout, /value=6b387300/);
});

test('modes that cannot combine are usage errors', () => {
  assert.equal(runWalt(['dump', '--raw', '--stats', single]).status, 2);
  assert.equal(runWalt(['dump', '--follow', '--format', 'etcd-dump-logs', single]).status, 2);
  assert.equal(runWalt(['dump', '--decode-values', 'base32', single]).status, 2);
});
