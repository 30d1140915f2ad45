// npm run build, after tsc: walt's own modules under dist/src/cli/main.js, with
// ink and React for browse's screen and commander and chalk, which every
// command loads, as a few files in dist/src/bundle (a chunk
// per command, loaded when it runs, and the chunks they share), so that a start
// resolves and compiles a handful of files instead of a hundred or, for browse,
// some 250; bin/walt starts from it, and browse's and verify's workers from
// theirs (src/util/bundled.ts). The other packages stay outside (node_modules,
// found as usual), and so does yoga's wasm file, which ink finds on disk.
// dist/src/bundle sits as deep as dist/src/cli, so paths taken from
// import.meta.url (package.json, proto/, the workers) mean the same from either.
import { build } from 'esbuild';
import { readFileSync, rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';

const root = fileURLToPath(new URL('..', import.meta.url));
const out = join(root, 'dist/src/bundle');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
/** Bundled: ink and React (and what they import), commander and chalk; every other dependency is loaded from node_modules. */
const inside = new Set(['ink', 'react', 'commander', 'chalk']);
const outside = [...Object.keys(pkg.dependencies), ...Object.keys(pkg.optionalDependencies ?? {})].filter((d) => !inside.has(d)).flatMap((d) => [d, `${d}/*`]);
rmSync(out, { recursive: true, force: true });
await build({
  // The workers too: each thread loads its own modules, so a worker shares nothing with the bundle that starts it.
  entryPoints: {
    main: join(root, 'dist/src/cli/main.js'),
    'tui-worker': join(root, 'dist/src/tui/worker.js'),
    'backend-thread-worker': join(root, 'dist/src/report/backend-thread-worker.js'),
  },
  outdir: out,
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  external: [...outside, 'yoga-wasm-web'],
  chunkNames: 'chunk-[hash]',
  logLevel: 'warning',
  // React's production build: the development one checks every render.
  define: { 'process.env.NODE_ENV': '"production"' },
  // React's CommonJS parts call require.
  banner: { js: "import { createRequire as __walt_require } from 'node:module'; const require = __walt_require(import.meta.url);" },
  plugins: [
    {
      // ink loads its devtools only with DEV=true; the package is not installed.
      name: 'no-devtools',
      setup(b) {
        b.onResolve({ filter: /^react-devtools-core$/ }, () => ({ path: 'devtools', namespace: 'none' }));
        b.onLoad({ filter: /.*/, namespace: 'none' }, () => ({ contents: 'export default {};' }));
      },
    },
  ],
});
