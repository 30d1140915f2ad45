/**
 * Worker body for the entry-ring test: writes `count` entries of sizes from a
 * fixed sequence into the ring, every 200th a conf change whose verdict it
 * waits for (rare enough that the writer can run a ring ahead between them),
 * then finishes with the number refused as the summary.
 */
import { workerData } from 'node:worker_threads';
import { RingState, RingWriter } from '../../src/replay/entry-ring.js';

// `node --test dist/test/` loads every file, this one too: outside a worker it has nothing to do.
if (workerData) write(workerData as { ring: SharedArrayBuffer; count: number });

function write({ ring, count }: { ring: SharedArrayBuffer; count: number }): void {
  const w = new RingWriter(ring);
  let refused = 0n;
  for (let i = 1; i <= count; i++) {
    const size = (i * 7919) % 5000;
    const data = new Uint8Array(size).fill(i & 0xff);
    const confChange = i % 200 === 0;
    if (w.entry({ index: BigInt(i), term: BigInt(i >> 4), type: confChange ? 1 : 0, data: size ? data : undefined })) refused++;
  }
  w.finish(RingState.DONE, [refused]);
}
