/**
 * Issue 15: every command loads only what it uses. A `--help` draws no table,
 * decodes no record and checks no CRC, so it requires no package from
 * node_modules: commander and chalk are in the bundle, and cli-table3,
 * protobufjs' runtime and the native CRC load when a command first needs them.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Scratch } from '../helpers/fixtures.js';

const bundle = fileURLToPath(new URL('../../src/bundle/main.js', import.meta.url));
const skip = existsSync(bundle) ? false : 'the bundle is made by npm run build (npm test runs it); tsc alone does not';
const COMMANDS = ['dump', 'verify', 'repair-tail', 'cut', 'snap', 'replay-to-state', 'restore', 'browse', 'simulate-cluster'];

/** The CommonJS modules a `walt ...args` run required, as bin/walt starts it from the bundle. */
function required(args: string[]): string[] {
  const script = `
    import { createRequire } from 'node:module';
    const Module = createRequire(import.meta.url)('node:module');
    process.on('exit', () => process.stderr.write('REQUIRED ' + JSON.stringify(Object.keys(Module._cache)) + '\\n'));
    const { main } = await import(${JSON.stringify(pathToFileURL(bundle).href)});
    await main([process.execPath, 'walt', ...${JSON.stringify(args)}]);`;
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' });
  const line = r.stderr.split('\n').find((l) => l.startsWith('REQUIRED '));
  assert.ok(line, `walt ${args.join(' ')} ran to its exit: ${r.stderr}`);
  return JSON.parse(line.slice('REQUIRED '.length)) as string[];
}

test('no command requires a package from node_modules for its --help', { skip }, () => {
  for (const command of COMMANDS) {
    assert.deepEqual(required([command, '--help']).filter((f) => f.includes('/node_modules/')), [], `walt ${command} --help`);
  }
});

test('a table drawn requires cli-table3 then, which the check above would see', { skip }, (t) => {
  const scratch = new Scratch();
  t.after(() => scratch.remove());
  assert.ok(required(['snap', 'list', scratch.unpack('single')]).some((f) => f.includes('/node_modules/cli-table3/')));
});
