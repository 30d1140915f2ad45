#!/usr/bin/env node
// npm's `prepare` script: `npm run build` (tsc, then the bundle bin/walt starts from),
// with the project's own devDependencies (TypeScript, esbuild).
//
// `npm install` in a clone has them, and this is just the build. Two global
// installs do not: `npm install -g .` links the clone and runs prepare in it
// before (and without) installing any dependency there, and `npm install -g
// git+…` prepares its clone with an `npm install` that inherits
// npm_config_global=true, so the dependencies go to the global prefix, not the
// clone (npm/cli#8440). For the first, this script installs the clone's own
// dependencies, dev included, into the clone, then builds; the second it
// stops with the way that works. A tarball (`npm pack`) ships dist/ built and
// never runs prepare.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const require = createRequire(new URL('../package.json', import.meta.url));

/** The build's tools, resolved from the package: false while any is not installed. */
function toolsInstalled() {
  try {
    for (const m of ['typescript/bin/tsc', 'esbuild']) require.resolve(m);
    return true;
  } catch {
    return false;
  }
}

// The npm that runs this script, with the settings that would send an install or a run elsewhere taken out.
const npm = process.env.npm_execpath;
const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^npm_config_(global|location|prefix|local_prefix|global_prefix|omit|include|production|only)$/i.test(k)));
if (!npm) {
  process.stderr.write('walt: run this through npm (npm install, or npm run build)\n');
  process.exit(1);
}

function run(file, args) {
  const r = spawnSync(file, args, { cwd: root, stdio: 'inherit', env });
  if (r.error) throw r.error;
  if (r.status !== 0) process.exit(r.status ?? 1);
}

// A git URL installed globally: pacote prepares its temporary clone with an
// `npm install` that inherits npm_config_global=true (npm/cli#8440), which
// links the clone into the global prefix in place of walt's directory; the
// install then ends as a link to a removed directory. Say so, and what works.
if (process.env._PACOTE_NO_PREPARE_ !== undefined && process.env.npm_config_global === 'true') {
  process.stderr.write('walt: npm cannot install a git URL globally when the package needs building (npm/cli#8440); pack it first: npm install -g ./"$(npm pack URL)"\n');
  process.exit(1);
}

if (!toolsInstalled()) {
  process.stderr.write(`walt: installing walt's own dependencies into ${root} to build it\n`);
  const lock = existsSync(new URL('../package-lock.json', import.meta.url));
  // --ignore-scripts: this script is not run again from inside.
  run(process.execPath, [npm, lock ? 'ci' : 'install', '--include=dev', '--ignore-scripts', '--no-audit', '--no-fund', `--prefix=${root}`]);
}
if (!toolsInstalled()) {
  process.stderr.write('walt: TypeScript or esbuild is still not installed; run `npm install` in this directory\n');
  process.exit(1);
}
run(process.execPath, [npm, 'run', 'build', `--prefix=${root}`]);
