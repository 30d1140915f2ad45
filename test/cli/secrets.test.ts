/**
 * No command prints a secret of the fixtures unless asked to: every command
 * and output format runs over the data dirs real etcd wrote, and its stdout
 * and stderr are searched for each secret as text, hex and base64 (at each of
 * the three alignments a secret can take inside a longer base64 string).
 *
 * The secrets come from etcd's own reading of the WAL (the oracle's records):
 * the passwords and tokens its auth entries carry, the bytes of every entry
 * that carries one, and the Kubernetes Secret the k8s fixture puts
 * (fixtures/make-fixtures.sh: data["password"] = "hunter2"). With
 * --show-secrets they must appear, so that the search can fail.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { readFixtureJson, Scratch, waltBin, type OracleReadAll } from '../helpers/fixtures.js';

const scratch = new Scratch();
after(() => scratch.remove());
const run = promisify(execFile);

/** The planted Kubernetes Secret's value (make-fixtures.sh). */
const K8S_PASSWORD = 'hunter2';
const CREDENTIAL_KINDS = new Set(['auth_user_add', 'auth_user_change_password', 'authenticate']);

interface Needle {
  what: string;
  text: string;
}

/** The base64 characters that depend only on `b`, whatever precedes it: one string per alignment. */
function base64Cores(b: Buffer): string[] {
  const out: string[] = [];
  for (let pad = 0; pad < 3; pad++) {
    const enc = Buffer.concat([Buffer.alloc(pad), b]).toString('base64');
    const from = pad === 0 ? 0 : 4;
    const to = Math.floor((pad + b.length) / 3) * 4;
    if (to - from >= 8) out.push(enc.slice(from, to));
  }
  return out;
}

function needlesOf(what: string, b: Buffer): Needle[] {
  return [{ what, text: b.toString('latin1') }, { what: `${what} (hex)`, text: b.toString('hex') }, ...base64Cores(b).map((text) => ({ what: `${what} (base64)`, text }))];
}

/** Every secret of a fixture, from etcd's own reading of its WAL. */
function fixtureSecrets(fixture: string): Needle[] {
  const oracle = readFixtureJson<OracleReadAll>(fixture, 'oracle-readall-from0.json');
  const out: Needle[] = [{ what: 'a bcrypt hash', text: '$2a$' }];
  for (const e of oracle.entries) {
    const data = Buffer.from(e.data ?? '', 'base64');
    const secretPut = e.kind === 'put' && /key:"\/registry\/secrets\//.test(e.text ?? '');
    if (!CREDENTIAL_KINDS.has(e.kind) && !secretPut) continue;
    out.push(...needlesOf(`entry ${e.index}'s data`, data));
    for (const m of (e.text ?? '').matchAll(/(?:password|simple_token):"([^"]+)"/g)) out.push(...needlesOf(`${e.kind} ${m[0]}`, Buffer.from(m[1])));
    if (secretPut) out.push(...needlesOf('the Secret', Buffer.from(K8S_PASSWORD)));
  }
  return out;
}

/** Runs walt; its whole output, whatever the exit status. */
async function walt(args: string[]): Promise<string> {
  try {
    const r = await run(process.execPath, [waltBin, ...args], { encoding: 'latin1', maxBuffer: 256 << 20, env: { ...process.env, FORCE_COLOR: '0' } });
    return r.stdout + r.stderr;
  } catch (e) {
    const err = e as { stdout?: string; stderr?: string; code?: unknown };
    if (err.stdout === undefined) throw e;
    return err.stdout + (err.stderr ?? '');
  }
}

/** Runs walt and returns its stdout (for output to parse: replay-to-state reports its version rules on stderr). */
async function waltStdout(args: string[]): Promise<string> {
  return (await run(process.execPath, [waltBin, ...args], { encoding: 'latin1', maxBuffer: 256 << 20, env: { ...process.env, FORCE_COLOR: '0' } })).stdout;
}

/** Every command and format that reads a data dir, as users run them. */
function invocations(dir: string): string[][] {
  const snapDir = join(dir, 'member', 'snap');
  const snaps = readdirSync(snapDir).map((f) => join(snapDir, f));
  return [
    ...['table', 'ndjson'].flatMap((f) => [
      ['dump', '--format', f, dir],
      ['dump', '--format', f, '--start-index', '1', dir],
      ['dump', '--format', f, '--raw', dir],
      ['dump', '--format', f, '--stats', dir],
      ['replay-to-state', '--format', f === 'ndjson' ? 'json' : f, dir],
    ]),
    ...['utf8', 'hex', 'none'].map((mode) => ['dump', '--decode-values', mode, '--start-index', '1', dir]),
    ['dump', '--format', 'etcd-dump-logs', '--start-index', '0', dir],
    ['dump', '--format', 'etcd-dump-logs', '--start-index', '0', '--stream-decoder', 'cat', dir],
    ['replay-to-state', '--from', 'wal', '--include', 'leases,members,auth', dir],
    ['replay-to-state', '--from', 'db', '--include', 'leases,members,auth', dir],
    ['replay-to-state', '--history', '/registry/secrets/prod/db-credentials', dir],
    ['replay-to-state', '--diff', '1..100000', dir],
    ['restore', '--dry-run', dir],
    ['restore', '--dry-run', '-w', 'json', '--before-delete-prefix', '/', dir],
    ['verify', dir],
    ['verify', '--json', dir],
    ['snap', 'list', dir],
    ...snaps.flatMap((s) => [
      ['snap', 'show', s],
      ['snap', 'show', '--format', 'json', s],
    ]),
  ];
}

