/**
 * The worker side of crc-check.ts: reads segments and checks every CRC up to
 * a mark, decoding nothing, and says through shared memory how reading
 * ended. Run by crc-worker.ts, or by a worker started ahead for other work
 * (dump's parts worker) before that work comes.
 */
import { newSkim, RecordReader, type RecordMark } from './record-reader.js';
import type { Segment } from './segment-name.js';

export interface CrcJob {
  segments: Segment[];
  /** Two Int32s: [0] becomes 1 when done, [1] says how: 1 every CRC held to the mark, 2 reading stopped before it, 3 the check failed. */
  shared: SharedArrayBuffer;
  until: RecordMark;
}

export function runCrcJob({ segments, shared, until }: CrcJob): void {
  const flag = new Int32Array(shared);
  let result = 3;
  try {
    const reader = new RecordReader(segments, { endBefore: until });
    const skim = newSkim();
    skim.crcOnly = true;
    skim.stopAt = Infinity;
    // Runs of records are checked in bulk; next() reads the rest, one at a time.
    for (;;) {
      reader.skim(skim);
      if (skim.records === 0 && !reader.next()) break;
    }
    result = reader.end?.kind === 'eof' ? 1 : 2;
  } finally {
    Atomics.store(flag, 1, result);
    Atomics.store(flag, 0, 1);
    Atomics.notify(flag, 0);
  }
}
