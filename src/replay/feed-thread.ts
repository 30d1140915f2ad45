/**
 * A replay on two threads: a worker reads the WAL and runs the Raft node
 * (feed-worker.ts) while this thread applies the entries it commits, as they
 * come through a ring in shared memory (entry-ring.ts). Applying is most of a
 * replay's work and reading and raft most of the rest, so the two overlap.
 * Undefined when the worker gave up (a damaged log, an oversized entry, a
 * worker that cannot start): the caller then replays on one thread, which
 * reports what is wrong the usual way.
 */
import type { Worker } from 'node:worker_threads';
import { startWorkerAhead } from '../util/worker-ahead.js';
import type { Segment } from '../codec/segment-name.js';
import type { WalSnapshot } from '../codec/proto/walpb.js';
import type { Entry, SnapshotMetadata } from '../codec/proto/raftpb.js';
import { newRing, RingReader, RingState } from './entry-ring.js';
import type { FeedSummary } from './raft-feed.js';

const RING_BYTES = 16 << 20;
/** A worker that neither sends nor beats for this long is taken for dead (or never started). */
const STALL_MS = 10_000;

/** The worker's pass, with the last index applied once its last batch went to raft. */
export interface ThreadedFeed extends FeedSummary {
  applied: bigint;
}

/** The order the summary crosses the ring in, as numbers. */
const SUMMARY = ['clusterId', 'nodeId', 'commit', 'lastIndex', 'applied', 'appliedAtScanEnd'] as const;

export const summaryToRing = (s: ThreadedFeed): bigint[] => [...SUMMARY.map((k) => s[k]), s.snapshotMatched ? 1n : 0n];

function summaryFromRing(n: bigint[]): ThreadedFeed {
  const s = Object.fromEntries(SUMMARY.map((k, i) => [k, n[i]])) as Omit<ThreadedFeed, 'snapshotMatched'>;
  return { ...s, snapshotMatched: n[SUMMARY.length] === 1n };
}

export interface FeedWork {
  segments: Segment[];
  start: WalSnapshot;
  snapshot?: SnapshotMetadata;
  nodeId: bigint;
  atIndex?: bigint;
}

/** The replay's worker, started ahead (it loads while the caller loads the state machines); it waits for feedOnTwoThreads. */
export function startFeedWorker(): Worker | undefined {
  // A worker that fails to load reports nothing: the reader's stall check ends the wait.
  return startWorkerAhead(new URL('./feed-worker.js', import.meta.url));
}

/** Gives `worker` (or a new one) its work and applies what it commits with `apply`, which returns true for a conf change membership refused; the worker ends with it. */
export function feedOnTwoThreads(work: FeedWork, apply: (e: Entry) => boolean, worker = startFeedWorker()): ThreadedFeed | undefined {
  if (!worker) return undefined;
  const shared = newRing(RING_BYTES);
  const reader = new RingReader(shared);
  try {
    worker.postMessage({ ...work, ring: shared });
    const end = reader.drain(apply, (quietMs) => quietMs >= STALL_MS);
    return end.state === RingState.DONE ? summaryFromRing(end.summary) : undefined;
  } finally {
    reader.cancel();
    void worker.terminate();
  }
}
