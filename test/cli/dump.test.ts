/**
 * `walt dump` as a user runs it (bin/walt), checked against what etcd's own
 * code read from the same data dir (the oracle's records) and what the live
 * cluster served (etcdctl's records).
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { readFixtureJson, removeDir, runWalt, unpackFixture, type OracleReadAll } from '../helpers/fixtures.js';

const single = unpackFixture('single');
const cluster = unpackFixture('cluster3');
after(() => {
  removeDir(single);
  removeDir(cluster);
});

const ndjson = (args: string[]) => {
  const r = runWalt(['dump', '--format', 'ndjson', ...args]);
  return { ...r, lines: r.stdout.trim().split('\n').map((l) => JSON.parse(l)) };
};

/** etcd's oracle names an entry's kind as etcd's decoder does: put, v2request:PUT, confchange:ConfChangeAddNode, empty. */
function oracleKind(line: any): string {
  if (line.kind === 'confChange') return `confchange:${line.confChange.type}`;
  if (line.kind === 'v2') return `v2request:${line.request.Method ?? line.request.v2?.Method}`;
  return line.kind;
}

test('ndjson: header records, then entries equal to wal.ReadAll with kinds as etcd decodes them, then a clean end', () => {
  for (const [dir, rec, args] of [
    [single, ['single', 'oracle-readall.json'], []],
    [single, ['single', 'oracle-readall-from0.json'], ['--start-index', '1']],
    [join(cluster, 'm1'), ['cluster3', 'm1', 'oracle-readall-from0.json'], ['--start-index', '1']],
  ] as const) {
    const oracle = readFixtureJson<OracleReadAll & { entries: Array<{ kind: string }> }>(...rec);
    const { status, lines } = ndjson([...args, dir]);
    assert.equal(status, 0);
    assert.deepEqual(
      lines.slice(0, 3).map((l) => l.record),
      ['snapshot', 'metadata', 'hardState'],
    );
    assert.equal(lines[1].nodeID, oracle.metadata.nodeID);
    assert.equal(lines[1].clusterID, oracle.metadata.clusterID);
    assert.equal(String(lines[2].commit), oracle.hardState.commit);
    const entries = lines.filter((l) => l.record === 'entry');
    assert.equal(entries.length, oracle.entries.length);
    entries.forEach((e, i) => {
      const o = oracle.entries[i];
      assert.equal(String(e.index), o.index);
      assert.equal(String(e.term), o.term);
      assert.equal(e.type, o.type);
      assert.equal(oracleKind(e), o.kind, `kind of entry ${o.index}`);
      // A withheld entry (a password, a token) has null data and says so; the others carry etcd's bytes.
      if (e.redacted) assert.equal(e.data, null, `data of entry ${o.index}`);
      else assert.equal(e.data, o.data ?? '', `data of entry ${o.index}`);
    });
    assert.equal(lines.at(-1).record, 'end');
    assert.equal(lines.at(-1).status, 'eof');
  }
});

test('every key the live cluster served was written by a put the dump shows', () => {
  const served = readFixtureJson('single', 'expected-get.json').kvs.map((kv: { key: string }) => kv.key);
  const { lines } = ndjson(['--start-index', '1', single]);
  const written = new Set<string>();
  const collect = (req: any) => {
    if (req?.put) written.add(req.put.key);
    for (const op of [...(req?.txn?.success ?? []), ...(req?.txn?.failure ?? [])]) collect({ put: op.request_put, txn: op.request_txn });
  };
  for (const l of lines) if (l.record === 'entry') collect(l.request);
  for (const key of served) assert.ok(written.has(key), `key ${Buffer.from(key, 'base64')} has a put in the dump`);
});

test('passwords are withheld unless --show-secrets, in the decoded request and the raw data alike', () => {
  const plain = runWalt(['dump', '--start-index', '1', '--format', 'ndjson', single]).stdout;
  const table = runWalt(['dump', '--start-index', '1', single]).stdout;
  for (const out of [plain, table]) assert.ok(!out.includes('rootpw') && !out.includes('alicepw'), 'no clear-text password');
  assert.ok(table.includes('password=<value removed>'));
  assert.ok(plain.includes('"password":null') && plain.includes('"data":null'), 'JSON keeps the field types: null, not a placeholder');
  const b64 = (s: string) => Buffer.from(s).toString('base64').slice(0, 6);
  assert.ok(!plain.includes(`"password":"${b64('rootpw')}`));
  const shown = runWalt(['dump', '--start-index', '1', '--format', 'ndjson', '--show-secrets', single]).stdout;
  assert.ok(shown.includes('"password":"rootpw"'), 'shown with --show-secrets');
});

test('table: a header naming member, cluster and hard state, and one line per entry', () => {
  const oracle = readFixtureJson<OracleReadAll>('single', 'oracle-readall.json');
  const r = runWalt(['dump', single]);
  assert.equal(r.status, 0);
  assert.match(r.stdout, new RegExp(`nodeID=${oracle.metadata.nodeID} clusterID=${oracle.metadata.clusterID}`));
  assert.match(r.stdout, new RegExp(`commit=${oracle.hardState.commit}`));
  assert.match(r.stdout, new RegExp(`Snapshot: ${oracle.snapFile}`));
  const rows = r.stdout.split('\n').filter((l) => /^\s+\d+\s+\d+\s+(norm|conf|conf2)\s/.test(l));
  assert.equal(rows.length, oracle.entries.length);
});
