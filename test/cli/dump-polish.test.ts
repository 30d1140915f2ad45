/**
 * What `walt dump` tells a person besides the entries: --stats' key prefixes
 * printed as etcdctl prints keys (UTF-8 where valid), how many entries of how
 * many the table printed, that --follow waits, and a torn tail on stderr with
 * the command that repairs it.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { runWalt, Scratch, waltBin, walOf } from '../helpers/fixtures.js';
import { writeCraftedLog } from '../helpers/crafted-log.js';
import { cutInsideLastRecord } from '../helpers/corrupt.js';

const scratch = new Scratch();
after(() => scratch.remove());
const single = scratch.unpack('single');
const b = (s: string | number[]) => (typeof s === 'string' ? Buffer.from(s, 'utf8') : Buffer.from(s));

test('--stats: key prefixes and the largest keys print as UTF-8 where they are, every byte shown where they are not', () => {
  const dir = scratch.fresh('utf8');
  mkdirSync(dir);
  const bad = Buffer.concat([b('/bin/'), b([0xff, 0xfe]), b('/x')]);
  writeCraftedLog(dir, [{ put: { key: b('/unicode/ключ/a'), value: b('1') } }, { put: { key: b('/unicode/ключ/b'), value: b('22') } }, { put: { key: bad, value: b('x'.repeat(500)) } }]);
  const json = runWalt(['dump', '--stats', '-w', 'ndjson', '--start-index', '1', dir]);
  assert.equal(json.status, 0, json.stderr);
  const s = JSON.parse(json.stdout) as { byKeyPrefix: Record<string, { count: number }>; largest: { key?: string }[] };
  assert.deepEqual(Object.keys(s.byKeyPrefix).sort(), ['"/bin/\\xff\\xfe/"', '/unicode/ключ/']);
  assert.equal(s.byKeyPrefix['/unicode/ключ/'].count, 2);
  assert.equal(s.largest[0].key, '"/bin/\\xff\\xfe/x"');
  const table = runWalt(['dump', '--stats', '--start-index', '1', dir]).stdout;
  assert.match(table, /│ \/unicode\/ключ\/ +│ 2 /);
  assert.doesNotMatch(table, /Ð/, 'no UTF-8 read as Latin-1');
});

test('the table ends with how many entries of how many it printed', () => {
  const all = runWalt(['dump', single]).stdout.trimEnd().split('\n');
  const total = Number(/WAL entries: (\d+)/.exec(all.join('\n'))![1]);
  assert.equal(all.at(-1), `printed ${total} of ${total} entries`);
  assert.equal(runWalt(['dump', '--limit', '3', single]).stdout.trimEnd().split('\n').at(-1), `printed 3 of ${total} entries`);
  assert.equal(runWalt(['dump', '--prefix', '/no/such/prefix/', single]).stdout.trimEnd().split('\n').at(-1), `printed 0 of ${total} entries`, 'a filter that matches nothing says so');
});

test('a torn tail: the table prints up to it, and stderr names the file, the byte and walt repair-tail; exit 3', () => {
  const torn = scratch.copyOf(single);
  const { path } = cutInsideLastRecord(walOf(torn));
  for (const w of ['table', 'ndjson']) {
    const r = runWalt(['dump', '-w', w, torn]);
    assert.equal(r.status, 3, w);
    assert.match(r.stderr, new RegExp(`^walt: ${path} at byte \\d+: the log ends at a torn write \\(.*\\); run \`walt repair-tail\` on the data dir`), w);
    assert.equal(r.stderr.split('\n').length, 2, `one line on stderr (${w})`);
  }
});

test('--follow says on stderr that it waits, and stops on Ctrl-C', async () => {
  const child = spawn(process.execPath, [waltBin, 'dump', '--follow', single], { env: { ...process.env, FORCE_COLOR: '0' } });
  let stderr = '';
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no waiting notice: ${stderr}`)), 20_000);
    child.stderr.on('data', (d: Buffer) => {
      stderr += d;
      if (stderr.includes('waiting')) {
        clearTimeout(timer);
        resolve();
      }
    });
  });
  assert.match(stderr, /^walt: following .*member\/wal: waiting for etcd to append entries \(Ctrl-C stops\)\n/);
  child.kill('SIGINT');
  const code = await new Promise((resolve) => child.on('exit', resolve));
  assert.equal(code, 0);
});

test('--stats tables: what each counts is said, with percentages, terms and segments in order', () => {
  const r = runWalt(['dump', '--stats', '--start-index', '1', scratch.unpack('multiseg')]);
  assert.equal(r.status, 0, r.stderr);
  const [records, entries] = [/^(\d+) records in the segments read, by type:$/m.exec(r.stdout), /^(\d+) entries selected, \d+ bytes of entry data:$/m.exec(r.stdout)];
  assert.ok(records && entries, r.stdout.slice(0, 400));
  const rows = (title: string) => r.stdout.split(`│ ${title}`)[1].split('└')[0].split('\n').filter((l) => /^│ \S/.test(l)).map((l) => l.split('│').map((c) => c.trim()).filter(Boolean));
  const segments = rows('segment');
  assert.deepEqual(segments.map((c) => c[0]), segments.map((c) => c[0]).sort(), 'segments in file order');
  assert.equal(segments.reduce((n, c) => n + Number(c[1]), 0), Number(entries[1]), 'the segment table counts the entries selected');
  const terms = rows('term').map((c) => Number(c[0]));
  assert.deepEqual(terms, [...terms].sort((a, b) => a - b), 'terms in order');
  const shares = rows('request kind').map((c) => Number(c[2].replace('%', '')));
  assert.ok(Math.abs(shares.reduce((a, b) => a + b, 0) - 100) < 0.5, `percentages add up to 100: ${shares}`);
});
