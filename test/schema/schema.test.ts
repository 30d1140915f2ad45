/**
 * Every JSON output checked against its schema in schema/: dump's NDJSON
 * records (listing, --stats, --raw), verify's report (one dir, several, a
 * comparison, damaged dirs), replay-to-state's JSON and snap status, on every
 * fixture. walt's own outputs name their schema version in "schema"; the two
 * that are etcdctl's and etcdutl's formats byte for byte have none.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv, type ValidateFunction } from 'ajv';
import { repoRoot, runWalt, Scratch } from '../helpers/fixtures.js';
import { tornCorruptMissing } from '../helpers/corrupt.js';

const scratch = new Scratch();
after(() => scratch.remove());

const ajv = new Ajv({ allErrors: true });
function schema(name: string): ValidateFunction {
  return ajv.compile(JSON.parse(readFileSync(join(repoRoot, 'schema', `${name}.json`), 'utf8')));
}
const SCHEMAS = { dump: schema('dump.v1'), verify: schema('verify.v1'), replay: schema('replay-to-state.v1'), status: schema('snap-status.v1'), restore: schema('restore.v1') };

function valid(check: ValidateFunction, doc: unknown, what: string): void {
  assert.ok(check(doc), `${what}: ${ajv.errorsText(check.errors, { separator: '\n' })}`);
}

/** Runs walt and returns stdout, the exit status being one of `ok`. */
function output(args: string[], ok: number[] = [0]): string {
  const r = runWalt(args);
  assert.ok(ok.includes(r.status), `walt ${args.join(' ')}: exit ${r.status}: ${r.stderr}`);
  return r.stdout;
}

const ndjson = (text: string) => text.trim().split('\n').map((l) => JSON.parse(l) as { record: string; schema?: string });

const single = scratch.unpack('single');
const cluster = scratch.unpack('cluster3');
const dataDirs: [string, string][] = [
  ['single', single],
  ...['m1', 'm2', 'm3', 'm4'].map((m) => [`cluster3/${m}`, join(cluster, m)] as [string, string]),
  ['k8s', scratch.unpack('k8s')],
  ['multiseg', scratch.unpack('multiseg')],
  ['etcd35/single', scratch.unpack('etcd35/single')],
];

for (const [name, dir] of dataDirs) {
  test(`${name}: dump's NDJSON (listing, from index 1, --stats, --raw, k8s-full) matches dump.v1`, () => {
    // multiseg's values are 1 MB each: its listings are cut to 20 entries (300 MB of NDJSON otherwise).
    const limit = name === 'multiseg' ? ['--limit', '20'] : [];
    // The Kubernetes objects decoded whole (k8sObject) where there are some.
    const k8sFull = name === 'k8s' ? [['--decode-values', 'k8s-full']] : [];
    for (const args of [[...limit], ['--start-index', '1', ...limit], ...k8sFull]) {
      // From index 1, a member that joined from a snapshot (cluster3/m4) reads up to the gap and says so (exit 1).
      const lines = ndjson(output(['dump', '-w', 'ndjson', ...args, dir], args.includes('--start-index') ? [0, 1] : [0]));
      assert.deepEqual([lines[0].record, lines[0].schema, lines.at(-1)!.record], ['snapshot', 'dump.v1', 'end']);
      lines.forEach((l, i) => valid(SCHEMAS.dump, l, `${name} ${args.join(' ')} line ${i + 1}`));
    }
    const [stats] = ndjson(output(['dump', '--stats', '-w', 'ndjson', dir]));
    assert.equal(stats.schema, 'dump.v1');
    valid(SCHEMAS.dump, stats, `${name} --stats`);
    const raw = ndjson(output(['dump', '--raw', '-w', 'ndjson', dir]));
    raw.forEach((l, i) => valid(SCHEMAS.dump, l, `${name} --raw line ${i + 1}`));
  });

  test(`${name}: verify -w json matches verify.v1; replay-to-state matches replay-to-state.v1; snap status matches snap-status.v1`, () => {
    const report = JSON.parse(output(['verify', '-w', 'json', dir]));
    assert.equal(report.schema, 'verify.v1');
    valid(SCHEMAS.verify, report, `${name} verify`);
    for (const args of [[], ['--include', 'leases,members,auth,rules'], ['--keys-only']]) {
      valid(SCHEMAS.replay, JSON.parse(output(['replay-to-state', ...args, dir])), `${name} replay-to-state ${args.join(' ')}`);
    }
    valid(SCHEMAS.status, JSON.parse(output(['snap', 'status', '-w', 'json', join(dir, 'member', 'snap', 'db')])), `${name} snap status`);
  });
}

