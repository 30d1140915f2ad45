/**
 * The command line as a user meets it: one output flag (-w, --write-out, as
 * etcdctl spells it) on every command with the earlier spellings kept, colour
 * that NO_COLOR, FORCE_COLOR and --no-color decide, and usage errors that are
 * one line with a suggestion and where the help is, exit 2, never the help.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { Scratch, waltBin } from '../helpers/fixtures.js';

const scratch = new Scratch();
after(() => scratch.remove());
const single = scratch.unpack('single');
const db = join(single, 'member', 'snap', 'db');

function walt(args: string[], env: Record<string, string | undefined> = { FORCE_COLOR: '0' }) {
  const r = spawnSync(process.execPath, [waltBin, ...args], { encoding: 'utf8', env: { ...process.env, NO_COLOR: undefined, FORCE_COLOR: undefined, ...env }, maxBuffer: 64 << 20 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** A usage error: exit 2, nothing on stdout, one line on stderr. */
function refused(args: string[]): string {
  const r = walt(args);
  assert.equal(r.status, 2, `${args.join(' ')}: ${r.stderr}`);
  assert.equal(r.stdout, '', args.join(' '));
  assert.equal(r.stderr.split('\n').length, 2, `one line for ${args.join(' ')}:\n${r.stderr}`);
  return r.stderr.trimEnd();
}

test('a flag error is one line with a suggestion and the help to read, not the help', () => {
  assert.equal(refused(['dump', '--data-dirr', single]), "walt: unknown option '--data-dirr' (did you mean --data-dir?); see walt dump --help");
  assert.match(refused(['verify', '--jsn', single]), /^walt: unknown option '--jsn'; see walt verify --help$/);
  assert.equal(refused(['dupm', single]), "walt: unknown command 'dupm' (did you mean dump?); see walt --help");
  assert.match(refused(['snap', 'show', '-w', 'yaml', db]), /^walt: option '-w, --write-out <format>' argument 'yaml' is invalid: expected one of simple, json, text, got "yaml"; see walt snap show --help$/);
});

test("Go's one-dash flags (-start-index, -write-out) get the two-dash spelling suggested", () => {
  assert.match(refused(['dump', '-start-index', '5', single]), /unknown option '-start-index' \(did you mean --start-index\? walt's long flags take two dashes\); see walt dump --help$/);
  assert.match(refused(['dump', '-write-out', 'json', single]), /unknown option '-write-out' \(did you mean --write-out\?/);
  assert.match(refused(['verify', '-data-dir', single]), /did you mean --data-dir\?/);
});

test('combinations that would be ignored are refused with the reason', () => {
  assert.match(refused(['dump', single, single]), /^walt: too many arguments for 'dump': expected 1 argument but got 2; see walt dump --help$/);
  assert.match(refused(['replay-to-state', single, single]), /too many arguments for 'replay-to-state'/);
  assert.match(refused(['snap', 'list', single, single]), /too many arguments for 'list'/);
  assert.equal(refused(['dump', '--raw', '--start-index', '5', single]), 'walt: --raw lists every record of every segment; --start-index selects entries: drop --raw, or the filter');
  assert.equal(refused(['dump', '--start-index', '9', '--end-index', '3', single]), 'walt: --start-index 9 is after --end-index 3: no entry lies between them');
  assert.equal(refused(['replay-to-state', '--diff', '1..5', '-w', 'table', single]), 'walt: --diff prints JSON; -w table lists the key space at one point');
  assert.match(refused(['dump', '--format', 'ndjson', '-w', 'table', single]), /--write-out, --format and --json name different formats \(table, ndjson\); give one/);
  assert.match(refused(['dump', '--data-dir', single, single]), /give the data dir once/);
});

test('-w json on every command that prints, and the earlier spellings print the same', () => {
  const out = scratch.fresh('cut');
  const cases: [string[], string[], string[]][] = [
    [['dump'], ['-w', 'ndjson'], ['--format', 'ndjson']],
    [['dump'], ['-w', 'json'], ['--json']],
    [['verify'], ['-w', 'json'], ['--json']],
    [['snap', 'list'], ['--write-out', 'json'], ['--json']],
    [['replay-to-state'], ['-w', 'json'], ['--format', 'json']],
    [['repair-tail', '--dry-run'], ['-w', 'json'], ['--json']],
    [['cut', '--dry-run', '--segment-bytes', '16K', '--out', out], ['-w', 'json'], ['--json']],
  ];
  for (const [cmd, flag, old] of cases) {
    const now = walt([...cmd, ...flag, single]);
    assert.equal(now.status, 0, `${cmd.join(' ')} ${flag.join(' ')}: ${now.stderr}`);
    for (const line of flag.includes('ndjson') || cmd[0] === 'dump' ? now.stdout.trim().split('\n') : [now.stdout]) JSON.parse(line);
    assert.equal(walt([...cmd, ...old, single]).stdout, now.stdout, `${old.join(' ')} prints what ${flag.join(' ')} prints`);
  }
  const show = walt(['snap', 'show', '-w', 'json', db]);
  assert.equal(JSON.parse(show.stdout).backend.trailer, 'none');
  assert.equal(walt(['snap', 'show', '--format', 'text', db]).stdout, walt(['snap', 'show', '-w', 'simple', db]).stdout);
  const sim = walt(['simulate-cluster', '--nodes', '3', '--ticks', '40', '-w', 'json']);
  assert.equal(sim.status, 0, sim.stderr);
  assert.equal(JSON.parse(sim.stdout).ok, true);
  assert.equal(walt(['replay-to-state', '-w', 'table', '--data-dir', single]).status, 0);
});

test('colour: FORCE_COLOR forces it (over NO_COLOR), --no-color turns it off on every command', () => {
  const esc = /\x1b\[/;
  for (const cmd of [['dump'], ['verify'], ['snap', 'list']]) {
    assert.match(walt([...cmd, single], { FORCE_COLOR: '1', NO_COLOR: '1' }).stdout, esc, `${cmd.join(' ')} with FORCE_COLOR`);
    assert.doesNotMatch(walt([...cmd, '--no-color', single], { FORCE_COLOR: '1' }).stdout, esc, `${cmd.join(' ')} --no-color`);
    assert.doesNotMatch(walt([...cmd, single], {}).stdout, esc, `${cmd.join(' ')} into a pipe`);
  }
});
