/**
 * One simulated etcd member: a RawNode over MemoryStorage, its disk, its
 * state machine, and the Ready loop of etcd's raftNode (etcdserver/raft.go):
 * persist the snapshot, entries and hard state to the WAL; then send; then
 * apply the snapshot and the committed entries (conf changes included, with
 * etcd's membership checks); then advance; and take a snapshot every
 * `snapshotCount` applied entries, compacting the in-memory log behind it.
 */
import {
  EntryType,
  MessageType,
  decodeConfChange,
  emptyConfState,
  type ConfChange,
  type ConfState,
  type Entry,
  type Message,
  type Snapshot,
} from '../codec/proto/raftpb.js';
import { MemoryStorage, RawNode, StateType, seededRand, type Peer, type ReadState, type SoftState } from '../raft/index.js';
import type { Ready } from '../raft/rawnode.js';
import type { Applied, SimState } from './state-machine.js';
import type { Recovered, SimDisk, Tear } from './disk.js';
import type { Prng } from './prng.js';

/** What the rest of the simulation hears from a node, in Ready order. */
export interface NodeObserver {
  softState(n: SimNode, ss: SoftState): void;
  /** The Ready is in the WAL and in storage. */
  persisted(n: SimNode, rd: Ready, p: Persisted): void;
  send(n: SimNode, msgs: Message[]): void;
  /** The key of request `reqId` if a client awaits its answer from this node. */
  awaited(n: SimNode, reqId: bigint): string | undefined;
  applied(n: SimNode, e: Entry, result: Applied | undefined): void;
  confChangeApplied(n: SimNode, cc: ConfChange, accepted: boolean): void;
  readStates(n: SimNode, rs: ReadState[]): void;
  /** The node took a snapshot of its state machine at `index`. */
  snapshotTaken(n: SimNode, index: bigint): void;
  /** The node died in the middle of writing a Ready. */
  tornCrash(n: SimNode, tear: Tear | undefined): void;
}

/** etcd's defaults: a heartbeat every tick, an election timeout of 10 ticks (100 ms and 1 s). */
export const ELECTION_TICK = 10;
export const HEARTBEAT_TICK = 1;

export interface Persisted {
  /** The term the log holds just before the Ready's first entry. */
  prevTerm: bigint | undefined;
  /** The commit index persisted before this Ready. */
  prevCommit: bigint;
  /** If the node was leader of its current term at its previous write and still is: the last index it had then. */
  leaderSince: bigint | undefined;
}

export interface NodeConfig {
  electionTick: number;
  heartbeatTick: number;
  preVote: boolean;
  snapshotCount: bigint;
  /** Entries kept in memory behind a snapshot for slow followers (etcd: SnapshotCatchUpEntries). */
  catchUpEntries: bigint;
  /** Seed of the node's election timer. */
  randSeed: number;
  /**
   * The state machine as it stood after applying entry `index` (0: empty).
   * etcd restores it from its backend file, which a leader also streams with
   * a snapshot; the simulation rebuilds it from the committed log.
   */
  stateAt: (index: bigint) => SimState;
}

export class SimNode {
  readonly storage: MemoryStorage;
  readonly rn: RawNode;
  sm: SimState;
  applied: bigint;
  confState: ConfState;
  /** The index of the last snapshot taken or installed. */
  snapIndex: bigint;
  /** The commit index of the last hard state written. */
  commit: bigint;
  /** Processes no Ready while the disk stalls; raft still steps messages and ticks. */
  stalled = false;
  /** Dies in the middle of writing the next Ready that writes entries or a hard state. */
  tearNextWrite: Prng | undefined;
  down = false;
  /** While leader: its term and the last index it persisted in it (leader append-only). */
  private leaderTerm = 0n;
  private leaderLast = 0n;

  private constructor(
    readonly k: number,
    readonly id: bigint,
    readonly disk: SimDisk,
    private readonly cfg: NodeConfig,
    private readonly obs: NodeObserver,
    storage: MemoryStorage,
    snapshot: Snapshot | undefined,
  ) {
    this.storage = storage;
    const snapIndex = snapshot?.metadata.index ?? 0n;
    this.sm = cfg.stateAt(snapIndex);
    this.applied = snapIndex;
    this.snapIndex = snapIndex;
    this.confState = snapshot?.metadata.confState ?? emptyConfState();
    this.commit = storage.initialState().hardState.commit;
    this.rn = new RawNode({
      id,
      storage,
      applied: snapIndex,
      electionTick: cfg.electionTick,
      heartbeatTick: cfg.heartbeatTick,
      // etcd's settings (etcdserver/raft.go): CheckQuorum on, 1 MiB messages, 512 in flight.
      checkQuorum: true,
      preVote: cfg.preVote,
      maxSizePerMsg: 1024 * 1024,
      maxInflightMsgs: 512,
      maxUncommittedEntriesSize: 1 << 30,
      rand: seededRand(cfg.randSeed),
    });
  }

  /** A member of a new cluster: raft.StartNode with the initial peers (their member JSON as context). */
  static bootstrap(k: number, id: bigint, disk: SimDisk, cfg: NodeConfig, obs: NodeObserver, peers: Peer[]): SimNode {
    const n = new SimNode(k, id, disk, cfg, obs, new MemoryStorage(), undefined);
    n.rn.bootstrap(peers);
    return n;
  }

  /** A member joining an existing cluster: empty storage, raft.RestartNode; the leader sends it everything. */
  static join(k: number, id: bigint, disk: SimDisk, cfg: NodeConfig, obs: NodeObserver): SimNode {
    return new SimNode(k, id, disk, cfg, obs, new MemoryStorage(), undefined);
  }

