/**
 * `npm run build` bundles walt with ink and React (scripts/bundle-cli.mjs),
 * and `walt browse` loads its screen from that bundle instead of some 250
 * modules. The bundle must carry ink and React inside it, load the other
 * packages (chalk among them, whose one colour level browse sets) from
 * node_modules, and hold the screen browse runs.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const dir = fileURLToPath(new URL('../../src/bundle', import.meta.url));
const skip = existsSync(join(dir, 'main.js')) ? false : 'the bundle is made by npm run build (npm test runs it); tsc alone does not';

test("the CLI's bundle holds ink and React, and imports chalk and the other packages from node_modules", { skip }, async () => {
  const files = readdirSync(dir).filter((f) => f.endsWith('.js'));
  const imports = new Set(files.flatMap((f) => [...readFileSync(join(dir, f), 'utf8').matchAll(/^import .* from "([^"]+)";$/gm)].map((m) => m[1])));
  assert.ok(![...imports].some((i) => /^(ink|react)(\/|$)/.test(i)), `ink and React are inside: ${[...imports].join(', ')}`);
  assert.ok(imports.has('chalk'), 'chalk is loaded from node_modules, one for the whole process');
  assert.ok(imports.has('commander'), 'the other packages too');
  const screen = files.find((f) => readFileSync(join(dir, f), 'utf8').includes('async function runScreen('));
  assert.ok(screen, 'the screen is in the bundle');
});
