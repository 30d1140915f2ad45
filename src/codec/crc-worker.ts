/**
 * Worker thread body for crc-check.ts: reads segments and checks every CRC up
 * to a mark, decoding nothing, and says through shared memory how reading ended.
 */
import { workerData } from 'node:worker_threads';
import { newSkim, RecordReader, type RecordMark } from './record-reader.js';
import type { Segment } from './segment-name.js';

const { segments, shared, until } = workerData as { segments: Segment[]; shared: SharedArrayBuffer; until: RecordMark };
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