  /** A restart from what `disk.recover()` read. `forgetVote` is the deliberately broken variant. */
  static restart(k: number, id: bigint, disk: SimDisk, cfg: NodeConfig, obs: NodeObserver, rec: Recovered, forgetVote: boolean): SimNode {
    const storage = new MemoryStorage();
    if (rec.snapshot !== undefined) storage.applySnapshot(rec.snapshot);
    storage.setHardState(forgetVote ? { ...rec.hardState, vote: 0n } : rec.hardState);
    storage.append(rec.entries);
    return new SimNode(k, id, disk, cfg, obs, storage, rec.snapshot);
  }

  get isLeader(): boolean {
    return this.rn.raft.state === StateType.Leader;
  }

  private readonly awaited = (reqId: bigint): string | undefined => this.obs.awaited(this, reqId);

  /** Term of index i in this node's log, or undefined where it no longer (or does not yet) hold it. */
  termAt = (i: bigint): bigint | undefined => {
    const log = this.rn.raft.raftLog;
    if (i < log.firstIndex() - 1n || i > log.lastIndex()) return undefined;
    return log.term(i);
  };

  processReady(): void {
    while (!this.down && !this.stalled && this.rn.hasReady()) {
      const rd = this.rn.ready();
      if (rd.softState !== undefined) this.obs.softState(this, rd.softState);
      const prevCommit = this.commit;
      if (rd.snapshot !== undefined) this.disk.saveSnap(rd.snapshot);
      if (this.tearNextWrite !== undefined && rd.snapshot === undefined && (rd.entries.length > 0 || rd.hardState !== undefined)) {
        const tear = this.disk.saveTorn(rd.hardState, rd.entries, this.tearNextWrite);
        this.down = true;
        this.obs.tornCrash(this, tear);
        return;
      }
      this.disk.save(rd.hardState, rd.entries);
      if (rd.snapshot !== undefined) this.storage.applySnapshot(rd.snapshot);
      const prevTerm = rd.entries.length > 0 ? this.storageTerm(rd.entries[0].index - 1n) : undefined;
      const r = this.rn.raft;
      const leaderSince = r.state === StateType.Leader && this.leaderTerm === r.term ? this.leaderLast : undefined;
      this.storage.append(rd.entries);
      if (rd.hardState !== undefined) {
        this.storage.setHardState(rd.hardState);
        this.commit = rd.hardState.commit;
      }
      this.leaderTerm = r.state === StateType.Leader ? r.term : 0n;
      this.leaderLast = this.storage.lastIndex();
      this.obs.persisted(this, rd, { prevTerm, prevCommit, leaderSince });
      if (rd.messages.length > 0) this.obs.send(this, rd.messages.map((m) => (m.type === MessageType.MsgSnap ? this.mergedSnapshot(m) : m)));
      if (rd.snapshot !== undefined) this.install(rd.snapshot);
      for (const e of rd.committedEntries) this.apply(e);
      if (rd.readStates.length > 0) this.obs.readStates(this, rd.readStates);
      this.rn.advance(rd);
      this.maybeSnapshot();
    }
  }

  /**
   * etcd's createMergedSnapshotMessage (etcdserver/snapshot_merge.go): a
   * snapshot goes out not as last stored but as the sender's state applied
   * now, with its configuration now, so a member added since the stored
   * snapshot finds itself in the one it receives.
   */
  private mergedSnapshot(m: Message): Message {
    return { ...m, snapshot: { data: this.sm.snapshotData(), metadata: { index: this.applied, term: this.termAt(this.applied)!, confState: this.confState } } };
  }

  private storageTerm(i: bigint): bigint | undefined {
    if (i < this.storage.firstIndex() - 1n || i > this.storage.lastIndex()) return undefined;
    return this.storage.term(i);
  }

  private install(s: Snapshot): void {
    this.sm = this.cfg.stateAt(s.metadata.index);
    this.applied = s.metadata.index;
    this.snapIndex = s.metadata.index;
    this.confState = s.metadata.confState;
  }

  private apply(e: Entry): void {
    this.applied = e.index;
    if (e.type === EntryType.EntryNormal) {
      this.obs.applied(this, e, this.sm.applyNormal(e, this.awaited));
      return;
    }
    // etcd 3.4 applies only EntryNormal and EntryConfChange; nothing here proposes ConfChangeV2.
    if (e.type !== EntryType.EntryConfChange) throw new Error(`node ${this.k}: entry ${e.index} has type ${e.type}`);
    this.obs.applied(this, e, undefined);
    const cc = decodeConfChange(e.data ?? new Uint8Array(0));
    const accepted = this.sm.applyConfChange(e);
    // etcd applies a refused change to raft with NodeID 0, which changes nothing (server.go applyConfChange).
    this.confState = this.rn.applyConfChange(accepted ? cc : { ...cc, nodeId: 0n });
    this.obs.confChangeApplied(this, cc, accepted);
  }

  /** etcd's triggerSnapshot: past snapshotCount applied entries, snapshot and compact (server.go snapshot). */
  private maybeSnapshot(): void {
    if (this.applied - this.snapIndex <= this.cfg.snapshotCount) return;
    const snap = this.storage.createSnapshot(this.applied, this.confState, this.sm.snapshotData());
    this.disk.saveSnap(snap);
    this.snapIndex = this.applied;
    this.obs.snapshotTaken(this, this.applied);
    const compactTo = this.applied - this.cfg.catchUpEntries;
    if (compactTo >= this.storage.firstIndex()) this.storage.compact(compactTo);
  }
}
