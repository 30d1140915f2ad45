/**
 * Runs a member's log through an in-process Raft node the way its leader
 * delivered it: the node restarts from the snapshot and hard state as etcd's
 * restartNode does, then receives the entries in MsgApp messages and hands
 * back, in its Readys, the committed entries to apply. Storage is compacted
 * behind what has been applied, so memory does not grow with the log.
 */
import { RawNode, MemoryStorage } from '../raft/index.js';
import { newMessage } from '../raft/util.js';
import { EntryType, MessageType, decodeConfChange, decodeConfChangeV2, type Entry, type HardState, type Message, type Snapshot } from '../codec/proto/raftpb.js';

export interface FeedStart {
  nodeId: bigint;
  /** The snapshot the log continues from; entries start after its index. */
  snapshot?: Snapshot;
  /** The last hard state in the WAL: its term, vote and commit. */
  hardState: HardState;
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
 * no-op (node ID 0), and so does the feed.
 */
export type ApplyFn = (entry: Entry) => boolean | void;

const ARENA_BYTES = 1 << 20;

export class RaftFeed {
  readonly node: RawNode;
  private readonly storage = new MemoryStorage();
  private readonly leader: bigint;
  private readonly commitLimit: bigint;
  private readonly batchEntries: number;
  private readonly apply: ApplyFn;
  private batch: Entry[] = [];
  private prevIndex: bigint;
  private prevTerm: bigint;
  private term: bigint;
  /** The last index applied. */
  applied: bigint;

  constructor(start: FeedStart, apply: ApplyFn, opts: FeedOptions = {}) {
    const snapIndex = start.snapshot?.metadata.index ?? 0n;
    if (start.snapshot) this.storage.applySnapshot({ metadata: start.snapshot.metadata, data: undefined });
    // raft refuses a commit outside [snapshot index, last index] at restart (raft.go loadState).
    this.storage.setHardState({ term: start.hardState.term, vote: start.hardState.vote, commit: snapIndex });
    this.node = new RawNode({ id: start.nodeId, electionTick: 10, heartbeatTick: 1, storage: this.storage, applied: snapIndex, maxCommittedSizePerReady: 4 << 20 });
    // The node never campaigns (it is never ticked); any ID names the leader the entries came from.
    this.leader = start.hardState.vote !== 0n ? start.hardState.vote : start.nodeId;
    const commit = start.hardState.commit;
    this.commitLimit = opts.atIndex !== undefined && opts.atIndex < commit ? opts.atIndex : commit;
    this.batchEntries = opts.batchEntries ?? 1024;
    this.apply = apply;
    this.prevIndex = snapIndex;
    this.prevTerm = start.snapshot?.metadata.term ?? 0n;
    this.term = start.hardState.term;
    this.applied = snapIndex;
  }

  /** Queues one entry of the log (its data is copied: callers may pass views). */
  push(e: Entry): void {
    if (e.index > this.commitLimit) return;
    this.batch.push({ term: e.term, index: e.index, type: e.type, data: e.data && this.copy(e.data) });
    if (this.batch.length >= this.batchEntries) this.flush();
  }

  private arena = new Uint8Array(0);
  private arenaUsed = 0;

  /**
   * Entry data copied into shared arenas: an ArrayBuffer per entry would cost
   * a garbage collection every few thousand entries.
   */
  private copy(data: Uint8Array): Uint8Array {
    if (this.arenaUsed + data.length > this.arena.length) {
      this.arena = new Uint8Array(Math.max(ARENA_BYTES, data.length));
      this.arenaUsed = 0;
    }
    const view = this.arena.subarray(this.arenaUsed, this.arenaUsed + data.length);
    view.set(data);
    this.arenaUsed += data.length;
    return view;
  }

  /** Delivers the queued entries and applies what they commit. */
  flush(): void {
    if (this.batch.length === 0) return;
    const last = this.batch[this.batch.length - 1];
    if (last.term > this.term) this.term = last.term;
    const m: Message = {
      ...newMessage(MessageType.MsgApp, this.node.raft.id),
      from: this.leader,
      term: this.term,
      logTerm: this.prevTerm,
      index: this.prevIndex,
      entries: this.batch,
      commit: last.index < this.commitLimit ? last.index : this.commitLimit,
    };
    this.prevIndex = last.index;
    this.prevTerm = last.term;
    this.batch = [];
    this.node.step(m);
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
