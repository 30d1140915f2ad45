/**
 * Issue 15: every command loads only what it uses. A `--help` draws no table,
 * decodes no record and checks no CRC, so it requires no package from
 * node_modules: commander and chalk are in the bundle, and cli-table3,
 * protobufjs' runtime and the native CRC load when a command first needs them.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
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

/** Each chunk of the bundle: the modules it holds (esbuild names each in a comment) and the chunks it imports statically. */
function bundleGraph(): Map<string, { modules: string[]; imports: string[] }> {
  const dir = dirname(bundle);
  const graph = new Map<string, { modules: string[]; imports: string[] }>();
  for (const f of readdirSync(dir).filter((n) => n.endsWith('.js'))) {
    const text = readFileSync(join(dir, f), 'utf8');
    const modules = [...text.matchAll(/^\/\/ dist\/src\/(\S+)\.js$/gm)].map((m) => m[1]);
    const imports = [...text.matchAll(/^(?:import|} from|export \*? ?from)[^(]*?["']\.\/(chunk-\w+\.js)["'];?$/gm)].map((m) => m[1]);
    graph.set(f, { modules, imports });
  }
  return graph;
}

/** The modules a start from `chunks` loads before anything runs: their static imports, transitively. */
function loadedFrom(graph: Map<string, { modules: string[]; imports: string[] }>, chunks: string[]): Set<string> {
  const seen = new Set<string>();
  const todo = [...chunks];
  while (todo.length) {
    const c = todo.pop()!;
    if (seen.has(c)) continue;
    seen.add(c);
    todo.push(...graph.get(c)!.imports);
  }
  return new Set([...seen].flatMap((c) => graph.get(c)!.modules));
}

/** Modules that read a data dir: none of them is needed to print a command's help. */
const READERS = ['codec/data-dir', 'codec/wal-scan', 'codec/record-reader', 'codec/snap-file', 'codec/bbolt/file'];

test("a command's --help loads none of the modules that read data dirs (they load in its action)", { skip }, () => {
  const graph = bundleGraph();
  const holding = (module: string) => [...graph].find(([, c]) => c.modules.includes(module))?.[0];
  // The check sees a reader where one is loaded: verify's report pulls in the data dir's reader.
  assert.ok(loadedFrom(graph, [holding('report/verdict')!]).has('codec/data-dir'));
  for (const command of COMMANDS) {
    const loaded = loadedFrom(graph, ['main.js', holding(`cli/${command}`)!]);
    assert.deepEqual(READERS.filter((m) => loaded.has(m)), [], `walt ${command} --help`);
  }
});
