/** Where the bench finds walt and keeps its data (from dist/bench/). */
import { fileURLToPath } from 'node:url';

export const repo = fileURLToPath(new URL('../..', import.meta.url));
export const waltBin = fileURLToPath(new URL('../../bin/walt', import.meta.url));
/** Data sets and built programs, kept between runs (gitignored). */
export const cacheDir = process.env.WALT_BENCH_DATA ?? fileURLToPath(new URL('../../.bench-data', import.meta.url));
