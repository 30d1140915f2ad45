// npm run build, after tsc: walt's own modules under dist/src, with commander
// and chalk, as a few files in dist/src/bundle, so that a start reads and
// compiles one file instead of a hundred; bin/walt starts from it, and the
// workers from theirs (src/util/bundled.ts).
//
// - main.cjs: every command but browse's screen, CommonJS in one file. Node 20
//   loads CommonJS without its ES module loader (a job, a resolve and a link
//   per file, a facade per builtin), which starts every command sooner (the
//   README's Dependencies has the figures). A module's body runs when its
//   command first imports it (esbuild wraps each lazily imported one), so a
//   `--help` runs none of the modules that read data.
// - backend-thread-worker.cjs and tui-worker.cjs: each worker's modules in one
//   CommonJS file (a worker shares nothing with the thread that starts it).
// - browse-run.js: browse's action with ink and React, as an ES module (ink is
//   one); main.cjs imports it when browse runs, so React and ink load for
//   browse only, and the chalk browse sets is the one ink draws with.
//
// The other packages stay outside (node_modules, found as usual), and so does
// yoga's wasm file, which ink finds on disk. dist/src/bundle sits as deep as
// dist/src/cli, so paths taken from import.meta.url (package.json, proto/, the
// workers, browse-run.js) mean the same from either.
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
const common = {
  outdir: out,
  bundle: true,
  platform: 'node',
  target: 'node20',
  external: [...outside, 'yoga-wasm-web'],
  logLevel: 'warning',
  // React's production build: the development one checks every render.
  define: { 'process.env.NODE_ENV': '"production"' },
};
rmSync(out, { recursive: true, force: true });
await build({
  ...common,
  entryPoints: {
    main: join(root, 'dist/src/cli/main.js'),
    'backend-thread-worker': join(root, 'dist/src/report/backend-thread-worker.js'),
    'tui-worker': join(root, 'dist/src/tui/worker.js'),
  },
  format: 'cjs',
  outExtension: { '.js': '.cjs' },
  // import.meta.url is the bundle file's own URL, as in the modules it holds.
  define: { ...common.define, 'import.meta.url': '__walt_url' },
  banner: { js: "const __walt_url = require('node:url').pathToFileURL(__filename).href;" },
  // No comments or indentation: a smaller file is read and compiled sooner.
  minifyWhitespace: true,
  plugins: [
    {
      // ink and React reach main.cjs through browse-run.js only, which is loaded at run time by its URL.
      name: 'no-ink-in-main',
      setup(b) {
        b.onResolve({ filter: /^(ink|react)(\/|$)/ }, (a) => ({ errors: [{ text: `${a.path} imported by ${a.importer}: only browse-run.js may load ink and React` }] }));
      },
    },
    {
      // commander requires child_process as it loads, for subcommands that are programs of their own, which walt
      // has none of: it is required when commander first uses it, not at every start.
      name: 'lazy-child-process-for-commander',
      setup(b) {
        b.onResolve({ filter: /^(node:)?child_process$/ }, (a) => (/[\\/]node_modules[\\/]commander[\\/]/.test(a.importer) ? { path: 'child_process', namespace: 'lazy' } : undefined));
        b.onLoad({ filter: /.*/, namespace: 'lazy' }, () => ({
          contents: "module.exports = new Proxy({}, { get: (_, name) => require('node:child_process')[name] });",
          loader: 'js',
        }));
      },
    },
  ],
});
await build({
  ...common,
  entryPoints: { 'browse-run': join(root, 'dist/src/cli/browse-run.js') },
  format: 'esm',
  // ink and React in a chunk of their own, loaded once the session has started its worker.
  splitting: true,
  chunkNames: 'chunk-[hash]',
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
