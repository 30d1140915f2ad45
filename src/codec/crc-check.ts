/**
 * Checking CRCs on the second core. A scan that trusts CRCs (decoding and
 * interpreting records) runs on the main thread while a worker reads the same
 * segments checking every CRC; when the worker finds the log clean, the
 * trusting scan's result stands, and otherwise the caller scans again the
 * ordinary way, so results never depend on the shortcut. Small logs are not
 * worth a thread.
 */
import { Worker } from 'node:worker_threads';
import type { Segment } from './segment-name.js';

/** Below this many bytes a second thread costs more than it saves. */
export const PARALLEL_MIN_BYTES = 32 << 20;

/** Starts the check; the returned function blocks until it is done and says whether every CRC held to a clean end. */
export function checkCrcsInBackground(segments: Segment[], totalBytes: number): () => boolean {
  const shared = new SharedArrayBuffer(8);
  const flag = new Int32Array(shared);
  // execArgv: none of the parent's flags (`node --input-type=module -e …` would stop a file worker from loading).
  const worker = new Worker(new URL('./crc-worker.js', import.meta.url), { workerData: { segments, shared }, execArgv: [] });
  // A worker that fails to load reports nothing; the wait below times out and the caller rescans.
  worker.on('error', () => {});
  worker.unref();
  return () => {
    // Generous: a worker that cannot run at all (a broken install) must not hang the command.
    const timeoutMs = 10_000 + totalBytes / 50_000;
    const waited = Atomics.wait(flag, 0, 0, timeoutMs);
    void worker.terminate();
    return waited !== 'timed-out' && flag[1] === 1;
  };
}
