/**
 * The layers of the README's architecture, checked on the sources: data flows
 * files → codec → raft/state → replay → inspection (report) or surgery → cli,
 * and no subcommand's file imports another's. A new import against them fails
 * here, naming the file and the import.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../', import.meta.url));
const src = join(root, 'src');

/** What each folder of src may import besides itself. */
const ALLOWED: Record<string, string[]> = {
  util: [],
  codec: [],
  raft: ['codec'],
  state: ['codec', 'util'],
  replay: ['codec', 'raft', 'state', 'util'],
  report: ['codec', 'state', 'util'],
  surgery: ['codec', 'state', 'replay', 'report', 'util'],
  sim: ['codec', 'raft', 'state', 'surgery', 'util'],
  tui: ['codec', 'state', 'replay', 'report', 'util'],
  cli: ['codec', 'raft', 'state', 'replay', 'report', 'surgery', 'sim', 'tui', 'util'],
};

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? sources(join(dir, e.name)) : /\.tsx?$/.test(e.name) ? [join(dir, e.name)] : []));
}

/** The files under src that `file` imports, statically or dynamically. */
function importsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  return [...text.matchAll(/(?:from|import)\s*\(?\s*'(\.{1,2}\/[^']+)'/g)].map((m) => relative(src, join(dirname(file), m[1])).replace(/\.js$/, ''));
}

const folderOf = (path: string) => path.split('/')[0];

test('every import follows the layers: codec imports nothing above it, and each layer only those below', () => {
  const wrong: string[] = [];
  for (const file of sources(src)) {
    const from = folderOf(relative(src, file));
    assert.ok(from in ALLOWED, `src/${from} is a folder the layers do not name: add it to ALLOWED and to the README's layout`);
    for (const target of importsOf(file)) {
      const to = folderOf(target);
      if (to !== from && !ALLOWED[from].includes(to)) wrong.push(`${relative(root, file)} imports src/${target} (${from} may import ${ALLOWED[from].join(', ') || 'nothing else'})`);
    }
  }
  assert.deepEqual(wrong, []);
});

test("no subcommand's file imports another subcommand's", () => {
  const main = readFileSync(join(src, 'cli/main.ts'), 'utf8');
  const commands = new Set([...main.matchAll(/import\('\.\/([\w-]+)\.js'\)/g)].map((m) => `cli/${m[1]}`));
  assert.ok(commands.size >= 8, `main.ts registers ${commands.size} commands`);
  const wrong: string[] = [];
  for (const file of sources(join(src, 'cli'))) {
    const me = relative(src, file).replace(/\.tsx?$/, '');
    for (const target of importsOf(file)) if (commands.has(target) && target !== me && me !== 'cli/main') wrong.push(`${me} imports ${target}`);
  }
  assert.deepEqual(wrong, []);
});
