// npm run build, after tsc: dist/src/tui/screen.js with ink, React and the components that
// use them, as one file (dist/src/tui/screen.bundle.js; see src/tui/screen.ts). walt's other
// modules stay outside it, imported from where they are, so that browse and the screen share
// one of each (the session's classes, chalk's colour level); so do the packages that must be
// found on disk (yoga's wasm file). React's production build: the development one checks
// every render.
import { build } from 'esbuild';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { dirname, join, relative } from 'node:path';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const tui = join(root, 'dist/src/tui');
const usesReact = (file) => /from ['"](ink|react)(\/[^'"]*)?['"]/.test(readFileSync(file, 'utf8'));

await build({
  entryPoints: [join(tui, 'screen.js')],
  outfile: join(tui, 'screen.bundle.js'),
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  logLevel: 'warning',
  define: { 'process.env.NODE_ENV': '"production"' },
  // The bundle's CommonJS parts (React) call require.
  banner: { js: "import { createRequire as __walt_require } from 'node:module'; const require = __walt_require(import.meta.url);" },
  external: ['chalk', 'yoga-wasm-web'],
  plugins: [
    {
      name: 'walt-modules-outside',
      setup(b) {
        // ink loads its devtools only with DEV=true; the package is not installed.
        b.onResolve({ filter: /^react-devtools-core$/ }, () => ({ path: 'devtools', namespace: 'none' }));
        b.onLoad({ filter: /.*/, namespace: 'none' }, () => ({ contents: 'export default {};' }));
        b.onResolve({ filter: /^\.\.?\// }, (args) => {
          if (args.importer.includes('node_modules')) return undefined;
          const file = join(args.resolveDir, args.path);
          if (file.startsWith(tui + '/') && usesReact(file)) return undefined;
          return { path: './' + relative(tui, file).replaceAll('\\', '/'), external: true };
        });
      },
    },
  ],
});
