/**
 * 64-bit IDs survive a JSON reader: in walt's own JSON every ID is a lowercase
 * hex string (as etcd prints IDs) and every number a reader parses is exact.
 * The IDs are etcd's, from its own reading of the WAL (the oracle's records):
 * each request, lease and member ID the oracle decodes comes back unchanged
 * from JSON.parse of `walt dump`'s lines.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { readFileSync } from 'node:fs';
import { fixturesDir, readFixtureJson, runWalt, Scratch, type OracleReadAll } from '../helpers/fixtures.js';

const scratch = new Scratch();
after(() => scratch.remove());

/** The number literals of a JSON text, strings skipped. */
function numberTokens(json: string): string[] {
  const out: string[] = [];
  for (const m of json.matchAll(/"(?:[^"\\]|\\.)*"|-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?/g)) if (m[0][0] !== '"') out.push(m[0]);
  return out;
}

/** Numbers a JSON reader would round (above 2^53). */
const inexact = (json: string): string[] => numberTokens(json).filter((t) => !t.includes('.') && !t.includes('e') && String(Number(t)) !== t);

/** What etcdctl printed, as text: JSON.parse would round its IDs. */
const servedText = (fixture: string): string => readFileSync(join(fixturesDir, fixture, 'expected-get.json'), 'utf8');

const hex = (decimal: string): string => BigInt.asUintN(64, BigInt(decimal)).toString(16);

/** Every ID etcd's own reading of the WAL decodes: request headers, v2 requests, leases. */
function oracleIds(fixture: string): Set<string> {
  const ids = new Set<string>();
  for (const e of readFixtureJson<OracleReadAll>(fixture, 'oracle-readall-from0.json').entries) {
    for (const m of (e.text ?? '').matchAll(/(?:^|[ <])ID:(-?\d+)/g)) ids.add(hex(m[1]));
  }
  return ids;
}

/** Every string found under a key named like an ID, in parsed JSON. */
function idsIn(v: unknown, out = new Set<string>()): Set<string> {
  if (Array.isArray(v)) v.forEach((x) => idsIn(x, out));
  else if (v !== null && typeof v === 'object') {
    for (const [k, x] of Object.entries(v)) {
      if (/^(ID|id|lease|memberID|member_ID|node_id)$/.test(k)) {
        assert.equal(typeof x, 'string', `${k} is a string, not ${JSON.stringify(x)}`);
        assert.match(x as string, /^[0-9a-f]+$/, `${k} is lowercase hex without padding`);
        assert.ok(!/^0./.test(x as string), `${k} ${x as string} has no leading zeros`);
        out.add(x as string);
      } else idsIn(x, out);
    }
  }
  return out;
}

for (const fixture of ['single', 'k8s']) {
  test(`${fixture}: every ID etcd decodes from the WAL comes back unchanged from JSON.parse of dump's lines`, () => {
    const dir = scratch.unpack(fixture);
    const r = runWalt(['dump', '--format', 'ndjson', '--start-index', '0', dir]);
    assert.equal(r.status, 0, r.stderr);
    assert.deepEqual(inexact(r.stdout), [], 'no number a reader would round');
    const seen = new Set<string>();
    for (const line of r.stdout.trimEnd().split('\n')) idsIn(JSON.parse(line), seen);
    const expected = oracleIds(fixture);
    assert.ok(expected.size > 5, 'the oracle decodes IDs');
    for (const id of expected) assert.ok(seen.has(id), `ID ${id} from etcd's reading is in the JSON`);
  });
}

test("walt's other JSON outputs have only exact numbers and hex IDs", () => {
  const dir = scratch.unpack('single');
  const snapDir = join(dir, 'member', 'snap');
  const outputs: string[][] = [
    ['dump', '--format', 'ndjson', '--stats', '--start-index', '1', dir],
    ['dump', '--format', 'ndjson', '--raw', dir],
    ['verify', '--json', dir],
    ['snap', 'list', '--json', dir],
    ...readdirSync(snapDir).map((f) => ['snap', 'show', '--format', 'json', join(snapDir, f)]),
    ['replay-to-state', '--history', '/lease/live/a', dir],
    ['replay-to-state', '--diff', '1..511', '--prefix', '/lease/', dir],
  ];
  for (const args of outputs) {
    const r = runWalt(args);
    assert.deepEqual(inexact(r.stdout), [], `walt ${args.join(' ')}: no number a reader would round`);
    for (const doc of args.includes('ndjson') ? r.stdout.trimEnd().split('\n') : [r.stdout]) idsIn(JSON.parse(doc));
  }
  // etcdctl printed the lease of /lease/live/a as a number (read here as text): the same ID, in hex.
  const lease = /"key":"L2xlYXNlL2xpdmUvYQ==",[^}]*"lease":(\d+)/.exec(servedText('single'))![1];
  const history = JSON.parse(runWalt(['replay-to-state', '--history', '/lease/live/a', dir]).stdout);
  assert.equal(history.at(-1).kv.lease, hex(lease));
});

test("replay-to-state's etcdctl-shaped JSON prints etcdctl's numbers with the digits etcdctl printed", () => {
  const dir = scratch.unpack('single');
  const ours = runWalt(['replay-to-state', dir]).stdout;
  const etcds = servedText('single');
  for (const field of ['cluster_id', 'member_id', 'lease']) {
    const pattern = new RegExp(`"${field}":(\\d+)`, 'g');
    const theirs = [...etcds.matchAll(pattern)].map((m) => m[1]);
    assert.ok(theirs.some((d) => String(Number(d)) !== d), `etcdctl printed a ${field} above 2^53`);
    assert.deepEqual([...ours.matchAll(pattern)].map((m) => m[1]), theirs, field);
  }
});
