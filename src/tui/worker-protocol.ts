/**
 * How browse talks to its worker thread (worker.ts): the task it is started
 * with and the messages it sends back. Messages cross threads by structured
 * clone, which keeps bigints and typed arrays but turns a CodecError into a
 * bare Error without its code, file and offset: those travel as WireError.
 */
import { Worker } from 'node:worker_threads';
import { bundledOr } from '../util/bundled.js';
import { CodecError, type CodecErrorCode } from '../codec/errors.js';
import type { Segment } from '../codec/segment-name.js';
import type { WalSnapshot } from '../codec/proto/walpb.js';
import type { ReadEnd } from '../codec/record-reader.js';
import type { WalScan } from '../codec/wal-scan.js';
import type { Problem, Verdict } from '../report/problem.js';
import type { SnapList } from '../report/snap-list.js';
import type { CheckpointBatch } from './offset-index.js';
import type { KeySpace } from './keyspace.js';
import type { SecretPolicy } from '../report/secrets.js';

export interface WireError {
  code?: string;
  message: string;
  file?: string;
  offset?: number;
  data?: Record<string, unknown>;
}

export const toWireError = (e: unknown): WireError =>
  e instanceof CodecError ? { code: e.code, message: e.message, file: e.file, offset: e.offset, data: e.data } : { message: (e as Error)?.message ?? String(e) };

export const fromWireError = (w: WireError): Error =>
  w.code === undefined ? new Error(w.message) : new CodecError(w.code as CodecErrorCode, w.message, { file: w.file, offset: w.offset }, w.data);

/** An error as the CLI prints it: a CodecError names its file and byte offset. */
export const describeError = (e: Error): string => (e instanceof CodecError ? e.describe() : e.message);

type WireEnd = Exclude<ReadEnd, { kind: 'error' }> | { kind: 'error'; error: WireError; segmentOrdinal: number };
export type WireScan = Omit<WalScan, 'error' | 'end'> & { error?: WireError; end: WireEnd };

export function toWireScan(scan: WalScan): WireScan {
  const end: WireEnd = scan.end.kind === 'error' ? { ...scan.end, error: toWireError(scan.end.error) } : scan.end;
  return { ...scan, error: scan.error && toWireError(scan.error), end };
}

export function fromWireScan(w: WireScan): WalScan {
  const end: ReadEnd = w.end.kind === 'error' ? { ...w.end, error: fromWireError(w.end.error) as CodecError } : w.end;
  return { ...w, error: w.error && (fromWireError(w.error) as CodecError), end };
}

/** What the worker is asked to do. */
export type WorkerTask =
  /** `hold`: an Int32Array's buffer the pass waits on after its first report, until the UI sets it (see session.ts). */
  | { task: 'index'; walDir: string; snapDir?: string; dataDir?: string; startIndex?: bigint; every?: number; hold?: SharedArrayBuffer }
  | { task: 'keyspace'; walDir: string; snapDir?: string; dataDir?: string; atIndex: bigint; secrets?: SecretPolicy };

export type WorkerMessage =
  | { type: 'start'; start: WalSnapshot; snapFile?: string; segments: Segment[]; totalBytes: number }
  | { type: 'progress'; bytes: number; totalBytes: number; lastIndex: bigint; batch: CheckpointBatch }
  | { type: 'scan'; scan: WireScan }
  | { type: 'snaps'; snaps: SnapList }
  | { type: 'verify'; verdict: Verdict; problems: Problem[] }
  | { type: 'keyspace'; keySpace: KeySpace }
  /** A stage failed; `stage` says which, so an index can stand without its verify report. */
  | { type: 'failed'; stage: 'index' | 'snaps' | 'verify' | 'keyspace'; error: WireError };

export function spawn(task: WorkerTask, onMessage: (m: WorkerMessage) => void, onFail: (e: Error) => void): Worker {
  // execArgv: none of the parent's flags, which can stop a file worker from loading.
  // The worker's own modules load from their bundle where the build made it: its first entries wait for them.
  // Both paths hold from dist/src/tui and from the CLI's bundle alike, which sits as deep.
  const file = bundledOr(new URL('../bundle/tui-worker.cjs', import.meta.url), new URL('../tui/worker.js', import.meta.url));
  const w = new Worker(file, { workerData: task, execArgv: [] });
  w.on('message', onMessage);
  w.on('error', onFail);
  return w;
}