function leaks(output: string, needles: Needle[]): string[] {
  return needles.filter((n) => output.includes(n.text)).map((n) => n.what);
}

for (const fixture of ['single', 'k8s']) {
  test(`${fixture}: no command or format prints a secret without --show-secrets`, async () => {
    const dir = scratch.unpack(fixture);
    const needles = fixtureSecrets(fixture);
    assert.ok(needles.length > 3, 'the fixture holds secrets to look for');
    for (const args of invocations(dir)) {
      const found = leaks(await walt(args), needles);
      assert.deepEqual(found, [], `walt ${args.join(' ')} printed secrets`);
    }
  });

  test(`${fixture}: with --show-secrets they are printed, so the search above can find them`, async () => {
    const dir = scratch.unpack(fixture);
    const needles = fixtureSecrets(fixture).filter((n) => !n.what.includes('bcrypt'));
    const shown = await walt(['dump', '--format', 'ndjson', '--start-index', '1', '--show-secrets', dir]);
    // Each secret (a password, a token, an entry's data, the Secret) in at least one of its forms.
    const secrets = new Set(needles.map((n) => n.what.replace(/ \((hex|base64)\)$/, '')));
    for (const what of secrets) assert.ok(needles.some((n) => n.what.startsWith(what) && shown.includes(n.text)), `${what} is printed with --show-secrets`);
  });
}

test('single: the backend\'s password hashes are shown only with --show-secrets', async () => {
  const dir = scratch.unpack('single');
  const hidden = await waltStdout(['replay-to-state', '--from', 'db', '--include', 'auth', dir]);
  const auth = JSON.parse(hidden).auth;
  const root = auth.users.find((u: { name: string }) => u.name === 'root');
  assert.deepEqual({ password: root.password, redacted: root.redacted }, { password: null, redacted: true });
  const shown = JSON.parse(await waltStdout(['replay-to-state', '--from', 'db', '--include', 'auth', '--show-secrets', dir])).auth;
  assert.match(shown.users.find((u: { name: string }) => u.name === 'root').password, /^\$2a\$10\$/);
});

const hasTmux = spawnSync('tmux', ['-V']).status === 0;

test('browse: the Secret entry, its raw bytes and the key space show no secret', { skip: hasTmux ? false : 'tmux is not installed (apt-get install tmux)' }, async () => {
  const dir = scratch.unpack('k8s');
  const needles = fixtureSecrets('k8s');
  const socket = `walt-secrets-${process.pid}`;
  const tmux = (...args: string[]) => spawnSync('tmux', ['-L', socket, ...args], { encoding: 'utf8' }).stdout;
  const screen = async (ok: (s: string) => boolean, what: string): Promise<string> => {
    const until = Date.now() + 10_000;
    for (;;) {
      const s = tmux('capture-pane', '-p', '-t', 'b');
      if (ok(s)) return s;
      if (Date.now() > until) assert.fail(`timed out waiting for ${what}; the screen was:\n${s}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  };
  try {
    for (const show of [false, true]) {
      tmux('new-session', '-d', '-s', 'b', '-x', '160', '-y', '40', `NO_COLOR=1 ${process.execPath} ${waltBin} browse --start-index 1 ${show ? '--show-secrets ' : ''}${dir}; sleep 60`);
      await screen((s) => s.includes('verify:'), 'the first screen');
      tmux('send-keys', '-t', 'b', 'g', '8', 'Enter');
      const entry = await screen((s) => s.includes('entry 8  term'), 'the Secret entry');
      tmux('send-keys', '-t', 'b', 's');
      const keys = await screen((s) => s.includes('db-credentials') && /revision/.test(s), 'the key space');
      const seen = entry + keys;
      // The raw bytes pane shows "passw" of data["password"] in hex, 8 bytes a line.
      const hexShown = /70 61 73 73 77/.test(entry);
      if (show) assert.ok(hexShown, 'with --show-secrets the raw bytes show');
      else {
        assert.deepEqual(leaks(seen, needles), [], 'browse shows no secret');
        assert.ok(!hexShown && entry.includes('it carries a secret') && entry.includes('value: <value removed>'), entry);
        assert.match(keys, /"\/registry\/secrets\/prod\/db-credentials"\s+<value removed>/);
      }
      tmux('kill-session', '-t', 'b');
    }
  } finally {
    tmux('kill-server');
  }
});

test('every command takes --show-secrets and --secret-prefix, so one script line serves them all', async () => {
  for (const cmd of [['dump'], ['verify'], ['repair-tail'], ['cut'], ['snap', 'list'], ['snap', 'show'], ['replay-to-state'], ['restore'], ['simulate-cluster'], ['browse']]) {
    const help = await walt([...cmd, '--help']);
    assert.match(help, /--show-secrets/, cmd.join(' '));
    assert.match(help, /--secret-prefix <prefix>/, cmd.join(' '));
  }
});
