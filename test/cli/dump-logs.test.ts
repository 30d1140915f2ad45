/**
 * `walt dump --format etcd-dump-logs` against what etcd 3.4's own
 * etcd-dump-logs printed for the same data dirs and flags
 * (fixtures/etcd-dump-logs/, see its README), and `--entry-type` against the
 * kinds etcd's own decoding gave each entry (the oracle's records).
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fixturesDir, readFixtureJson, removeDir, repoRoot, runWalt, unpackFixture } from '../helpers/fixtures.js';
import { compactTextString, decodeForText } from '../../src/codec/text-format.js';
import { InternalRaftRequestSpec, RequestSpec } from '../../src/codec/proto/etcdserverpb.js';
import { decodeNormalEntry } from '../../src/codec/request.js';
import { entryTypeNames } from '../../src/report/entry-filter.js';

// etcd-dump-logs prints v2 SYNC times in the local zone; the records were made with TZ=UTC.
process.env.TZ = 'UTC';

interface DumpLogsRecord {
  file: string;
  fixture: 'single' | 'cluster3';
  member?: string;
  args: string[];
  streamDecoder?: string;
  etcdStatus: number;
}

const recordsDir = join(fixturesDir, 'etcd-dump-logs');
const manifest = readFixtureJson<{ tarballs: Record<string, string>; records: DumpLogsRecord[] }>('etcd-dump-logs', 'records.json');
const unpacked = { single: unpackFixture('single'), cluster3: unpackFixture('cluster3') };
after(() => Object.values(unpacked).forEach(removeDir));

const dataDir = (r: DumpLogsRecord) => join(unpacked[r.fixture], r.member ?? '');
const recorded = (r: DumpLogsRecord) => readFileSync(join(recordsDir, r.file));
const recordNamed = (file: string) => manifest.records.find((r) => r.file === file)!;

/** The command line of a record, with our decoder script found from the repository root. */
function dumpLogsArgs(r: DumpLogsRecord, showSecrets: boolean): string[] {
  const decoder = r.streamDecoder?.startsWith('test/') ? join(repoRoot, r.streamDecoder) : r.streamDecoder;
  return ['dump', '--format', 'etcd-dump-logs', ...(showSecrets ? ['--show-secrets'] : []), ...r.args, ...(decoder ? ['--stream-decoder', decoder] : []), dataDir(r)];
}

/**
 * walt exits 1 wherever etcd-dump-logs stops short: a fatal read error (1), a
 * panic on an empty log (2), a decoder that closed its output (it prints EOF
 * and exits 0).
 */
const expectedStatus = (r: DumpLogsRecord, out: Buffer) => (r.etcdStatus === 0 && !out.toString('latin1').endsWith('EOF\n') ? 0 : 1);

test('the records were made from the fixture tarballs in the tree', () => {
  for (const [tarball, sha256] of Object.entries(manifest.tarballs)) {
    const actual = createHash('sha256').update(readFileSync(join(fixturesDir, tarball))).digest('hex');
    assert.equal(actual, sha256, `fixtures/${tarball} changed since fixtures/etcd-dump-logs was recorded: record it again (see its README)`);
  }
});

test('with --show-secrets, the output is byte for byte what etcd-dump-logs 3.4 printed', () => {
  for (const r of manifest.records) {
    const expected = recorded(r);
    const { status, stdout, stderr } = runWalt(dumpLogsArgs(r, true));
    assert.ok(Buffer.from(stdout, 'utf8').equals(expected), `${r.file}: output differs from etcd-dump-logs'`);
    assert.equal(status, expectedStatus(r, expected), `${r.file}: exit status (stderr: ${stderr})`);
  }
});

/** A regexp matching `line` with each redaction standing for any quoted value, or any hex in the decoder's column. */
function redactedPattern(line: string): RegExp {
  const parts = line.split(/("<value removed>"|<value removed>)/);
  const source = parts.map((p, i) => (i % 2 === 0 ? p.replace(/[.*+?^${}()|[\]\\]/g, '\\$&') : p.startsWith('"') ? '"(?:[^"\\\\]|\\\\.)*"' : '[0-9A-F]*')).join('');
  return new RegExp(`^${source}$`);
}

