/** Worker thread body for crc-check.ts: checks the runs of records handed over through its workerData's ring. */
import { workerData } from 'node:worker_threads';
import { checkRing } from './crc-ring.js';
import type { CrcJob } from './crc-check.js';

checkRing((workerData as CrcJob).ring);
