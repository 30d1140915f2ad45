/**
 * Checking CRCs on the second core. A scan that trusts CRCs (decoding and
 * interpreting records) runs on the main thread while a worker reads the same
 * segments checking every CRC up to a mark; the scan checks the CRCs after
 * the mark itself, so that both threads finish together. When the worker
 * finds its part clean, the scan's result stands, and otherwise the caller
 * scans again the ordinary way, so results never depend on the shortcut.
 * Small logs are not worth a thread.
 */
import { Worker } from 'node:worker_threads';
import type { RecordMark } from './record-reader.js';
import type { Segment } from './segment-name.js';
import type { CrcJob } from './crc-job.js';

/** Below this many bytes a second thread costs more than it saves. */
export const PARALLEL_MIN_BYTES = 32 << 20;

/**
 * The share of the bytes whose CRCs the scanning thread checks: it skims
 * most records without decoding them (RecordReader.skim), while the worker
 * first has to start, and then reads its part of the log for itself
 * (measured with bench/run.ts: 0.17-0.21 s at 0.55, 0.18-0.30 at 0.45).
 */
const SCANNER_SHARE = 0.55;

/** The mark at which the scanning thread takes over the checks, by bytes of the segment files. */
export function crcSplit(segments: Array<{ bytes: number }>): RecordMark {
  let left = segments.reduce((n, s) => n + s.bytes, 0) * (1 - SCANNER_SHARE);
  for (let i = 0; i < segments.length; i++) {
    if (left < segments[i].bytes) return { segmentOrdinal: i, offset: Math.floor(left) };
    left -= segments[i].bytes;
  }
  return { segmentOrdinal: segments.length, offset: 0 };
}

/**
 * Starts the check of the records before `until`, on `helper` when given (a
 * worker started ahead for other work, that takes a `{ crcJob }` message
 * first: a thread fewer to start) or on a worker of its own; the returned
 * function blocks until it is done and says whether every CRC held.
 */
export function checkCrcsInBackground(segments: Segment[], totalBytes: number, until: RecordMark, helper?: Worker): () => boolean {
  const job: CrcJob = { segments, shared: new SharedArrayBuffer(8), until };
  const flag = new Int32Array(job.shared);
  let worker = helper;
  if (worker) worker.postMessage({ crcJob: job });
  else {
    // execArgv: none of the parent's flags (`node --input-type=module -e …` would stop a file worker from loading).
    worker = new Worker(new URL('./crc-worker.js', import.meta.url), { workerData: job, execArgv: [] });
    // A worker that fails to load reports nothing; the wait below times out and the caller rescans.
    worker.on('error', () => {});
    worker.unref();
  }
  const own = worker !== helper ? worker : undefined;
  return () => {
    // Generous: a worker that cannot run at all (a broken install) must not hang the command.
    const timeoutMs = 10_000 + totalBytes / 50_000;
    const waited = Atomics.wait(flag, 0, 0, timeoutMs);
    void own?.terminate();
    return waited !== 'timed-out' && flag[1] === 1;
  };
}
