/**
 * verify's one use of a second thread: bbolt's check of the backend reads
 * every page of `db` (a file as large as the WAL, or larger) and depends on
 * nothing the WAL says, so it runs on a worker while the main thread reads
 * the WAL; the judgement of the two together stays on the main thread.
 * WALT_THREADS=1 keeps everything on one thread, and a backend below
 * THREAD_MIN_BYTES is checked faster than a worker starts.
 */
import { statSync } from 'node:fs';
import { Worker } from 'node:worker_threads';
import { bundledOr } from '../util/bundled.js';
import type { InspectedBackend } from './backend.js';

/** Below this a backend's check takes less time than starting the worker and loading its modules. */
export const THREAD_MIN_BYTES = 16 << 20;

export interface BackendJob {
  result: Promise<InspectedBackend>;
  /** Stops the worker when its result is no longer wanted. */
  cancel(): void;
}

let started = 0;

/** How many backend checks this process has handed to a worker (for the test that the threaded path runs). */
export const backendThreadsStarted = (): number => started;

/** `db` inspected on a worker, or undefined where it is checked inline: WALT_THREADS=1, no such file, or a small one. */
export function inspectOffThread(db: string, minBytes = THREAD_MIN_BYTES): BackendJob | undefined {
  if (process.env.WALT_THREADS === '1') return undefined;
  let size: number;
  try {
    size = statSync(db).size;
  } catch {
    return undefined;
  }
  if (size < minBytes) return undefined;
  // execArgv: none of the parent's flags, which can stop a file worker from loading. The paths hold from
  // dist/src/report and from the CLI's bundle alike, which sits as deep (scripts/bundle-cli.mjs).
  const file = bundledOr(new URL('../bundle/backend-thread-worker.cjs', import.meta.url), new URL('../report/backend-thread-worker.js', import.meta.url));
  const worker = new Worker(file, { workerData: { db }, execArgv: [], resourceLimits: { maxYoungGenerationSizeMb: 4 } });
  started++;
  const result = new Promise<InspectedBackend>((resolve, reject) => {
    worker.once('message', resolve);
    worker.once('error', reject);
    worker.once('exit', (code) => reject(new Error(`the backend check's thread exited (code ${code}) without a result`)));
  });
  // A rejection after cancel() is nobody's concern.
  result.catch(() => {});
  return { result, cancel: () => void worker.terminate() };
}
