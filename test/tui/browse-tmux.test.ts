/**
 * `walt browse` as a user runs it: bin/walt in a real terminal (tmux, 100×30,
 * on a private server socket), keys sent with send-keys as the terminal sends
 * them, the screen read back with capture-pane. Skipped where tmux is missing
 * (Debian's `tmux` package).
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { removeDir, runWalt, unpackFixture, waltBin } from '../helpers/fixtures.js';

const hasTmux = spawnSync('tmux', ['-V']).status === 0;
const skip = hasTmux ? false : 'tmux is not installed (apt-get install tmux)';
const single = unpackFixture('single');
const socket = `walt-test-${process.pid}`;
after(() => {
  if (hasTmux) spawnSync('tmux', ['-L', socket, 'kill-server']);
  removeDir(single);
});

const tmux = (...args: string[]) => execFileSync('tmux', ['-L', socket, ...args], { encoding: 'utf8' });

/** Starts walt browse in a detached 100×30 session; the shell reports its exit status after it. */
function start(name: string, env: string, args: string[]): void {
  const cmd = `${env} ${process.execPath} ${waltBin} browse ${args.join(' ')}; echo walt-exited-$?; sleep 60`;
  tmux('new-session', '-d', '-s', name, '-x', '100', '-y', '30', cmd);
}

async function screen(name: string, ok: (s: string) => boolean, what: string, escapes = false): Promise<string> {
  const until = Date.now() + 10_000;
  for (;;) {
    const s = tmux('capture-pane', '-p', ...(escapes ? ['-e'] : []), '-t', name);
    if (ok(s)) return s;
    if (Date.now() > until) assert.fail(`timed out waiting for ${what}; the screen was:\n${s}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const selected = (s: string) => /^›\s+(\d+) /m.exec(s)?.[1];

test('browse in tmux: moves, searches, jumps and quits', { skip }, async () => {
  // CI=true as many shells export it: ink and chalk would draw nothing live, and browse must still show its screen.
  start('b', 'NO_COLOR=1 CI=true', ['--start-index', '1', single]);
  const first = await screen('b', (s) => s.includes('verify: healthy'), 'the first screen');
  assert.match(first, /Entries 1–511 \(511\)/);
  assert.match(first, /hard state term 2 vote a7389082890d1894 commit 511/);
  assert.equal(selected(first), '1');
  // The whole screen is drawn within the terminal's 100 columns.
  assert.ok(first.split('\n').every((l) => l.length <= 100));

  tmux('send-keys', '-t', 'b', 'Down', 'Down', 'Down');
  await screen('b', (s) => selected(s) === '4', 'three rows down');
  tmux('send-keys', '-t', 'b', 'End');
  await screen('b', (s) => selected(s) === '511' && s.includes('entry 511  term 2'), 'End');
  tmux('send-keys', '-t', 'b', 'Home', 'PageDown');
  await screen('b', (s) => Number(selected(s)) > 5, 'a page down');

  tmux('send-keys', '-t', 'b', 'g', '3', '0', '0', 'Enter');
  await screen('b', (s) => selected(s) === '300' && s.includes('entry 300  term 2'), 'g 300');
  tmux('send-keys', '-t', 'b', 'Home', '/');
  tmux('send-keys', '-t', 'b', '-l', '/app/config/y');
  tmux('send-keys', '-t', 'b', 'Enter');
  const found = await screen('b', (s) => /^›\s+\d+ 2\s+norm\s+put\s+"\/app\/config\/y"/m.test(s), 'the search');
  assert.match(found, /key: "\/app\/config\/y"/);

  // NO_COLOR: attributes (inverse for the selection) but no colour.
  const raw = await screen('b', () => true, 'the screen with escapes', true);
  assert.match(raw, /\x1b\[7m/);
  assert.doesNotMatch(raw, /\x1b\[[0-9;]*(3[0-7]|9[0-7]|38;)[0-9;]*m/);

  tmux('send-keys', '-t', 'b', 'q');
  await screen('b', (s) => s.includes('walt-exited-0'), 'walt to exit 0');
});

test('browse refuses when stdout is not a terminal, with exit 2', () => {
  const r = runWalt(['browse', single]);
  assert.equal(r.status, 2);
  assert.match(r.stderr, /browse needs a terminal: stdout is not one/);
});
