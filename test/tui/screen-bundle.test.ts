/**
 * `npm run build` bundles walt with ink, React, commander and chalk
 * (scripts/bundle-cli.mjs), and `walt browse` loads its screen from that
 * bundle instead of some 250 modules. The bundle must carry those inside it,
 * chalk once (walt's and ink's are one module, whose one colour level browse
 * sets), load the other packages from node_modules, and hold the screen
 * browse runs.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const dir = fileURLToPath(new URL('../../src/bundle', import.meta.url));
const skip = existsSync(join(dir, 'main.js')) ? false : 'the bundle is made by npm run build (npm test runs it); tsc alone does not';

test("the CLI's bundle holds ink, React, commander and chalk (chalk once), and imports the other packages from node_modules", { skip }, async () => {
  const files = readdirSync(dir).filter((f) => f.endsWith('.js'));
  const texts = files.map((f) => readFileSync(join(dir, f), 'utf8'));
  const imports = new Set(texts.flatMap((t) => [...t.matchAll(/^import .* from "([^"]+)";$/gm)].map((m) => m[1])));
  assert.ok(![...imports].some((i) => /^(ink|react|commander|chalk)(\/|$)/.test(i)), `ink, React, commander and chalk are inside: ${[...imports].join(', ')}`);
  const chalkCopies = texts.reduce((n, t) => n + t.split('// node_modules/chalk/source/index.js').length - 1, 0);
  assert.equal(chalkCopies, 1, 'one chalk for walt and ink: the colour level browse sets is the one ink draws with');
  assert.ok(imports.has('protobufjs') && !texts.some((t) => t.includes('// node_modules/cli-table3/')), 'the packages few commands load stay in node_modules');
  const screen = files.find((f) => readFileSync(join(dir, f), 'utf8').includes('async function runScreen('));
  assert.ok(screen, 'the screen is in the bundle');
});
