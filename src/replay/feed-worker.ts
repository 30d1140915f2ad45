/**
 * Worker thread body for feed-thread.ts: reads the WAL with ReadAll's checks
 * and runs the Raft node (raft-feed.ts), sending the committed entries to the
 * applying thread through the ring. Anything out of the ordinary (a damaged
 * log, an entry too big for the ring, an error) ends it with GAVE_UP, and the
 * replay is done again on one thread, which reports it the usual way.
 */
import { parentPort } from 'node:worker_threads';
import { scanFailure, scanWal } from '../codec/wal-scan.js';
import type { Segment } from '../codec/segment-name.js';
import type { WalSnapshot } from '../codec/proto/walpb.js';
import type { SnapshotMetadata } from '../codec/proto/raftpb.js';
import { RaftFeed } from './raft-feed.js';
import { RingState, RingWriter, SummarySlot } from './entry-ring.js';

interface FeedWork {
  segments: Segment[];
  start: WalSnapshot;
  snapshot?: SnapshotMetadata;
  nodeId: bigint;
  atIndex?: bigint;
  ring: SharedArrayBuffer;
}

// Started ahead of its work (feed-thread.ts startFeedWorker): the work comes as the one message.
parentPort!.once('message', (work: FeedWork) => run(work));

function run(work: FeedWork): void {
  const ring = new RingWriter(work.ring);
  try {
    const feed = new RaftFeed(
      { nodeId: work.nodeId, snapshot: work.snapshot && { metadata: work.snapshot, data: undefined } },
      (e) => {
        if ((e.data?.length ?? 0) > ring.maxData) throw new Error('an entry too big for the ring');
        return ring.entry(e);
      },
      { atIndex: work.atIndex },
    );
    const scan = scanWal(work.segments, work.start, {
      onEntry: (e) => feed.push(e),
      onHardState: (hs) => {
        feed.commitTo(hs.commit);
        ring.beat();
      },
    });
    if (scanFailure(scan) || ring.cancelled) {
      ring.finish(RingState.GAVE_UP);
      return;
    }
    const appliedAtScanEnd = feed.applied;
    feed.flush();
    const summary: bigint[] = [];
    summary[SummarySlot.CLUSTER] = scan.metadata?.clusterId ?? 0n;
    summary[SummarySlot.NODE] = scan.metadata?.nodeId ?? 0n;
    summary[SummarySlot.COMMIT] = scan.hardState?.commit ?? 0n;
    summary[SummarySlot.LAST_INDEX] = scan.lastIndex;
    summary[SummarySlot.APPLIED] = feed.applied;
    summary[SummarySlot.SNAPSHOT_MATCHED] = scan.snapshotMatched ? 1n : 0n;
    summary[SummarySlot.APPLIED_AT_SCAN_END] = appliedAtScanEnd;
    ring.finish(ring.cancelled ? RingState.GAVE_UP : RingState.DONE, summary);
  } catch {
    // The one-thread replay meets the same trouble and reports it, or has no ring to outgrow.
    ring.finish(RingState.GAVE_UP);
  }
}
