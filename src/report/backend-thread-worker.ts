/** The worker of backend-thread.ts: inspects one backend file and posts what it found. */
import { parentPort, workerData } from 'node:worker_threads';
import { inspectBackend } from './backend.js';

const { summary, problems, opened } = inspectBackend((workerData as { db: string }).db);
parentPort!.postMessage({ summary, problems, opened });