for (const [name, dir] of dataDirs) {
  test(`${name}: restore -w json matches restore.v1, planned and written, as a file and as a data dir`, () => {
    const plans = [
      JSON.parse(output(['restore', '--dry-run', '-w', 'json', dir])),
      JSON.parse(output(['restore', '-w', 'json', '--out', scratch.fresh('restore.db'), dir])),
      JSON.parse(output(['restore', '-w', 'json', '--out-data-dir', scratch.fresh('restored'), dir])),
    ];
    plans.forEach((p, i) => {
      assert.equal(p.schema, 'restore.v1');
      valid(SCHEMAS.restore, p, `${name} restore ${i}`);
    });
    assert.deepEqual(plans.map((p) => typeof p.written?.sha256), ['undefined', 'string', 'undefined']);
    assert.match(plans[2].written.memberId, /^[0-9a-f]+$/);
  });
}

test('restore.v1 also holds for a point before a delete, which names the entry left out', () => {
  const at = JSON.parse(output(['restore', '--dry-run', '-w', 'json', '--before-delete-prefix', '/', single]));
  valid(SCHEMAS.restore, at, 'before-delete-prefix');
  assert.ok(at.before.keys.length > 0);
});

test('verify.v1 also holds for several dirs, a comparison, and damaged dirs; dump.v1 for a torn listing', () => {
  const { torn, corrupt, missing } = tornCorruptMissing(scratch, single);
  const several = JSON.parse(output(['verify', '-w', 'json', single, torn, corrupt, missing], [1]));
  assert.deepEqual(several.map((r: { verdict: string }) => r.verdict), ['healthy', 'torn-tail', 'corrupt', 'unreadable']);
  valid(SCHEMAS.verify, several, 'verify of several dirs');
  for (const dir of [torn, corrupt]) valid(SCHEMAS.verify, JSON.parse(output(['verify', '-w', 'json', dir], [1, 3])), dir);
  const compare = JSON.parse(output(['verify', '--compare', '-w', 'json', ...['m1', 'm2', 'm3'].map((m) => join(cluster, m))]));
  assert.equal(compare.schema, 'verify.v1');
  valid(SCHEMAS.verify, compare, 'verify --compare');
  const lines = ndjson(output(['dump', '-w', 'ndjson', torn], [3]));
  assert.equal((lines.at(-1) as { status?: string }).status, 'torn');
  lines.forEach((l, i) => valid(SCHEMAS.dump, l, `torn line ${i + 1}`));
});

test('the schemas refuse what they must: a verdict, a record or a field outside them', () => {
  assert.equal(SCHEMAS.verify({ schema: 'verify.v1', ok: true, verdict: 'fine', problems: [], walDir: 'w', segments: [], start: { index: 0, term: 0 }, entries: 0 }), false);
  assert.equal(SCHEMAS.dump({ record: 'entry', index: 1, term: 1, type: 'EntryNormal', data: '', kind: 'empty', segment: 'x.wal', offset: 0 }), false);
  assert.equal(SCHEMAS.dump({ record: 'snapshot', file: null, index: 0, term: 0 }), false, 'the first record names its schema');
  assert.equal(SCHEMAS.status({ hash: 1, revision: 1, totalKey: 1, totalSize: 1, schema: 'x' }), false);
});
