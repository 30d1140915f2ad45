/**
 * Runs a member's log through an in-process Raft node the way its leaders
 * delivered it: the node restarts from the snapshot as etcd's restartNode
 * does, then receives the WAL's entries in MsgApp messages, in the order they
 * were written, with the commit index the WAL's hard states gave at that
 * point, and hands back, in its Readys, the committed entries to apply. An
 * entry written again at a lower index (a new leader overwriting an
 * uncommitted tail) reaches the node as the conflicting append it was, and
 * raft truncates, as it did then. Storage is compacted behind what has been
 * applied, so memory does not grow with the log.
 */
import { RawNode, MemoryStorage } from '../raft/index.js';
import { newMessage } from '../raft/util.js';
import { EntryType, MessageType, decodeConfChange, decodeConfChangeV2, type Entry, type Snapshot } from '../codec/proto/raftpb.js';
import { CodecError } from '../codec/errors.js';
import { scanFailure, scanWal } from '../codec/wal-scan.js';
import type { Segment } from '../codec/segment-name.js';
import type { WalSnapshot } from '../codec/proto/walpb.js';

export interface FeedStart {
  nodeId: bigint;
  /** The snapshot the log continues from; entries start after its index. */
  snapshot?: Snapshot;
}

export interface FeedOptions {
  /** Apply nothing past this index (the commit index is the limit otherwise). */
  atIndex?: bigint;
  /** Entries per MsgApp. */
  batchEntries?: number;
}

/**
 * Called for each committed entry in order. Returns true for a conf change
 * the application's membership refused: etcd then applies it to raft as a
 * no-op (node ID 0), and so does the feed. The entry's data is valid only
 * during the call: its bytes are reused once it is applied.
 */
export type ApplyFn = (entry: Entry) => boolean | void;

const ARENA_BYTES = 1 << 20;

/** Entry data copied in; free once every entry in it is applied. */
interface Arena {
  readonly bytes: Buffer;
  used: number;
  /** The highest index copied in. */
  lastIndex: bigint;
}

export class RaftFeed {
  readonly node: RawNode;
  private readonly storage = new MemoryStorage();
  private readonly leader: bigint;
  private readonly atIndex?: bigint;
  private readonly batchEntries: number;
  private readonly apply: ApplyFn;
  private batch: Entry[] = [];
  /** The entry the batch follows, which raft must hold with this term. */
  private batchPrevIndex = 0n;
  private batchPrevTerm = 0n;
  /** The last entry queued. */
  private lastIndex: bigint;
  private lastTerm: bigint;
  /** The highest term seen: every append is sent in it. */
  private term: bigint;
  /** The commit index the WAL has shown so far, capped at atIndex, and the one last sent. */
  private commit: bigint;
  private delivered: bigint;
  /** The last index applied. */
  applied: bigint;

  constructor(start: FeedStart, apply: ApplyFn, opts: FeedOptions = {}) {
    const snapIndex = start.snapshot?.metadata.index ?? 0n;
    const snapTerm = start.snapshot?.metadata.term ?? 0n;
    if (start.snapshot) this.storage.applySnapshot({ metadata: start.snapshot.metadata, data: undefined });
    // raft refuses a commit outside [snapshot index, last index] at restart (raft.go loadState).
    this.storage.setHardState({ term: snapTerm, vote: 0n, commit: snapIndex });
    this.node = new RawNode({ id: start.nodeId, electionTick: 10, heartbeatTick: 1, storage: this.storage, applied: snapIndex, maxCommittedSizePerReady: 4 << 20 });
    // The node is never ticked, so it never campaigns; the entries come from a leader it does not otherwise know.
    this.leader = start.nodeId === 1n ? 2n : 1n;
    this.atIndex = opts.atIndex;
    this.batchEntries = opts.batchEntries ?? 1024;
    this.apply = apply;
    this.lastIndex = snapIndex;
    this.lastTerm = this.term = snapTerm;
    this.commit = this.delivered = this.applied = snapIndex;
  }

  /** Queues one entry of the log, in the order the WAL holds them (its data is copied: callers may pass views). */
  push(e: Entry): void {
    if (this.atIndex !== undefined && e.index > this.atIndex) return;
    if (e.index <= this.lastIndex) {
      // Written again: the append follows the entry before it, which raft still holds.
      this.flush();
      if (e.index <= this.applied) throw new CodecError('CORRUPT_RECORD', `entry ${e.index} is written again after it was committed and applied: a log raft could not have written`);
      this.batchPrevIndex = e.index - 1n;
      this.batchPrevTerm = this.node.raft.raftLog.term(this.batchPrevIndex);
    } else if (this.batch.length === 0) {
      this.batchPrevIndex = this.lastIndex;
      this.batchPrevTerm = this.lastTerm;
    }
    this.batch.push({ term: e.term, index: e.index, type: e.type, data: e.data && this.copy(e.data, e.index) });
    this.lastIndex = e.index;
    this.lastTerm = e.term;
    if (e.term > this.term) this.term = e.term;
    if (this.batch.length >= this.batchEntries) this.flush();
  }

