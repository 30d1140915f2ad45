/**
 * A key-space replay (keyspace.ts) running in browse's worker thread, so that
 * a replay of millions of entries neither freezes the screen nor outlives
 * the overlay that asked for it: closing the overlay stops the thread.
 */
import type { Worker } from 'node:worker_threads';
import type { DataDirPaths } from '../codec/data-dir.js';
import type { KeySpace } from './keyspace.js';
import type { SecretPolicy } from '../report/secrets.js';
import { describeError, fromWireError, spawn } from './worker-protocol.js';

export class KeySpaceJob {
  result?: KeySpace;
  error?: string;
  private readonly worker: Worker;

  constructor(
    paths: DataDirPaths,
    readonly atIndex: bigint,
    secrets: SecretPolicy | undefined,
    onChange: () => void,
  ) {
    this.worker = spawn(
      { task: 'keyspace', walDir: paths.walDir, snapDir: paths.snapDir, dataDir: paths.dataDir, atIndex, secrets },
      (m) => {
        if (m.type === 'keyspace') this.result = m.keySpace;
        else if (m.type === 'failed') this.error = describeError(fromWireError(m.error));
        onChange();
      },
      (e) => {
        this.error = e.message;
        onChange();
      },
    );
  }

  stop(): void {
    void this.worker.terminate();
  }
}
