/**
 * Checking CRCs on the second core. A scan that trusts CRCs (decoding and
 * interpreting records) runs on the main thread and hands the records it
 * reads to a worker through shared buffers (crc-ring.ts), checking them
 * itself whenever the worker is behind. When every check holds, the scan's
 * result stands, and otherwise the caller scans again the ordinary way, so
 * results never depend on the shortcut. Small logs are not worth a thread.
 */
import { Worker } from 'node:worker_threads';
import { ringHeld, type CrcRing } from './crc-ring.js';

/** Below this many bytes a second thread costs more than it saves. */
export const PARALLEL_MIN_BYTES = 32 << 20;

/**
 * Starts the thread that checks the CRCs of the runs of records the scan
 * hands over through `ring`: `helper` when given (a worker started ahead for
 * other work, that takes a `{ crcJob }` message first: a thread fewer to
 * start) or a worker of its own. The returned function, called once the scan
 * has read its last record, blocks until every run is checked and says
 * whether every CRC held.
 */
export function checkCrcsInBackground(ring: CrcRing, totalBytes: number, helper?: Worker): () => boolean {
  const job: CrcJob = { ring };
  let own: Worker | undefined;
  if (helper) helper.postMessage({ crcJob: job });
  else {
    // execArgv: none of the parent's flags (`node --input-type=module -e …` would stop a file worker from loading).
    own = new Worker(new URL('./crc-worker.js', import.meta.url), { workerData: job, execArgv: [] });
    // A worker that fails to load reports nothing; the wait below times out and the caller rescans.
    own.on('error', () => {});
    own.unref();
  }
  return () => {
    // Generous: a worker that cannot run at all (a broken install) must not hang the command.
    const held = ringHeld(ring, 10_000 + totalBytes / 50_000);
    void own?.terminate();
    return held;
  };
}

/** What the checking thread is given. */
export interface CrcJob {
  ring: CrcRing;
}