  /** A hard state the WAL holds: what it commits may be applied. */
  commitTo(commit: bigint): void {
    const c = this.atIndex !== undefined && this.atIndex < commit ? this.atIndex : commit;
    if (c > this.commit) this.commit = c;
  }

  private arena: Arena = { bytes: Buffer.alloc(0), used: 0, lastIndex: 0n };
  /** Arenas filled, oldest first, and arenas free for reuse. */
  private readonly filled: Arena[] = [];
  private readonly spare: Arena[] = [];

  /**
   * Entry data copied into shared arenas, each reused once the entries in it
   * are applied and compacted out of raft's storage: an ArrayBuffer per entry
   * would cost a garbage collection every few thousand entries, and a fresh
   * arena per megabyte a page fault per 4 KB of the log.
   */
  private copy(data: Uint8Array, index: bigint): Uint8Array {
    let a = this.arena;
    if (a.used + data.length > a.bytes.length) {
      if (a.used > 0) this.filled.push(a);
      // Not zero-filled: every byte handed out is copied over first.
      a = this.arena = data.length <= ARENA_BYTES ? (this.spare.pop() ?? { bytes: Buffer.allocUnsafeSlow(ARENA_BYTES), used: 0, lastIndex: 0n }) : { bytes: Buffer.allocUnsafeSlow(data.length), used: 0, lastIndex: 0n };
    }
    const view = a.bytes.subarray(a.used, a.used + data.length);
    view.set(data);
    a.used += data.length;
    if (index > a.lastIndex) a.lastIndex = index;
    return view;
  }

  /** Frees the arenas whose entries are all applied (an entry rewritten at a lower index only delays its arena's turn). */
  private reuseArenas(): void {
    while (this.filled.length > 0 && this.filled[0].lastIndex <= this.applied) {
      const a = this.filled.shift()!;
      if (a.bytes.length !== ARENA_BYTES) continue;
      a.used = 0;
      a.lastIndex = 0n;
      this.spare.push(a);
    }
  }

  /** Delivers the queued entries, or a newer commit index alone, and applies what is committed. */
  flush(): void {
    if (this.batch.length === 0 && this.commit === this.delivered) return;
    const empty = this.batch.length === 0;
    const commit = this.commit < this.lastIndex ? this.commit : this.lastIndex;
    this.node.step({
      ...newMessage(MessageType.MsgApp, this.node.raft.id),
      from: this.leader,
      term: this.term,
      index: empty ? this.lastIndex : this.batchPrevIndex,
      logTerm: empty ? this.lastTerm : this.batchPrevTerm,
      entries: this.batch,
      commit,
    });
    this.batch = [];
    this.delivered = commit;
    this.drain();
  }

  private drain(): void {
    while (this.node.hasReady()) {
      const rd = this.node.ready();
      this.storage.append(rd.entries);
      if (rd.hardState) this.storage.setHardState(rd.hardState);
      for (const e of rd.committedEntries) {
        const refused = this.apply(e) === true;
        if (e.type !== EntryType.EntryNormal) this.applyConfChange(e, refused);
        this.applied = e.index;
      }
      this.node.advance(rd);
    }
    if (this.applied > this.storage.firstIndex()) this.storage.compact(this.applied);
    this.reuseArenas();
  }

  /** etcd applies every committed conf change to raft; one its membership refuses as a no-op (etcdserver/server.go applyConfChange). */
  private applyConfChange(e: Entry, refused: boolean): void {
    const data = e.data ?? new Uint8Array(0);
    if (e.type === EntryType.EntryConfChange) {
      const cc = decodeConfChange(data);
      this.node.applyConfChange(refused ? { ...cc, nodeId: 0n } : cc);
    } else {
      this.node.applyConfChange(decodeConfChangeV2(data));
    }
  }
}

/** What a pass over the WAL (feedWal) found. */
export interface FeedSummary {
  snapshotMatched: boolean;
  /** The last index applied when the scan ended, before the last batch went to raft. */
  appliedAtScanEnd: bigint;
  clusterId: bigint;
  nodeId: bigint;
  /** The commit index of the last hard state, and the highest index the log holds. */
  commit: bigint;
  lastIndex: bigint;
}

/**
 * One pass over the WAL: ReadAll's checks, and each entry handed to the feed
 * as it is read, with the commit index of the hard states read so far
 * (`onHardState` hears of each too). The feed's last batch is left queued.
 */
export function feedWal(segments: Segment[], start: WalSnapshot, feed: RaftFeed, onHardState?: () => void): FeedSummary & { failure?: CodecError } {
  const scan = scanWal(segments, start, {
    onEntry: (e) => feed.push(e),
    onHardState: (hs) => {
      feed.commitTo(hs.commit);
      onHardState?.();
    },
  });
  return {
    failure: scanFailure(scan),
    snapshotMatched: scan.snapshotMatched,
    appliedAtScanEnd: feed.applied,
    clusterId: scan.metadata?.clusterId ?? 0n,
    nodeId: scan.metadata?.nodeId ?? 0n,
    commit: scan.hardState?.commit ?? 0n,
    lastIndex: scan.lastIndex,
  };
}
