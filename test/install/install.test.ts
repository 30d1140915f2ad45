/**
 * walt installed as a user installs it: `npm pack` of this tree, then
 * `npm install -g` of the tarball into a temporary prefix, then the installed
 * `walt` run from elsewhere. The tarball must carry the built dist/ (it never
 * runs prepare) and the LICENSE, and nothing of the tests.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot, Scratch } from '../helpers/fixtures.js';

const scratch = new Scratch();
after(() => scratch.remove());
const version = (JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { version: string }).version;

/** npm's settings that an enclosing `npm test` exports and that would send the install elsewhere. */
const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^npm_config_(global|location|prefix|local_prefix|global_prefix)$/i.test(k)));

function npm(args: string[], cwd: string) {
  return spawnSync('npm', args, { cwd, env, encoding: 'utf8', maxBuffer: 64 << 20 });
}

const npmSkip = npm(['--version'], repoRoot).status === 0 ? false : 'needs npm on PATH';

test('npm pack → npm install -g into a fresh prefix → walt --version and a dump; npx runs the tarball too', { skip: npmSkip, timeout: 300_000 }, (t) => {
  const out = scratch.fresh('pack');
  mkdirSync(out);
  // dist/ is built already (npm test compiles first); --ignore-scripts keeps prepare from rebuilding it under running tests.
  const pack = npm(['pack', '--ignore-scripts', '--json', '--pack-destination', out], repoRoot);
  assert.equal(pack.status, 0, pack.stderr);
  const [info] = JSON.parse(pack.stdout) as [{ filename: string; files: { path: string }[] }];
  const files = info.files.map((f) => f.path);
  for (const want of ['bin/walt', 'dist/src/cli/main.js', 'dist/src/bundle/main.cjs', 'dist/src/bundle/browse-run.js', 'bin/package.json', 'LICENSE', 'README.md', 'man/walt-dump.1', 'schema/dump.v1.json']) assert.ok(files.includes(want), `the tarball has ${want}`);
  assert.deepEqual(files.filter((f) => /^(dist\/(test|bench)|test|src|fixtures)\//.test(f)), [], 'no tests, sources or fixtures in the tarball');
  assert.match(readFileSync(join(repoRoot, 'LICENSE'), 'utf8'), /Apache License\s+Version 2\.0, January 2004[\s\S]*END OF TERMS AND CONDITIONS/);

  const prefix = scratch.fresh('prefix');
  const install = npm(['install', '-g', '--prefix', prefix, '--prefer-offline', '--no-audit', '--no-fund', join(out, info.filename)], out);
  if (install.status !== 0 && /E(NOTFOUND|AI_AGAIN|CONNREFUSED|CONNRESET|TIMEDOUT)|network/i.test(install.stderr)) {
    t.skip(`npm could not reach its registry for walt's dependencies: ${install.stderr.trim().split('\n').pop()}`);
    return;
  }
  assert.equal(install.status, 0, install.stderr);

  const walt = join(prefix, 'bin', 'walt');
  const v = spawnSync(walt, ['--version'], { cwd: scratch.dir, encoding: 'utf8' });
  assert.equal(v.status, 0, v.stderr);
  assert.match(v.stdout, new RegExp(`^walt ${version.replace(/\./g, '\\.')} \\(CRC-32C: `));

  // npx runs the tarball's walt without a global install.
  const npx = spawnSync('npx', ['--yes', '--package', join(out, info.filename), 'walt', '--version'], { cwd: scratch.dir, env, encoding: 'utf8' });
  assert.equal(npx.status, 0, npx.stderr);
  assert.equal(npx.stdout, v.stdout);

  const data = scratch.unpack('single');
  const dump = spawnSync(walt, ['dump', '-w', 'ndjson', data], { cwd: scratch.dir, encoding: 'utf8', maxBuffer: 64 << 20 });
  assert.equal(dump.status, 0, dump.stderr);
  const records = dump.stdout.trim().split('\n').map((l) => JSON.parse(l) as { record: string; status?: string; printed?: number });
  const entries = records.filter((r) => r.record === 'entry').length;
  assert.ok(entries > 0, "the installed walt reads the fixture's entries");
  assert.deepEqual(records.at(-1), { ...records.at(-1), record: 'end', status: 'eof', printed: entries });
});
