/**
 * RawNode: the application's handle on a Raft instance (etcd raft/rawnode.go,
 * with Ready from node.go and Bootstrap from bootstrap.go). Single-threaded and
 * synchronous: the application calls tick/step/propose, then drains ready(),
 * persists, sends, applies, and calls advance().
 */
import {
  ConfChangeType,
  EntryType,
  MessageType,
  emptyHardState,
  encodeConfChange,
  encodeConfChangeV2,
  type ConfChange,
  type ConfChangeV2,
  type ConfState,
  type Entry,
  type HardState,
  type Message,
  type Snapshot,
} from '../codec/proto/raftpb.js';
import { asV2, isConfChangeV2 } from './confchange/confchange.js';
import { Raft, type Config, type SoftState } from './raft.js';
import type { ReadState } from './read_only.js';
import { getBasicStatus, getStatus, type BasicStatus, type Status } from './status.js';
import { NONE, RaftError, isLocalMsg, isResponseMsg, localMessage } from './util.js';

/** A local-only message type (tick-generated or a report) arrived through step(). */
export class ErrStepLocalMsg extends RaftError {
  constructor() {
    super('STEP_LOCAL_MSG', 'raft: cannot step raft local message');
  }
}

/** A response arrived from a node this one does not track. */
export class ErrStepPeerNotFound extends RaftError {
  constructor() {
    super('STEP_PEER_NOT_FOUND', 'raft: cannot step as peer not found');
  }
}

export enum SnapshotStatus {
  Finish = 1,
  Failure = 2,
}

export interface Peer {
  id: bigint;
  context?: Uint8Array;
}

/**
 * Work for the application, to be done in this order: persist hardState,
 * entries and snapshot (synchronously if mustSync); then send messages; then
 * apply the snapshot and committedEntries; then call advance().
 */
export interface Ready {
  /** Set when leader or role changed. */
  softState?: SoftState;
  /** Set when term, vote or commit changed; persist it before sending messages. */
  hardState?: HardState;
  /** Answers to readIndex() requests. */
  readStates: ReadState[];
  /** Entries to append to stable storage before sending messages. */
  entries: Entry[];
  /** A snapshot to persist and then apply. */
  snapshot?: Snapshot;
  /** Entries to apply to the state machine; they are already persisted or in `entries`. */
  committedEntries: Entry[];
  /** Messages to send once entries and hardState are persisted. */
  messages: Message[];
  /** Whether the writes must be fsynced (a vote, term or new entries: Raft's persistent state). */
  mustSync: boolean;
}

export class RawNode {
  /** The state machine itself, for tests and diagnostics; drive it through RawNode's methods. */
  readonly raft: Raft;
  private prevSoftSt: SoftState;
  private prevHardSt: HardState;

  /**
   * A node over config.storage. For a new cluster call bootstrap() (or give a
   * storage whose snapshot holds the initial ConfState); to restart, pass the
   * same storage and config.applied.
   */
  constructor(config: Config) {
    this.raft = new Raft(config);
    this.prevSoftSt = this.raft.softState();
    this.prevHardSt = this.raft.hardState();
  }

  /** Advances the logical clock by one tick (election and heartbeat timeouts count ticks). */
  tick(): void {
    this.raft.tick();
  }

  /** Starts an election now (if this node may campaign). */
  campaign(): void {
    this.raft.step(localMessage(MessageType.MsgHup, NONE));
  }

  /** Proposes data for the log. Throws ErrProposalDropped; an accepted proposal may still be lost, so retry on timeout. */
  propose(data: Uint8Array): void {
    const m = localMessage(MessageType.MsgProp, this.raft.id);
    m.entries = [{ term: 0n, index: 0n, type: EntryType.EntryNormal, data }];
    this.raft.step(m);
  }

  /**
   * Proposes a membership change: a ConfChange goes into the log as
   * EntryConfChange, a ConfChangeV2 as EntryConfChangeV2. An empty
   * ConfChangeV2 leaves a joint configuration.
   */
  proposeConfChange(cc: ConfChange | ConfChangeV2): void {
    const m = localMessage(MessageType.MsgProp, this.raft.id);
    m.entries = isConfChangeV2(cc)
      ? [{ term: 0n, index: 0n, type: EntryType.EntryConfChangeV2, data: encodeConfChangeV2(cc) }]
      : [{ term: 0n, index: 0n, type: EntryType.EntryConfChange, data: encodeConfChange(cc) }];
    this.raft.step(m);
  }

  /**
   * Applies a committed conf change; the application calls this when it applies
   * the entry. Throws ErrConfChange (leaving the configuration as it was) if the
   * change is invalid for the current configuration.
   */
  applyConfChange(cc: ConfChange | ConfChangeV2): ConfState {
    return this.raft.applyConfChange(asV2(cc));
  }

  /** Steps a message received from a peer. */
  step(m: Message): void {
    if (isLocalMsg(m.type)) throw new ErrStepLocalMsg();
    if (this.raft.prs.progress.has(m.from) || !isResponseMsg(m.type)) {
      this.raft.step(m);
      return;
    }
    throw new ErrStepPeerNotFound();
  }

