/**
 * Which file to load of a module that `npm run build` also bundles
 * (scripts/bundle-cli.mjs): the bundle, which starts faster, unless it is
 * missing or older than the compiled file (a `tsc` without the rest of the
 * build), whose code is then the current one.
 */
import { existsSync, statSync } from 'node:fs';

export function bundledOr(bundle: URL, compiled: URL): URL {
  return existsSync(bundle) && statSync(bundle).mtimeMs >= statSync(compiled).mtimeMs ? bundle : compiled;
}
