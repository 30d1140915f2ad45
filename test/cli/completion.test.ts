/**
 * `walt completion SHELL` run in the shell itself: bash's function called as
 * bash calls it (COMP_WORDS, COMP_CWORD, then COMPREPLY), zsh through its
 * bashcompinit layer, fish through `complete -C`. Each suggests commands,
 * flags, flag values and data dirs, and what `--help` lists is what completes.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runWalt, Scratch } from '../helpers/fixtures.js';

const scratch = new Scratch();
after(() => scratch.remove());
// The cwd the shells complete in: one data dir, one plain file.
const cwd = scratch.fresh('cwd');
mkdirSync(join(cwd, 'etcd-data', 'member', 'wal'), { recursive: true });
writeFileSync(join(cwd, 'etcd-notes.txt'), '');

const script = (shell: string) => {
  const r = runWalt(['completion', shell]);
  assert.equal(r.status, 0, r.stderr);
  const file = join(scratch.dir, `walt.${shell}`);
  writeFileSync(file, r.stdout);
  return file;
};
const shellSkip = (shell: string) => (spawnSync(shell, ['-c', 'exit 0']).status === 0 ? false : `needs ${shell} on PATH (.ci/run installs it)`);

/** The suggestions for a command line whose last word is being completed, one shell run per line. */
function bashComplete(lines: string[][]): string[][] {
  const calls = lines.map((w) => `COMP_WORDS=(${w.map((x) => `'${x}'`).join(' ')}); COMP_CWORD=${w.length - 1}; COMPREPLY=(); _walt_complete; echo "\${COMPREPLY[*]}"`);
  const r = spawnSync('bash', ['-c', `source '${script('bash')}'\n${calls.join('\n')}`], { cwd, encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  return r.stdout.split('\n').slice(0, lines.length).map((l) => l.split(' ').filter(Boolean).sort());
}

/** The commands and long flags `walt [cmd] --help` lists. */
function helpLists(args: string[]): { commands: string[]; flags: string[] } {
  const help = runWalt([...args, '--help']).stdout;
  const commands = [...(help.split('Commands:')[1] ?? '').matchAll(/^ {2}([a-z-]+)/gm)].map((m) => m[1]).filter((c) => c !== 'help');
  const flags = [...(help.split('Options:')[1] ?? '').split('Commands:')[0].matchAll(/^ {2}(?:-\w, )?(--[\w-]+)/gm)].map((m) => m[1]);
  return { commands, flags };
}

test('bash: commands, subcommands, flags, their values and data dirs', { skip: shellSkip('bash') }, () => {
  const [all, du, snap, wr, w, from, as, dir, shells, dataDir, flagAfterDir] = bashComplete([
    ['walt', ''],
    ['walt', 'du'],
    ['walt', 'snap', ''],
    ['walt', 'dump', '--wr'],
    ['walt', 'dump', '-w', ''],
    ['walt', 'replay-to-state', '--from', ''],
    ['walt', 'snap', 'show', '--as', ''],
    ['walt', 'verify', 'etcd'],
    ['walt', 'completion', ''],
    ['walt', 'dump', '--data-dir', 'e'],
    ['walt', 'dump', 'etcd-data', '--stat'],
  ]);
  assert.deepEqual(all, helpLists([]).commands.sort(), 'every command walt --help lists, and nothing else');
  assert.deepEqual(du, ['dump']);
  assert.deepEqual(snap, ['list', 'show', 'status']);
  assert.deepEqual(wr, ['--write-out']);
  assert.deepEqual(w, ['etcd-dump-logs', 'json', 'ndjson', 'table']);
  assert.deepEqual(from, ['auto', 'db', 'wal']);
  assert.deepEqual(as, ['backend', 'snap']);
  assert.deepEqual(dir, ['etcd-data'], 'a data dir, not the file beside it');
  assert.deepEqual(shells, ['bash', 'fish', 'zsh']);
  assert.deepEqual(dataDir, ['etcd-data']);
  assert.deepEqual(flagAfterDir, ['--stats', '--stats-depth']);
});

test("bash: each command's flags are the ones its --help lists", { skip: shellSkip('bash') }, () => {
  const paths = [['dump'], ['verify'], ['repair-tail'], ['cut'], ['snap', 'list'], ['snap', 'show'], ['snap', 'status'], ['replay-to-state'], ['simulate-cluster'], ['browse'], ['completion']];
  const got = bashComplete(paths.map((p) => ['walt', ...p, '--']));
  paths.forEach((p, i) => assert.deepEqual(got[i], helpLists(p).flags.sort(), `walt ${p.join(' ')}`));
});

test('zsh: the same suggestions through bashcompinit', { skip: shellSkip('zsh') }, () => {
  const run = (words: string[]) =>
    `COMP_WORDS=(${words.map((x) => `'${x}'`).join(' ')}); COMP_CWORD=${words.length - 1}; COMPREPLY=(); _walt_complete; echo "\${COMPREPLY[*]}"`;
  // bashcompinit's _bash_complete runs the function under `emulate -L sh`, as here.
  const body = `autoload -U compinit && compinit -u\nsource '${script('zsh')}'\nemulate -L sh\n${[['walt', 'du'], ['walt', 'dump', '-w', ''], ['walt', 'snap', ''], ['walt', 'verify', 'etcd']].map(run).join('\n')}`;
  const r = spawnSync('zsh', ['-f', '-c', body], { cwd, encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  // zsh's compgen offers every candidate; zsh itself then keeps those that start with the word, as here.
  const words = ['du', '', '', 'etcd'];
  const [du, w, snap, dir] = r.stdout.split('\n').map((l, i) => l.split(' ').filter((x) => x && x.startsWith(words[i])).sort());
  assert.deepEqual(du, ['dump']);
  assert.deepEqual(w, ['etcd-dump-logs', 'json', 'ndjson', 'table']);
  assert.deepEqual(snap, ['list', 'show', 'status']);
  assert.deepEqual(dir, ['etcd-data']);
});

test('fish: the same suggestions through complete -C', { skip: shellSkip('fish') }, () => {
  const lines = ['walt du', 'walt dump -w ', 'walt snap ', 'walt dump --wr', 'walt verify etcd', 'walt completion '];
  const body = `source '${script('fish')}'\n${lines.map((l) => `complete -C '${l}' | cut -f1 | string join ' '`).join('\n')}`;
  const r = spawnSync('fish', ['--no-config', '-c', body], { cwd, encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  const [du, w, snap, wr, dir, shells] = r.stdout.split('\n').map((l) => l.split(' ').filter(Boolean).sort());
  assert.deepEqual(du, ['dump']);
  assert.deepEqual(w, ['etcd-dump-logs', 'json', 'ndjson', 'table']);
  assert.deepEqual(snap, ['list', 'show', 'status']);
  assert.deepEqual(wr, ['--write-out']);
  assert.deepEqual(dir, ['etcd-data/']);
  assert.deepEqual(shells, ['bash', 'fish', 'zsh']);
});