  /** The pending work; the caller must process it and call advance() before the next ready(). */
  ready(): Ready {
    const r = this.raft;
    const rd: Ready = {
      softState: undefined,
      hardState: undefined,
      readStates: r.readStates,
      entries: r.raftLog.unstableEntries(),
      snapshot: r.raftLog.unstable.snapshot,
      committedEntries: r.raftLog.nextEnts(),
      messages: r.msgs,
      mustSync: false,
    };
    const ss = r.softState();
    if (ss.lead !== this.prevSoftSt.lead || ss.raftState !== this.prevSoftSt.raftState) {
      rd.softState = ss;
      this.prevSoftSt = ss;
    }
    if (this.hardStateChanged()) rd.hardState = r.hardState();
    // Raft's persistent state is currentTerm, votedFor and the log (Raft §5, figure 2).
    rd.mustSync = rd.entries.length !== 0 || r.vote !== this.prevHardSt.vote || r.term !== this.prevHardSt.term;
    // The Ready owns these arrays now.
    r.msgs = [];
    r.readStates = [];
    return rd;
  }

  /** Whether ready() would return anything; consistent with what ready() fills in. */
  hasReady(): boolean {
    const r = this.raft;
    if (r.lead !== this.prevSoftSt.lead || r.state !== this.prevSoftSt.raftState) return true;
    if ((r.term !== 0n || r.vote !== 0n || r.raftLog.committed !== 0n) && this.hardStateChanged()) return true;
    if (r.raftLog.unstable.snapshot !== undefined) return true;
    return r.msgs.length > 0 || r.raftLog.unstable.entries.length > 0 || r.raftLog.hasNextEnts() || r.readStates.length !== 0;
  }

  private hardStateChanged(): boolean {
    const r = this.raft;
    const prev = this.prevHardSt;
    return r.term !== prev.term || r.vote !== prev.vote || r.raftLog.committed !== prev.commit;
  }

  /** Tells raft that `rd` has been persisted, sent and applied. */
  advance(rd: Ready): void {
    if (rd.hardState !== undefined) this.prevHardSt = rd.hardState;
    this.raft.advance(rd);
  }

  status(): Status {
    return getStatus(this.raft);
  }

  /** Like status() without the per-member progress and config copies. */
  basicStatus(): BasicStatus {
    return getBasicStatus(this.raft);
  }

  /** The transport failed to reach `id`; a leader stops streaming to it and probes instead. */
  reportUnreachable(id: bigint): void {
    this.raft.step(localMessage(MessageType.MsgUnreachable, id));
  }

  /** Reports the outcome of sending a snapshot to `id`. */
  reportSnapshot(id: bigint, status: SnapshotStatus): void {
    const m = localMessage(MessageType.MsgSnapStatus, id);
    m.reject = status === SnapshotStatus.Failure;
    this.raft.step(m);
  }

  /**
   * On the leader, hands leadership to `transferee`. On a follower the request
   * is forwarded as coming from that follower, i.e. a transfer to itself (as in etcd).
   */
  transferLeader(transferee: bigint): void {
    this.raft.step(localMessage(MessageType.MsgTransferLeader, transferee));
  }

  /**
   * Requests a read index; the result comes back as a ReadState carrying
   * `ctx`, which must be non-empty and should be unique per request (heartbeat
   * acknowledgements are matched to requests by it).
   */
  readIndex(ctx: Uint8Array): void {
    const m = localMessage(MessageType.MsgReadIndex, NONE);
    m.entries = [{ term: 0n, index: 0n, type: EntryType.EntryNormal, data: ctx }];
    this.raft.step(m);
  }

  /**
   * Makes a follower forget its leader (raft 3.6), so that it grants votes
   * despite CheckQuorum's lease: useful when the application knows the leader
   * is gone. A no-op on leaders and candidates, and refused with LeaseBased reads.
   */
  forgetLeader(): void {
    this.raft.step(localMessage(MessageType.MsgForgetLeader, NONE));
  }

  /**
   * Initializes an empty storage with a configuration of `peers` by putting one
   * committed ConfChangeAddNode per peer at term 1. The entries show up in the
   * first Ready for the application to persist and apply.
   */
  bootstrap(peers: readonly Peer[]): void {
    if (peers.length === 0) throw new RaftError('INVALID_CONFIG', 'must provide at least one peer to Bootstrap');
    const r = this.raft;
    if (r.raftLog.storage.lastIndex() !== 0n) throw new RaftError('INVALID_CONFIG', "can't bootstrap a nonempty Storage");
    // Nothing is persisted yet: the first Ready must carry the HardState.
    this.prevHardSt = emptyHardState();
    r.becomeFollower(1n, NONE);
    const ents: Entry[] = peers.map((p, i) => ({
      term: 1n,
      index: BigInt(i + 1),
      type: EntryType.EntryConfChange,
      data: encodeConfChange({ id: 0n, type: ConfChangeType.ConfChangeAddNode, nodeId: p.id, context: p.context }),
    }));
    r.raftLog.append(ents);
    r.raftLog.committed = BigInt(ents.length);
    // Apply them now so the configuration is in effect at once. applied stays 0,
    // so the application still sees them in committedEntries and applies them
    // again, which is idempotent; until then the node will not campaign.
    for (const p of peers) r.applyConfChange(asV2({ id: 0n, type: ConfChangeType.ConfChangeAddNode, nodeId: p.id }));
  }
}
