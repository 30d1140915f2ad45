/**
 * What etcd users type: one segment file to `walt dump` (as pg_waldump takes
 * a file), several data dirs to `walt verify` (each checked, the exit status
 * the worst), and `--data-dir` for the positional dir.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { runWalt, Scratch, walOf } from '../helpers/fixtures.js';
import { tornCorruptMissing } from '../helpers/corrupt.js';

const scratch = new Scratch();
after(() => scratch.remove());
const multiseg = scratch.unpack('multiseg');
const single = scratch.unpack('single');

/** The table's entry rows: term, index, type, data. */
function tableRows(args: string[]): string[] {
  const r = runWalt(['dump', ...args]);
  assert.equal(r.status, 0, `${args.join(' ')}: ${r.stderr}`);
  return r.stdout.split('\n').filter((l) => /^\s+\d+\s+\d+\s+\w+\s/.test(l));
}

test("dump FILE.wal reads that segment alone, from the first entry its name gives: the segments' entries, in turn, are the whole log's", () => {
  const whole = tableRows(['--start-index', '1', multiseg]);
  const segments = readdirSync(walOf(multiseg)).filter((n) => n.endsWith('.wal')).sort();
  assert.equal(segments.length, 3);
  const each = segments.map((name) => tableRows([join(walOf(multiseg), name)]));
  each.forEach((rows, i) => {
    assert.ok(rows.length > 0, segments[i]);
    const first = BigInt('0x' + segments[i].slice(17, 33));
    assert.equal(BigInt(rows[0].trim().split(/\s+/)[1]), first > 0n ? first : 1n, `${segments[i]} starts at the index its name gives`);
  });
  assert.deepEqual(each.flat(), whole);
});

test('dump FILE.wal: --follow and --wal-dir are refused with the reason', () => {
  const seg = join(walOf(multiseg), readdirSync(walOf(multiseg)).sort()[1]);
  const follow = runWalt(['dump', '--follow', seg]);
  assert.equal(follow.status, 2);
  assert.match(follow.stderr, /^walt: --follow watches a WAL dir for new segments; give the data dir/);
  const walDir = runWalt(['dump', '--wal-dir', walOf(multiseg), seg]);
  assert.equal(walDir.status, 2);
  assert.match(walDir.stderr, /a segment file is its own WAL/);
});

test('verify D1 D2 …: each dir checked and reported, the exit status the worst of them', () => {
  const { torn, corrupt, missing } = tornCorruptMissing(scratch, single);
  const cases: [string[], number][] = [
    [[single, multiseg], 0],
    [[single, torn], 3],
    [[single, missing, torn], 2],
    [[torn, corrupt, missing, single], 1],
  ];
  for (const [dirs, want] of cases) {
    const r = runWalt(['verify', ...dirs]);
    assert.equal(r.status, want, `${dirs.join(' ')}: ${r.stderr}`);
    const present = dirs.filter((d) => d !== missing);
    assert.equal(r.stdout.match(/^WAL /gm)?.length, present.length, 'one report per readable dir');
    if (dirs.includes(missing)) assert.match(r.stderr, new RegExp(`^walt: ${missing}: no such file or directory$`, 'm'));
  }
  const json = runWalt(['verify', '-w', 'json', single, torn, missing]);
  assert.equal(json.status, 2);
  assert.deepEqual(
    (JSON.parse(json.stdout) as { dir: string; verdict: string }[]).map((r) => [r.dir, r.verdict]),
    [[single, 'healthy'], [torn, 'torn-tail'], [missing, 'unreadable']],
  );
  assert.equal(runWalt(['verify', '--data-dir', single, '--data-dir', torn]).status, 3, '--data-dir, repeated');
});

test('--data-dir DIR is the positional dir, on every command that takes one', () => {
  for (const cmd of [['dump'], ['verify'], ['snap', 'list'], ['replay-to-state'], ['repair-tail', '--dry-run']]) {
    const positional = runWalt([...cmd, single]);
    const flag = runWalt([...cmd, '--data-dir', single]);
    assert.equal(flag.status, positional.status, cmd.join(' '));
    assert.equal(flag.stdout, positional.stdout, cmd.join(' '));
  }
});
