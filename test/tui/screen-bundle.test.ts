/**
 * `npm run build` bundles walt (scripts/bundle-cli.mjs): main.cjs with
 * commander and chalk, and browse's action with ink and React as an ES module
 * apart (browse-run.js and its chunks), which `walt browse` loads instead of
 * some 250 modules. main.cjs must hold no ink or React (every other command
 * would read them); browse's files must hold ink and React, chalk once (ink's
 * is the one whose colour level browse sets) and the screen; both load the
 * other packages from node_modules.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const dir = fileURLToPath(new URL('../../src/bundle', import.meta.url));
const skip = existsSync(join(dir, 'main.cjs')) ? false : 'the bundle is made by npm run build (npm test runs it); tsc alone does not';
const holds = (text: string, pkg: string) => text.includes(`// node_modules/${pkg}/`);

test("the CLI's bundle holds commander and chalk and no ink or React, and requires the other packages from node_modules", { skip }, () => {
  // main.cjs has no comments (minified whitespace): a package inside shows as esbuild's key for a CommonJS module, or not at all.
  const main = readFileSync(join(dir, 'main.cjs'), 'utf8');
  assert.ok(main.includes('"node_modules/commander/lib/command.js"') && !/require\("(commander|chalk)"\)/.test(main), 'commander and chalk are inside');
  assert.ok(!main.includes('node_modules/react/') && !main.includes('yoga-wasm-web'), 'React and ink (which loads yoga) are not');
  assert.ok(main.includes('require("protobufjs")') && !main.includes('node_modules/cli-table3/'), 'the packages few commands load stay in node_modules');
});

test("browse's bundle holds ink, React, chalk once and the screen, and imports the other packages from node_modules", { skip }, () => {
  const texts = readdirSync(dir)
    .filter((f) => f.endsWith('.js'))
    .map((f) => readFileSync(join(dir, f), 'utf8'));
  const imports = new Set(texts.flatMap((t) => [...t.matchAll(/^import .* from "([^"]+)";$/gm)].map((m) => m[1])));
  assert.ok(![...imports].some((i) => /^(ink|react|commander|chalk)(\/|$)/.test(i)), `ink, React and chalk are inside: ${[...imports].join(', ')}`);
  assert.ok(texts.some((t) => holds(t, 'ink')) && texts.some((t) => holds(t, 'react')));
  const chalkCopies = texts.reduce((n, t) => n + t.split('// node_modules/chalk/source/index.js').length - 1, 0);
  assert.equal(chalkCopies, 1, 'one chalk for browse and ink: the colour level browse sets is the one ink draws with');
  assert.ok(texts.some((t) => t.includes('async function runScreen(')), 'the screen is in the bundle');
  assert.ok(!texts.some((t) => holds(t, 'cli-table3')), 'the packages few commands load stay in node_modules');
});
