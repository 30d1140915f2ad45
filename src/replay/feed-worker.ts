/**
 * Worker thread body for feed-thread.ts: reads the WAL with ReadAll's checks
 * and runs the Raft node (raft-feed.ts), sending the committed entries to the
 * applying thread through the ring. Anything out of the ordinary (a damaged
 * log, an entry too big for the ring, an error) ends it with GAVE_UP, and the
 * replay is done again on one thread, which reports it the usual way.
 */
import { parentPort } from 'node:worker_threads';
import { RaftFeed, feedWal } from './raft-feed.js';
import { RingState, RingWriter } from './entry-ring.js';
import { summaryToRing, type FeedWork } from './feed-thread.js';

// Started ahead of its work (feed-thread.ts startFeedWorker): the work comes as the one message.
parentPort!.once('message', (work: FeedWork & { ring: SharedArrayBuffer }) => run(work));

function run(work: FeedWork & { ring: SharedArrayBuffer }): void {
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
    const pass = feedWal(work.segments, work.start, feed, () => ring.beat());
    if (pass.failure || ring.cancelled) {
      ring.finish(RingState.GAVE_UP);
      return;
    }
    feed.flush();
    ring.finish(ring.cancelled ? RingState.GAVE_UP : RingState.DONE, summaryToRing({ ...pass, applied: feed.applied }));
  } catch {
    // The one-thread replay meets the same trouble and reports it, or has no ring to outgrow.
    ring.finish(RingState.GAVE_UP);
  }
}