test('without --show-secrets, the only differences are passwords and tokens, shown as "<value removed>"', () => {
  for (const file of ['single.start-index-1.txt', 'single.start-index-400.stream-decoder-upper.txt']) {
    const r = recordNamed(file);
    const expected = recorded(r).toString('utf8').split('\n');
    const actual = runWalt(dumpLogsArgs(r, false)).stdout.split('\n');
    assert.equal(actual.length, expected.length, file);
    let redacted = 0;
    actual.forEach((line, i) => {
      if (line === expected[i]) return;
      redacted++;
      assert.ok(line.includes('<value removed>'), `${file} line ${i + 1} differs without a redaction: ${line}`);
      assert.match(expected[i], redactedPattern(line), `${file} line ${i + 1}`);
    });
    assert.ok(redacted > 0, `${file} has secrets to redact`);
    assert.ok(!actual.join('\n').match(/rootpw|alicepw|sparepw|simple_token:"[^<]/), `${file}: no password or token left`);
  }
});

test('an unknown --entry-type is a usage error that lists the valid names', () => {
  const { status, stderr } = runWalt(['dump', '--format', 'etcd-dump-logs', '--entry-type', 'IRRPut,Bogus', unpacked.single]);
  assert.equal(status, 2);
  assert.match(stderr, /"Bogus"/);
  for (const name of entryTypeNames) assert.ok(stderr.includes(name), `stderr lists ${name}`);
  assert.ok(entryTypeNames.includes('IRRAuthUserAdd') && entryTypeNames.includes('ConfigChangeV2') && entryTypeNames.includes('IRRAuth'));
});

/** The oracle's kinds (etcd's decoding) each name selects. */
const oracleKindOf: Record<string, (kind: string) => boolean> = {
  IRRTxn: (k) => k === 'txn',
  IRRAuth: (k) => k.startsWith('auth'),
  IRRAuthUserAdd: (k) => k === 'auth_user_add',
  IRRLeaseCheckpoint: (k) => k === 'lease_checkpoint',
  ConfigChange: (k) => k.startsWith('confchange:'),
  Request: (k) => k.startsWith('v2request:'),
  InternalRaftRequest: (k) => !k.startsWith('confchange') && !k.startsWith('v2request:') && k !== 'undecodable',
};

test('--entry-type on ndjson gives exactly the entries of those kinds, as etcd decoded them', () => {
  for (const [fixture, member, types] of [
    ['single', '', ['IRRTxn', 'IRRAuth', 'ConfigChange', 'Request', 'IRRLeaseCheckpoint']],
    ['cluster3', 'm1', ['InternalRaftRequest']],
  ] as const) {
    const oracle = readFixtureJson<{ entries: Array<{ index: string; kind: string }> }>(...[fixture, member, 'oracle-readall-from0.json'].filter((p) => p !== ''));
    const wanted = oracle.entries.filter((e) => types.some((t) => oracleKindOf[t](e.kind))).map((e) => e.index);
    const r = runWalt(['dump', '--format', 'ndjson', '--start-index', '1', '--entry-type', types.join(','), join(unpacked[fixture], member)]);
    assert.equal(r.status, 0, r.stderr);
    const got = r.stdout.trim().split('\n').map((l) => JSON.parse(l)).filter((l) => l.record === 'entry').map((l) => String(l.index));
    assert.ok(wanted.length > 0);
    assert.deepEqual(got, wanted, `${fixture} ${member} --entry-type ${types.join(',')}`);
  }
});

test("the text format is each message's String() in etcd's Go code, for every normal entry of every fixture", () => {
  const files = [['single'], ...['m1', 'm2', 'm3', 'm4'].map((m) => ['cluster3', m])];
  let compared = 0;
  for (const path of files) {
    const oracle = readFixtureJson<{ entries: Array<{ index: string; type: string; data: string | null; text?: string }> }>(...path, 'oracle-readall-from0.json');
    for (const e of oracle.entries) {
      if (e.type !== 'EntryNormal') continue;
      const data = Buffer.from(e.data ?? '', 'base64');
      const spec = decodeNormalEntry(data).wire === 'Request' ? RequestSpec : InternalRaftRequestSpec;
      assert.equal(compactTextString(spec, decodeForText(spec, data)), e.text ?? '', `${path.join('/')} entry ${e.index}`);
      compared++;
    }
  }
  assert.ok(compared > 1000);
});
