/**
 * `npm run build` bundles browse's screen with ink and React into one file
 * (scripts/bundle-screen.mjs), which `walt browse` loads instead of some 150
 * modules. It must carry ink and React inside it, and share walt's own
 * modules and chalk with the rest of the process rather than copy them.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const bundle = fileURLToPath(new URL('../../src/tui/screen.bundle.js', import.meta.url));
const skip = existsSync(bundle) ? false : 'the screen bundle is made by npm run build (npm test runs it); tsc alone does not';

test('the screen bundle holds ink and React, and imports walt modules and chalk from where they are', { skip }, async () => {
  const text = readFileSync(bundle, 'utf8');
  const imports = [...text.matchAll(/^import .* from "([^"]+)";$/gm)].map((m) => m[1]);
  assert.ok(!imports.some((i) => /^(ink|react)(\/|$)/.test(i)), `ink and React are inside: ${imports.join(', ')}`);
  assert.ok(imports.includes('chalk'), 'chalk is shared, so that browse sets one colour level');
  assert.ok(imports.includes('./controller.js'), "walt's own modules are shared with browse, not copied");
  const { runScreen } = (await import(bundle)) as typeof import('../../src/tui/screen.js');
  assert.equal(typeof runScreen, 'function');
});
