/**
 * What browse runs off the UI thread, so that keys are read and screens drawn
 * while it works: the index pass over the WAL (then `walt verify`'s report
 * and the snapshot list, for marking what is wrong where), or a key-space
 * replay. Started by session.ts with a WorkerTask as workerData.
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { DataDirPaths } from '../codec/data-dir.js';
import { toWireError, toWireScan, type WorkerMessage, type WorkerTask } from './worker-protocol.js';

const task = workerData as WorkerTask;
const post = (m: WorkerMessage, transfer: ArrayBuffer[] = []) => parentPort!.postMessage(m, transfer);
const paths: DataDirPaths = { walDir: task.walDir, snapDir: task.snapDir, dataDir: task.dataDir };
/** The longest the index pass waits for the first screen to be drawn. */
const HOLD_MS = 1000;

/** Runs one stage; a failure is reported and the stages after it still run. */
async function stage(name: Extract<WorkerMessage, { type: 'failed' }>['stage'], run: () => Promise<void>): Promise<void> {
  try {
    await run();
  } catch (e) {
    post({ type: 'failed', stage: name, error: toWireError(e) });
  }
}

// Each stage loads its own modules: the first screen waits only for the index pass's.
// (In a function, not at the top level: the worker is bundled as CommonJS, which has no top-level await.)
async function work(): Promise<void> {
  if (task.task === 'keyspace') {
    await stage('keyspace', async () => {
      const { keySpaceAt } = await import('./keyspace.js');
      post({ type: 'keyspace', keySpace: keySpaceAt(paths, task.atIndex, { secrets: task.secrets }) });
    });
  } else {
    await stage('index', async () => {
      const { buildIndex } = await import('./index-build.js');
      const { plan } = buildIndex(paths, {
        startIndex: task.startIndex,
        every: task.every,
        onFirstReport: task.hold ? () => Atomics.wait(new Int32Array(task.hold!), 0, 0, HOLD_MS) : undefined,
        onStart: (s) => post({ type: 'start', start: s.startPoint.start, snapFile: s.startPoint.snap?.file.name, segments: s.segments, totalBytes: s.totalBytes }),
        onProgress: (p) => {
          const b = p.batch;
          post({ type: 'progress', bytes: p.bytes, totalBytes: p.totalBytes, lastIndex: p.lastIndex, batch: b }, [b.segment.buffer, b.offset.buffer, b.crc.buffer, b.ordinal.buffer] as ArrayBuffer[]);
        },
      });
      post({ type: 'scan', scan: toWireScan(plan.scan) });
    });
    if (paths.snapDir) {
      await stage('snaps', async () => {
        const { listSnapshots } = await import('../report/snap-list.js');
        post({ type: 'snaps', snaps: listSnapshots(paths) });
      });
    }
    await stage('verify', async () => {
      const { verifyDataDir } = await import('../report/verify.js');
      const r = verifyDataDir(paths);
      post({ type: 'verify', verdict: r.verdict, problems: r.problems });
    });
  }
}

void work();
