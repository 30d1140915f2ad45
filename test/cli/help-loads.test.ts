/**
 * Issue 15: every command loads only what it uses. A `--help` draws no table,
 * decodes no record and checks no CRC, so it requires no package from
 * node_modules: commander and chalk are in the bundle, and cli-table3,
 * protobufjs' runtime and the native CRC load when a command first needs them.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Scratch, waltBin } from '../helpers/fixtures.js';

const bundle = fileURLToPath(new URL('../../src/bundle/main.cjs', import.meta.url));
const skip = existsSync(bundle) ? false : 'the bundle is made by npm run build (npm test runs it); tsc alone does not';
const COMMANDS = ['dump', 'verify', 'repair-tail', 'cut', 'snap', 'replay-to-state', 'restore', 'browse', 'simulate-cluster'];

/** The CommonJS modules a `walt ...args` run required, as bin/walt starts it from the bundle. */
function required(args: string[]): string[] {
  const script = `
    const Module = require('node:module');
    process.on('exit', () => process.stderr.write('REQUIRED ' + JSON.stringify(Object.keys(Module._cache)) + '\\n'));
    require(${JSON.stringify(bundle)}).main([process.execPath, 'walt', ...${JSON.stringify(args)}]);`;
  const r = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8' });
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

/**
 * The modules of the bundle whose bodies ran in `walt ...args`: esbuild wraps
 * each module a command imports in its action in a function named for the
 * module, which runs at that import; V8's coverage counts its calls.
 */
function modulesRun(args: string[]): Set<string> {
  const dir = mkdtempSync(join(tmpdir(), 'walt-coverage-'));
  try {
    const r = spawnSync(process.execPath, [waltBin, ...args], { encoding: 'utf8', env: { ...process.env, NODE_V8_COVERAGE: dir } });
    assert.equal(r.error, undefined);
    const run = new Set<string>();
    for (const f of readdirSync(dir)) {
      const { result } = JSON.parse(readFileSync(join(dir, f), 'utf8')) as { result: { url: string; functions: { functionName: string; ranges: { count: number }[] }[] }[] };
      for (const script of result.filter((s) => s.url.endsWith('/bundle/main.cjs'))) {
        for (const fn of script.functions) {
          const m = /^dist\/src\/(.+)\.js$/.exec(fn.functionName);
          if (m && fn.ranges[0].count > 0) run.add(m[1]);
        }
      }
    }
    return run;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Modules that read a data dir: none of them is needed to print a command's help. */
const READERS = ['codec/data-dir', 'codec/wal-scan', 'codec/record-reader', 'codec/snap-file', 'codec/bbolt/file'];

test("a command's --help runs none of the modules that read data dirs (they run in its action)", { skip }, (t) => {
  const scratch = new Scratch();
  t.after(() => scratch.remove());
  // The check sees a reader where one runs: verify reads the data dir.
  const verified = modulesRun(['verify', scratch.unpack('single')]);
  assert.deepEqual(READERS.filter((m) => !verified.has(m)), [], 'walt verify ran every reader');
  for (const command of COMMANDS) {
    const ran = modulesRun([command, '--help']);
    assert.ok(ran.has(`cli/${command}`), `walt ${command} --help ran its command's module`);
    assert.deepEqual(READERS.filter((m) => ran.has(m)), [], `walt ${command} --help`);
  }
});
