// npm run build, after tsc: walt's own modules under dist/src/cli/main.js as a
// few files in dist/src/bundle (one chunk per command, loaded when it runs, and
// the chunks they share), so that a start resolves and compiles a handful of
// files instead of a hundred; bin/walt starts from it, and browse's and
// verify's workers from theirs (src/util/bundled.ts). Packages stay outside
// (node_modules, found as usual). dist/src/bundle sits as deep as dist/src/cli,
// so paths taken from import.meta.url (package.json, proto/, the workers as
// ../report/… and ../tui/…) mean the same from either. browse stays outside:
// its screen's bundle imports walt's modules from dist/src, and browse must
// share them (scripts/bundle-screen.mjs).
import { build } from 'esbuild';
import { rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';

const root = join(fileURLToPath(new URL('..', import.meta.url)));
const out = join(root, 'dist/src/bundle');
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
  packages: 'external',
  chunkNames: 'chunk-[hash]',
  logLevel: 'warning',
  plugins: [
    {
      name: 'browse-outside',
      setup(b) {
        b.onResolve({ filter: /^\.\/browse\.js$/ }, (args) => (args.importer.endsWith('/cli/main.js') ? { path: '../cli/browse.js', external: true } : undefined));
      },
    },
  ],
});
