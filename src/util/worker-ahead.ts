/** Workers started ahead of their work, which they wait for as one message. */
import { Worker } from 'node:worker_threads';

/**
 * Starts the worker at `url` so that it loads its modules (about 0.1 s)
 * while the caller does other work. It does not keep the process alive, and
 * its failures before it has work are ignored (the caller must cope with a
 * worker that never answers); undefined where it cannot be started.
 */
export function startWorkerAhead(url: URL): Worker | undefined {
  try {
    // execArgv: none of the parent's flags (`node --input-type=module -e …` would stop a file worker from loading).
    const worker = new Worker(url, { execArgv: [] });
    worker.on('error', () => {});
    worker.unref();
    return worker;
  } catch {
    return undefined;
  }
}
