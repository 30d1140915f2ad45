/** Worker thread body for crc-check.ts: one CRC check (crc-job.ts), given as its workerData. */
import { workerData } from 'node:worker_threads';
import { runCrcJob, type CrcJob } from './crc-job.js';

runCrcJob(workerData as CrcJob);
