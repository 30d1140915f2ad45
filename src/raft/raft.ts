/**
 * The Raft state machine (etcd raft/raft.go, with the raft 3.5/3.6 additions
 * walt needs: MsgForgetLeader, inflight byte limits, stepDownOnRemoval,
 * term-aware rejection hints). It does no I/O and keeps no clock: the
 * application feeds it ticks and messages and collects its output through
 * RawNode's Ready.
 */
import {
  ConfChangeTransition,
  EntryType,
  MessageType,
  decodeConfChange,
  decodeConfChangeV2,
  encodeConfChangeV2,
  type ConfChangeV2,
  type ConfState,
  type Entry,
  type HardState,
  type Message,
  type Snapshot,
} from '../codec/proto/raftpb.js';
import { Changer, asV2, enterJoint, leaveJoint, type ConfigAndProgress } from './confchange/confchange.js';
import { restore as restoreConfig } from './confchange/restore.js';
import { RaftLog } from './log.js';
import { goConfChange, goConfState, type Logger } from './logger.js';
import { VoteResult } from './quorum/quorum.js';
import type { Ready } from './rawnode.js';
import { ReadOnly, ReadOnlyOption, type ReadState } from './read_only.js';
import { ErrSnapshotTemporarilyUnavailable, isEmptySnap, isLogGap, type Storage } from './storage.js';
import { ProgressStateType } from './tracker/state.js';
import { ProgressTracker, type TallyResult, type TrackerConfig } from './tracker/tracker.js';
import type { Progress, ProgressMap } from './tracker/progress.js';
import {
  NONE,
  RaftError,
  bytesEqual,
  confStatesEquivalent,
  invariant,
  localMessage,
  maxBig,
  minBig,
  newMessage,
  payloadsSize,
  voteRespMsgType,
} from './util.js';

export enum StateType {
  Follower = 0,
  Candidate = 1,
  Leader = 2,
  PreCandidate = 3,
}

/** "StateLeader" and so on, as etcd names the states. */
export const stateName = (s: StateType): string => `State${StateType[s]}`;

/** Volatile state worth reporting to the application; not persisted. */
export interface SoftState {
  lead: bigint;
  raftState: StateType;
}

export type { Logger };

/** The etcd releases whose raft walt can follow where they differ. */
export type EtcdRaftVersion = '3.4' | '3.5' | '3.6';

export interface Config {
  /** This node's ID; never 0. */
  id: bigint;
  /** Ticks without hearing from a leader before a follower campaigns; must exceed heartbeatTick (10× is usual). */
  electionTick: number;
  /** Ticks between a leader's heartbeats. */
  heartbeatTick: number;
  /** Where raft reads the persisted log, hard state and snapshot from. */
  storage: Storage;
  /** The last applied index when restarting; entries up to it are not handed out again. */
  applied?: bigint;
  /** Byte limit of the entries in one MsgApp; 0 means one entry per message. Default: no limit. */
  maxSizePerMsg?: number;
  /** Byte limit of the committed entries in one Ready. Default: maxSizePerMsg. */
  maxCommittedSizePerReady?: number;
  /** Payload bytes a leader accepts into its uncommitted tail before dropping proposals. Default/0: no limit. */
  maxUncommittedEntriesSize?: number;
  /** MsgApps in flight per follower while replicating. Default 256. */
  maxInflightMsgs?: number;
  /** Payload bytes in flight per follower. Default/0: no limit. */
  maxInflightBytes?: number;
  /** A leader steps down if it has not heard from a quorum for an election timeout. */
  checkQuorum?: boolean;
  /** Run a pre-election first (Raft thesis §9.6) so a partitioned node cannot disrupt the cluster on rejoining. */
  preVote?: boolean;
  /** How ReadIndex is served; LeaseBased requires checkQuorum. Default Safe. */
  readOnlyOption?: ReadOnlyOption;
  /** Followers drop proposals instead of forwarding them to the leader. */
  disableProposalForwarding?: boolean;
  /** A leader removed from (or demoted in) the configuration steps down. */
  stepDownOnRemoval?: boolean;
  /** Random source in [0, 1) for election timeouts; seed it to make simulations replayable. Default Math.random. */
  rand?: () => number;
  logger?: Logger;
  /**
   * Which etcd release's raft to follow where 3.4 and 3.5 differ. Default
   * '3.5'. With '3.4':
   * - a follower rejecting a MsgApp hints its last index (3.5: the highest
   *   index at or below the rejected one whose term is at most the leader's,
   *   with that term);
   * - a leader leaves a joint configuration automatically whenever the pending
   *   conf change is applied (3.5: once, see advance), with an entry holding
   *   an encoded empty ConfChangeV2 (3.5: no data);
   * - every message goes out signed with this node's id, so a transfer asked
   *   of a follower makes that follower the transferee (3.5: the one asked for);
   * - a leader acts only on acks that advance a follower's match, and sends
   *   appends on heartbeat responses only to lagging followers (3.5: also
   *   recovers a caught-up probing follower);
   * - MsgTimeoutNow starts a campaign even with conf changes left to apply,
   *   and only EntryConfChange (not V2) entries left to apply hold back a
   *   MsgHup;
   * - a transfer is aborted when its target leaves the configuration (3.5:
   *   when it stops being a voter), and a snapshot is refused by a node found
   *   only among its outgoing voters;
   * - the log lines that changed read as 3.4's.
   * With '3.6', a leader takes a follower out of StateSnapshot as soon as
   * its log can serve it (raft 3.6); 3.4 and 3.5 wait until the follower has
   * the snapshot sent. Everything else follows 3.5 in all three; raft 3.6's
   * additions are options of their own (stepDownOnRemoval, maxInflightBytes,
   * RawNode.forgetLeader). The lockstep differential run
   * (test/raft/lockstep.test.ts) holds '3.4' to etcd 3.4's raft.
   */
  etcdVersion?: EtcdRaftVersion;
}

/** A proposal was refused: no leader, a leadership transfer in progress, or the uncommitted-size limit. */
export class ErrProposalDropped extends RaftError {
  constructor() {
    super('PROPOSAL_DROPPED', 'raft proposal dropped');
  }
}

type CampaignType = 'CampaignPreElection' | 'CampaignElection' | 'CampaignTransfer';

/** The context of a transfer's MsgVote: it lets voters ignore their leader lease. */
const CAMPAIGN_TRANSFER = new TextEncoder().encode('CampaignTransfer');

/**
 * An empty ConfChangeV2 as gogoproto marshals it (transition 0 is written):
 * etcd 3.4's auto-leave entry. Encoded at its first use, not when raft loads:
 * encoding loads etcd's messages, which a replay of puts never needs.
 */
let emptyConfChangeV2Bytes: Uint8Array | undefined;
const emptyConfChangeV2 = (): Uint8Array => (emptyConfChangeV2Bytes ??= encodeConfChangeV2({ transition: ConfChangeTransition.ConfChangeTransitionAuto, changes: [] }));

/** Node IDs print in hex, as etcd's %x does. */
const hex = (id: bigint): string => id.toString(16);

/** JSON.stringify replacer for error messages about bigint-laden structures. */
const bigintJson = (_k: string, v: unknown): unknown => (typeof v === 'bigint' ? v.toString() : v);

const isConfChangeEntry = (e: Entry): boolean => e.type === EntryType.EntryConfChange || e.type === EntryType.EntryConfChangeV2;

function validate(c: Config): void {
  const bad = (msg: string): never => {
    throw new RaftError('INVALID_CONFIG', msg);
  };
  if (c.id === NONE) bad('cannot use none as id');
  if (!(c.heartbeatTick > 0)) bad('heartbeat tick must be greater than 0');
  if (!(c.electionTick > c.heartbeatTick)) bad('election tick must be greater than heartbeat tick');
  if (c.storage === undefined) bad('storage cannot be nil');
  if (c.maxInflightMsgs !== undefined && !(c.maxInflightMsgs > 0)) bad('max inflight messages must be greater than 0');
  if (c.readOnlyOption === ReadOnlyOption.LeaseBased && !c.checkQuorum) {
    bad('CheckQuorum must be enabled when ReadOnlyOption is ReadOnlyLeaseBased');
  }
}

export class Raft {
  readonly id: bigint;
  term = 0n;
  vote = NONE;
  readStates: ReadState[] = [];
  readonly raftLog: RaftLog;
  prs: ProgressTracker;
  state = StateType.Follower;
  /** Whether this node is a learner in the current configuration. */
  isLearner = false;
  /** Outgoing messages, handed to the application with the next Ready. */
  msgs: Message[] = [];
  lead = NONE;
  /** The target of a leadership transfer in progress (Raft thesis §3.10), or NONE. */
  leadTransferee = NONE;
  /**
   * At most one conf change may be pending (in the log but unapplied). This is
   * >= the index of the latest one; new ones are refused until it is applied.
   */
  pendingConfIndex = 0n;
  /** Estimated payload bytes of the leader's uncommitted tail. */
  uncommittedSize = 0;
  readOnly: ReadOnly;
  /** Followers/candidates: ticks since the last election timeout or valid leader message. Leaders: since the last CheckQuorum. */
  electionElapsed = 0;
  /** Leaders only: ticks since the last heartbeat. */
  heartbeatElapsed = 0;
  readonly checkQuorum: boolean;
  readonly preVote: boolean;
  readonly heartbeatTimeout: number;
  readonly electionTimeout: number;
  /** Uniform in [electionTimeout, 2*electionTimeout), redrawn on every reset so elections rarely collide. */
  randomizedElectionTimeout = 0;
  readonly disableProposalForwarding: boolean;
  readonly stepDownOnRemoval: boolean;
  readonly logger: Logger | undefined;
  /** etcd 3.4's rejection hints and log lines (Config.etcdVersion). */
  private readonly v34: boolean;
  /** raft 3.6's recovery from StateSnapshot (Config.etcdVersion). */
  private readonly v36: boolean;
  private readonly maxMsgSize: number;
  private readonly maxUncommittedSize: number;
  private readonly rand: () => number;
  /** ReadIndex requests received before this leader committed an entry of its term. */
  private pendingReadIndexMessages: Message[] = [];

  constructor(c: Config) {
    validate(c);
    this.id = c.id;
    const maxMsgSize = c.maxSizePerMsg ?? Infinity;
    this.raftLog = new RaftLog(c.storage, c.maxCommittedSizePerReady || maxMsgSize, c.logger);
    this.v34 = c.etcdVersion === '3.4';
    this.v36 = c.etcdVersion === '3.6';
    this.maxMsgSize = maxMsgSize;
    this.maxUncommittedSize = c.maxUncommittedEntriesSize || Infinity;
    this.prs = new ProgressTracker(c.maxInflightMsgs ?? 256, c.maxInflightBytes ?? 0);
    this.electionTimeout = c.electionTick;
    this.heartbeatTimeout = c.heartbeatTick;
    this.checkQuorum = c.checkQuorum ?? false;
    this.preVote = c.preVote ?? false;
    this.readOnly = new ReadOnly(c.readOnlyOption ?? ReadOnlyOption.Safe);
    this.disableProposalForwarding = c.disableProposalForwarding ?? false;
    this.stepDownOnRemoval = c.stepDownOnRemoval ?? false;
    this.rand = c.rand ?? Math.random;
    this.logger = c.logger;

    const { hardState: hs, confState: cs } = c.storage.initialState();
    const { config, progress } = restoreConfig(new Changer(this.prs, this.raftLog.lastIndex()), cs);
    const restored = this.switchToConfig(config, progress);
    invariant(confStatesEquivalent(cs, restored), () => `restored config ${JSON.stringify(restored, bigintJson)} differs from ${JSON.stringify(cs, bigintJson)}`);
    if (hs.term !== 0n || hs.vote !== 0n || hs.commit !== 0n) this.loadState(hs);
    if (c.applied !== undefined && c.applied > 0n) this.raftLog.appliedTo(c.applied);
    this.becomeFollower(this.term, NONE);
    this.logger?.info(
      `newRaft ${hex(this.id)} [peers: [${this.prs.voterNodes().map((n) => n.toString(16))}], term: ${this.term}, ` +
        `commit: ${this.raftLog.committed}, applied: ${this.raftLog.applied}, lastindex: ${this.raftLog.lastIndex()}, lastterm: ${this.raftLog.lastTerm()}]`,
    );
  }

  softState(): SoftState {
    return { lead: this.lead, raftState: this.state };
  }

  hardState(): HardState {
    return { term: this.term, vote: this.vote, commit: this.raftLog.committed };
  }

  // ---- sending ---------------------------------------------------------------

  /**
   * Queues m for the application to send. Only (pre)vote traffic carries an
   * explicit term; the rest get ours. A message that already names its sender
   * keeps it (etcd 3.5): a follower forwards MsgTransferLeader from the
   * transferee, which is who the leader must hand over to. etcd 3.4 always
   * signs with its own id, so a transfer asked of a follower hands leadership
   * to that follower.
   */
  private send(m: Message): void {
    if (m.from === NONE || this.v34) m.from = this.id;
    const t = m.type;
    if (t === MessageType.MsgVote || t === MessageType.MsgVoteResp || t === MessageType.MsgPreVote || t === MessageType.MsgPreVoteResp) {
      // A (pre)vote is for a specific term, which is not necessarily ours (pre-votes are for the next one).
      invariant(m.term !== 0n, () => `term should be set when sending ${MessageType[t]}`);
    } else {
      invariant(m.term === 0n, () => `term should not be set when sending ${MessageType[t]} (was ${m.term})`);
      // Proposals and read requests forwarded to the leader are treated like local messages.
      if (t !== MessageType.MsgProp && t !== MessageType.MsgReadIndex) m.term = this.term;
    }
    this.msgs.push(m);
  }

  private sendAppend(to: bigint): void {
    this.maybeSendAppend(to, true);
  }

  /**
   * Sends the follower the entries from its next index (or a snapshot, if
   * those are compacted away). Returns whether a message was sent; without
   * sendIfEmpty an append with no entries is not worth sending.
   */
  private maybeSendAppend(to: bigint, sendIfEmpty: boolean): boolean {
    const pr = this.prs.progress.get(to)!;
    if (pr.isPaused()) return false;
    let term = 0n;
    let ents: Entry[] = [];
    let gap = false;
    try {
      term = this.raftLog.term(pr.next - 1n);
    } catch (e) {
      if (!isLogGap(e)) throw e;
      gap = true;
    }
    try {
      ents = this.raftLog.entries(pr.next, this.maxMsgSize);
    } catch (e) {
      if (!isLogGap(e)) throw e;
      gap = true;
    }
    if (ents.length === 0 && !sendIfEmpty) return false;
    if (gap) return this.maybeSendSnapshot(to, pr);

    const m = newMessage(MessageType.MsgApp, to);
    m.index = pr.next - 1n;
    m.logTerm = term;
    m.entries = ents;
    m.commit = this.raftLog.committed;
    const n = ents.length;
    if (n !== 0) {
      if (pr.state === ProgressStateType.StateReplicate) {
        // Optimistically assume delivery; a rejection takes next back down.
        const last = ents[n - 1].index;
        pr.optimisticUpdate(last);
        pr.inflights.add(last, payloadsSize(ents));
      } else {
        invariant(pr.state === ProgressStateType.StateProbe, () => `${this.id} is sending append in unhandled state ${pr}`);
        pr.probeSent = true;
      }
    }
    this.send(m);
    return true;
  }

  /** The follower needs compacted entries: send the snapshot, unless it seems to be down. */
  private maybeSendSnapshot(to: bigint, pr: Progress): boolean {
    if (!pr.recentActive) {
      this.logger?.debug(`ignore sending snapshot to ${hex(to)} since it is not recently active`);
      return false;
    }
    let snap: Snapshot;
    try {
      snap = this.raftLog.snapshot();
    } catch (e) {
      if (!(e instanceof ErrSnapshotTemporarilyUnavailable)) throw e;
      this.logger?.debug(`${hex(this.id)} failed to send snapshot to ${hex(to)} because snapshot is temporarily unavailable`);
      return false;
    }
    invariant(!isEmptySnap(snap), () => 'need non-empty snapshot');
    const m = newMessage(MessageType.MsgSnap, to);
    m.snapshot = snap;
    this.logger?.debug(
      `${hex(this.id)} [firstindex: ${this.raftLog.firstIndex()}, commit: ${this.raftLog.committed}] ` +
        `sent snapshot[index: ${snap.metadata.index}, term: ${snap.metadata.term}] to ${hex(to)} [${pr}]`,
    );
    pr.becomeSnapshot(snap.metadata.index);
    this.logger?.debug(`${hex(this.id)} paused sending replication messages to ${hex(to)} [${pr}]`);
    this.send(m);
    return true;
  }

  /**
   * The heartbeat's commit is capped at what the follower is known to have:
   * it must not commit an index it may hold a different entry at.
   */
  private sendHeartbeat(to: bigint, ctx: Uint8Array | undefined): void {
    const m = newMessage(MessageType.MsgHeartbeat, to);
    m.commit = minBig(this.prs.progress.get(to)!.match, this.raftLog.committed);
    m.context = ctx;
    this.send(m);
  }

  private bcastAppend(): void {
    for (const id of this.prs.ids()) if (id !== this.id) this.sendAppend(id);
  }

  /** Heartbeats carry the newest pending read request, so their acks confirm it. */
  private bcastHeartbeat(): void {
    this.bcastHeartbeatWithCtx(this.readOnly.lastPendingRequestCtx());
  }

  private bcastHeartbeatWithCtx(ctx: Uint8Array | undefined): void {
    for (const id of this.prs.ids()) if (id !== this.id) this.sendHeartbeat(id, ctx);
  }

  private sendTimeoutNow(to: bigint): void {
    this.send(newMessage(MessageType.MsgTimeoutNow, to));
  }

  // ---- Ready bookkeeping -----------------------------------------------------

  /** The application has persisted and applied `rd`. */
  advance(rd: Ready): void {
    const n = rd.committedEntries.length;
    const applied = n > 0 ? rd.committedEntries[n - 1].index : rd.snapshot !== undefined ? rd.snapshot.metadata.index : 0n;
    if (applied > 0n) {
      const oldApplied = this.raftLog.applied;
      this.raftLog.appliedTo(applied);
      // etcd 3.5 leaves only when this Ready applied the entry that entered the
      // joint config, and then counts the leaving entry as the pending conf
      // change; 3.4 left whenever the pending one was applied, and so could
      // propose leaving twice (etcd 3.5's confchange_v2_add_double_auto).
      const pending = this.pendingConfIndex;
      const leave = this.v34 ? applied >= pending : oldApplied <= pending && applied >= pending;
      if (this.prs.config.autoLeave && leave && this.state === StateType.Leader) {
        // The joint config this leader entered is applied: append the entry
        // that leaves it, as etcd does, without a broadcast (the next append
        // to each follower carries it) and past any leadership transfer.
        if (this.v34) {
          // etcd 3.4 marshals the empty ConfChangeV2, whose two bytes the
          // uncommitted-size limit may refuse; then it waits for the next
          // pending conf change to be applied and tries again.
          const ent: Entry = { term: 0n, index: 0n, type: EntryType.EntryConfChangeV2, data: emptyConfChangeV2() };
          if (!this.appendEntry([ent])) this.pendingConfIndex = this.raftLog.lastIndex();
          else this.logger?.info(`initiating automatic transition out of joint configuration ${this.prs.config}`);
        } else {
          // etcd 3.5: no data (it decodes as an empty ConfChangeV2), which no size limit refuses.
          const ent: Entry = { term: 0n, index: 0n, type: EntryType.EntryConfChangeV2, data: undefined };
          invariant(this.appendEntry([ent]), () => 'refused un-refusable auto-leaving ConfChangeV2');
          this.pendingConfIndex = this.raftLog.lastIndex();
          this.logger?.info(`initiating automatic transition out of joint configuration ${this.prs.config}`);
        }
      }
    }
    this.reduceUncommittedSize(rd.committedEntries);
    const ne = rd.entries.length;
    if (ne > 0) {
      const last = rd.entries[ne - 1];
      this.raftLog.stableTo(last.index, last.term);
    }
    if (rd.snapshot !== undefined) this.raftLog.stableSnapTo(rd.snapshot.metadata.index);
  }

  // ---- state transitions -----------------------------------------------------

  /** Advances the commit index to what a quorum has acknowledged; true if it moved. */
  private maybeCommit(): boolean {
    return this.raftLog.maybeCommit(this.prs.committed(), this.term);
  }

  private reset(term: bigint): void {
    if (this.term !== term) {
      this.term = term;
      this.vote = NONE;
    }
    this.lead = NONE;
    this.electionElapsed = 0;
    this.heartbeatElapsed = 0;
    this.resetRandomizedElectionTimeout();
    this.abortLeaderTransfer();
    this.prs.resetVotes();
    const last = this.raftLog.lastIndex();
    for (const [id, pr] of this.prs.progress) {
      pr.match = id === this.id ? last : 0n;
      pr.next = last + 1n;
      pr.recentActive = false;
      pr.resetState(ProgressStateType.StateProbe);
    }
    this.pendingConfIndex = 0n;
    this.uncommittedSize = 0;
    this.readOnly = new ReadOnly(this.readOnly.option);
  }

  /**
   * Appends entries of the current term after the last index, taking only type
   * and data from `es`. False if they would exceed the uncommitted-size limit.
   */
  private appendEntry(es: readonly Entry[]): boolean {
    if (!this.increaseUncommittedSize(es)) {
      this.logger?.debug(`${hex(this.id)} appending new entries to log would exceed uncommitted entry size limit; dropping proposal`);
      return false;
    }
    let index = this.raftLog.lastIndex();
    const term = this.term;
    const ents = new Array<Entry>(es.length);
    for (let i = 0; i < es.length; i++) ents[i] = { term, index: ++index, type: es[i].type, data: es[i].data };
    this.prs.progress.get(this.id)!.maybeUpdate(this.raftLog.append(ents));
    // Whether or not this commits anything, the caller broadcasts.
    this.maybeCommit();
    return true;
  }

  tick(): void {
    if (this.state === StateType.Leader) this.tickHeartbeat();
    else this.tickElection();
  }

  /** Followers and candidates: campaign once the randomized election timeout passes. */
  private tickElection(): void {
    this.electionElapsed++;
    if (this.promotable() && this.pastElectionTimeout()) {
      this.electionElapsed = 0;
      this.stepLocal(MessageType.MsgHup);
    }
  }

  /** Leaders: heartbeat every heartbeatTimeout; every electionTimeout check the quorum and give up a stalled transfer. */
  private tickHeartbeat(): void {
    this.heartbeatElapsed++;
    this.electionElapsed++;
    if (this.electionElapsed >= this.electionTimeout) {
      this.electionElapsed = 0;
      if (this.checkQuorum) this.stepLocal(MessageType.MsgCheckQuorum);
      if (this.state === StateType.Leader && this.leadTransferee !== NONE) this.abortLeaderTransfer();
    }
    if (this.state !== StateType.Leader) return;
    if (this.heartbeatElapsed >= this.heartbeatTimeout) {
      this.heartbeatElapsed = 0;
      this.stepLocal(MessageType.MsgBeat);
    }
  }

  private stepLocal(type: MessageType): void {
    this.step(localMessage(type, this.id));
  }

  becomeFollower(term: bigint, lead: bigint): void {
    this.reset(term);
    this.lead = lead;
    this.state = StateType.Follower;
    this.logger?.info(`${hex(this.id)} became follower at term ${this.term}`);
  }

  private becomeCandidate(): void {
    invariant(this.state !== StateType.Leader, () => 'invalid transition [leader -> candidate]');
    this.reset(this.term + 1n);
    this.vote = this.id;
    this.state = StateType.Candidate;
    this.logger?.info(`${hex(this.id)} became candidate at term ${this.term}`);
  }

  /** A pre-candidate changes neither term nor vote: that is what makes a failed pre-election harmless. */
  private becomePreCandidate(): void {
    invariant(this.state !== StateType.Leader, () => 'invalid transition [leader -> pre-candidate]');
    this.prs.resetVotes();
    this.lead = NONE;
    this.state = StateType.PreCandidate;
    this.logger?.info(`${hex(this.id)} became pre-candidate at term ${this.term}`);
  }

  private becomeLeader(): void {
    invariant(this.state !== StateType.Follower, () => 'invalid transition [follower -> leader]');
    this.reset(this.term);
    this.lead = this.id;
    this.state = StateType.Leader;
    // The leader trivially matches itself; reset() set its match to the last index.
    this.prs.progress.get(this.id)!.becomeReplicate();
    // There may be an unapplied conf change anywhere in the tail; rather than
    // scanning for it, refuse new ones until everything up to here is applied.
    this.pendingConfIndex = this.raftLog.lastIndex();
    // An entry of the new term: committing it commits everything before it (Raft §5.4.2).
    invariant(this.appendEntry([{ term: 0n, index: 0n, type: EntryType.EntryNormal, data: undefined }]), () => 'empty entry was dropped');
    this.logger?.info(`${hex(this.id)} became leader at term ${this.term}`);
  }

  /** Starts an election unless this node may not: it is the leader, not a voter, or has conf changes left to apply. */
  private hup(t: CampaignType): void {
    if (this.state === StateType.Leader) {
      this.logger?.debug(`${hex(this.id)} ignoring MsgHup because already leader`);
      return;
    }
    if (!this.promotable()) {
      this.logger?.warn(`${hex(this.id)} is unpromotable and can not campaign${this.v34 ? '; ignoring MsgHup' : ''}`);
      return;
    }
    // Its view of the configuration may be stale until those are applied.
    const pending = this.unappliedConfChanges();
    if (pending > 0) {
      this.logger?.warn(`${hex(this.id)} cannot campaign at term ${this.term} since there are still ${pending} pending configuration changes to apply`);
      return;
    }
    this.logger?.info(`${hex(this.id)} is starting a new election at term ${this.term}`);
    this.campaign(t);
  }

  private campaign(t: CampaignType): void {
    let term: bigint;
    let voteMsg: MessageType;
    if (t === 'CampaignPreElection') {
      this.becomePreCandidate();
      voteMsg = MessageType.MsgPreVote;
      // Pre-votes ask about the term we would campaign in, before we move to it.
      term = this.term + 1n;
    } else {
      this.becomeCandidate();
      voteMsg = MessageType.MsgVote;
      term = this.term;
    }
    if (this.poll(this.id, voteRespMsgType(voteMsg), true).result === VoteResult.VoteWon) {
      // Our own vote is a quorum: a single-voter cluster.
      if (t === 'CampaignPreElection') this.campaign('CampaignElection');
      else this.becomeLeader();
      return;
    }
    const lastIndex = this.raftLog.lastIndex();
    const lastTerm = this.raftLog.lastTerm();
    for (const id of this.prs.voterNodes()) {
      if (id === this.id) continue;
      this.logger?.info(`${hex(this.id)} [logterm: ${lastTerm}, index: ${lastIndex}] sent ${MessageType[voteMsg]} request to ${hex(id)} at term ${this.term}`);
      const m = newMessage(voteMsg, id);
      m.term = term;
      m.index = lastIndex;
      m.logTerm = lastTerm;
      if (t === 'CampaignTransfer') m.context = CAMPAIGN_TRANSFER.slice();
      this.send(m);
    }
  }

  private poll(id: bigint, t: MessageType, granted: boolean): TallyResult {
    this.logger?.info(`${hex(this.id)} received ${MessageType[t]}${granted ? '' : ' rejection'} from ${hex(id)} at term ${this.term}`);
    this.prs.recordVote(id, granted);
    return this.prs.tallyVotes();
  }

  // ---- stepping ----------------------------------------------------------------

  /** Processes one message. Throws ErrProposalDropped for refused proposals. */
  step(m: Message): void {
    if (m.term === 0n) {
      // A local message.
    } else if (m.term > this.term) {
      if (m.type === MessageType.MsgVote || m.type === MessageType.MsgPreVote) {
        const force = bytesEqual(m.context, CAMPAIGN_TRANSFER);
        const inLease = this.checkQuorum && this.lead !== NONE && this.electionElapsed < this.electionTimeout;
        if (!force && inLease) {
          // Raft §6 (thesis §4.2.3): within the minimum election timeout of hearing
          // from a leader, neither move to the new term nor grant the vote.
          this.logger?.info(
            `${hex(this.id)} [logterm: ${this.raftLog.lastTerm()}, index: ${this.raftLog.lastIndex()}, vote: ${hex(this.vote)}] ` +
              `ignored ${MessageType[m.type]} from ${hex(m.from)} [logterm: ${m.logTerm}, index: ${m.index}] at term ${this.term}: ` +
              `lease is not expired (remaining ticks: ${this.electionTimeout - this.electionElapsed})`,
          );
          return;
        }
      }
      if (m.type === MessageType.MsgPreVote) {
        // Never change term in response to a pre-vote.
      } else if (m.type === MessageType.MsgPreVoteResp && !m.reject) {
        // A granted pre-vote carries the term we asked about; the term only moves once we campaign.
      } else {
        this.logger?.info(`${hex(this.id)} [term: ${this.term}] received a ${MessageType[m.type]} message with higher term from ${hex(m.from)} [term: ${m.term}]`);
        const fromLeader = m.type === MessageType.MsgApp || m.type === MessageType.MsgHeartbeat || m.type === MessageType.MsgSnap;
        this.becomeFollower(m.term, fromLeader ? m.from : NONE);
      }
    } else if (m.term < this.term) {
      if ((this.checkQuorum || this.preVote) && (m.type === MessageType.MsgHeartbeat || m.type === MessageType.MsgApp)) {
        // A leader of an older term. With CheckQuorum or PreVote our term may have
        // moved on while we were partitioned and the cluster would not follow us;
        // answering tells the stale leader the new term so it steps down and a
        // fresh election frees us.
        this.send(newMessage(MessageType.MsgAppResp, m.from));
      } else if (m.type === MessageType.MsgPreVote) {
        // Reject rather than ignore: a pre-candidate with a higher term but a shorter log
        // could otherwise deadlock a cluster that just enabled pre-vote.
        this.logVote('rejected', m);
        const r = newMessage(MessageType.MsgPreVoteResp, m.from);
        r.term = this.term;
        r.reject = true;
        this.send(r);
      } else {
        this.logger?.info(`${hex(this.id)} [term: ${this.term}] ignored a ${MessageType[m.type]} message with lower term from ${hex(m.from)} [term: ${m.term}]`);
      }
      return;
    }

    switch (m.type) {
      case MessageType.MsgHup:
        this.hup(this.preVote ? 'CampaignPreElection' : 'CampaignElection');
        return;
      case MessageType.MsgVote:
      case MessageType.MsgPreVote:
        this.handleVoteRequest(m);
        return;
    }
    switch (this.state) {
      case StateType.Leader:
        this.stepLeader(m);
        return;
      case StateType.Follower:
        this.stepFollower(m);
        return;
      default:
        this.stepCandidate(m);
    }
  }

  private handleVoteRequest(m: Message): void {
    // We can vote if we already voted for this candidate, or have not voted and
    // know of no leader in this term, or this is a pre-vote for a later term...
    const canVote =
      this.vote === m.from || (this.vote === NONE && this.lead === NONE) || (m.type === MessageType.MsgPreVote && m.term > this.term);
    // ...and the candidate's log is at least as up to date as ours (Raft §5.4.1).
    // Learners vote too: one may have been promoted without knowing it yet, and
    // its vote may be needed to elect the only up-to-date candidate.
    const resp = newMessage(voteRespMsgType(m.type), m.from);
    if (canVote && this.raftLog.isUpToDate(m.index, m.logTerm)) {
      this.logVote('cast', m);
      // Answer with the request's term, not ours: for pre-votes ours may be
      // older and the candidate would ignore the answer as stale.
      resp.term = m.term;
      this.send(resp);
      if (m.type === MessageType.MsgVote) {
        // Only real votes are recorded.
        this.electionElapsed = 0;
        this.vote = m.from;
      }
    } else {
      this.logVote('rejected', m);
      resp.term = this.term;
      resp.reject = true;
      this.send(resp);
    }
  }

  /** "cast MsgVote for 2" or "rejected MsgVote from 2", with both logs' last (term, index). */
  private logVote(what: 'cast' | 'rejected', m: Message): void {
    this.logger?.info(
      `${hex(this.id)} [logterm: ${this.raftLog.lastTerm()}, index: ${this.raftLog.lastIndex()}, vote: ${hex(this.vote)}] ` +
        `${what} ${MessageType[m.type]} ${what === 'cast' ? 'for' : 'from'} ${hex(m.from)} [logterm: ${m.logTerm}, index: ${m.index}] at term ${this.term}`,
    );
  }

  private stepLeader(m: Message): void {
    // These need no progress for m.from.
    switch (m.type) {
      case MessageType.MsgBeat:
        this.bcastHeartbeat();
        return;
      case MessageType.MsgCheckQuorum: {
        // The leader always counts itself as active, if it is still a member.
        const self = this.prs.progress.get(this.id);
        if (self !== undefined) self.recentActive = true;
        if (!this.prs.quorumActive()) {
          this.logger?.warn(`${hex(this.id)} stepped down to follower since quorum is not active`);
          this.becomeFollower(this.term, NONE);
        }
        // Start the next round: everyone else must be heard from again.
        for (const [id, pr] of this.prs.progress) if (id !== this.id) pr.recentActive = false;
        return;
      }
      case MessageType.MsgProp:
        this.handleProposal(m);
        return;
      case MessageType.MsgReadIndex:
        if (this.prs.isSingleton()) {
          // The only voter: our commit index is trivially the quorum's.
          this.respondToReadIndex(m, this.raftLog.committed);
        } else if (!this.committedEntryInCurrentTerm()) {
          // Until an entry of our term commits we do not know the true commit index (thesis §6.4).
          this.pendingReadIndexMessages.push(m);
        } else {
          this.sendMsgReadIndexResponse(m);
        }
        return;
      case MessageType.MsgForgetLeader:
        // Nothing to forget as leader.
        return;
    }

    const pr = this.prs.progress.get(m.from);
    if (pr === undefined) {
      this.logger?.debug(`${hex(this.id)} no progress available for ${hex(m.from)}`);
      return;
    }
    switch (m.type) {
      case MessageType.MsgAppResp:
        this.handleAppendResponse(m, pr);
        return;
      case MessageType.MsgHeartbeatResp:
        this.handleHeartbeatResponse(m, pr);
        return;
      case MessageType.MsgSnapStatus:
        if (pr.state !== ProgressStateType.StateSnapshot) return;
        // On failure forget the snapshot first, or probing would start past it.
        if (m.reject) pr.pendingSnapshot = 0n;
        pr.becomeProbe();
        this.logger?.debug(`${hex(this.id)} snapshot ${m.reject ? 'failed' : 'succeeded'}, resumed sending replication messages to ${hex(m.from)} [${pr}]`);
        // Wait for the follower's MsgAppResp (success) or a heartbeat (failure) before the next append.
        pr.probeSent = true;
        return;
      case MessageType.MsgUnreachable:
        // While streaming, an unreachable follower has most likely lost a MsgApp.
        if (pr.state === ProgressStateType.StateReplicate) pr.becomeProbe();
        this.logger?.debug(`${hex(this.id)} failed to send message to ${hex(m.from)} because it is unreachable [${pr}]`);
        return;
      case MessageType.MsgTransferLeader:
        this.handleTransferLeader(m, pr);
        return;
    }
  }

  private handleProposal(m: Message): void {
    invariant(m.entries.length > 0, () => `${hex(this.id)} stepped empty MsgProp`);
    // Removed from the configuration while leading: accept nothing new.
    if (!this.prs.progress.has(this.id)) throw new ErrProposalDropped();
    if (this.leadTransferee !== NONE) {
      this.logger?.debug(`${hex(this.id)} [term ${this.term}] transfer leadership to ${hex(this.leadTransferee)} is in progress; dropping proposal`);
      throw new ErrProposalDropped();
    }
    let ents: Entry[] = m.entries;
    for (let i = 0; i < ents.length; i++) {
      const e = ents[i];
      if (!isConfChangeEntry(e)) continue;
      const data = e.data ?? new Uint8Array(0);
      const cc = e.type === EntryType.EntryConfChange ? asV2(decodeConfChange(data)) : decodeConfChangeV2(data);
      const refused = this.refuseConfChange(cc);
      if (refused === undefined) {
        this.pendingConfIndex = this.raftLog.lastIndex() + BigInt(i) + 1n;
        continue;
      }
      this.logger?.info(`${hex(this.id)} ignoring conf change ${goConfChange(e.type === EntryType.EntryConfChange ? decodeConfChange(data) : cc, this.v34)} at config ${this.prs.config}: ${refused}`);
      // Keep the slot as a no-op so the other entries keep their positions; copy rather than touch the sender's array.
      if (ents === m.entries) ents = ents.slice();
      ents[i] = { term: 0n, index: 0n, type: EntryType.EntryNormal, data: undefined };
    }
    if (!this.appendEntry(ents)) throw new ErrProposalDropped();
    this.bcastAppend();
  }

  /** Why a proposed conf change must be turned into a no-op, or undefined if it may go ahead. */
  private refuseConfChange(cc: ConfChangeV2): string | undefined {
    const joint = this.prs.config.voters.isJoint();
    const wantsLeaveJoint = cc.changes.length === 0;
    if (this.pendingConfIndex > this.raftLog.applied) {
      return `possible unapplied conf change at index ${this.pendingConfIndex} (applied to ${this.raftLog.applied})`;
    }
    if (joint && !wantsLeaveJoint) return 'must transition out of joint config first';
    if (!joint && wantsLeaveJoint) return 'not in joint state; refusing empty conf change';
    return undefined;
  }

  private handleAppendResponse(m: Message, pr: Progress): void {
    pr.recentActive = true;
    if (m.reject) {
      this.logger?.debug(
        this.v34
          ? `${hex(this.id)} received MsgAppResp(MsgApp was rejected, lastindex: ${m.rejectHint}) from ${hex(m.from)} for index ${m.index}`
          : `${hex(this.id)} received MsgAppResp(rejected, hint: (index ${m.rejectHint}, term ${m.logTerm})) from ${hex(m.from)} for index ${m.index}`,
      );
      // The follower's hint (its best (index, term) at or below the rejected
      // one) lets us skip our whole conflicting term in one step.
      const nextProbeIdx = m.logTerm > 0n ? this.raftLog.findConflictByTerm(m.rejectHint, m.logTerm) : m.rejectHint;
      if (pr.maybeDecrTo(m.index, nextProbeIdx)) {
        this.logger?.debug(`${hex(this.id)} decreased progress of ${hex(m.from)} to [${pr}]`);
        if (pr.state === ProgressStateType.StateReplicate) pr.becomeProbe();
        this.sendAppend(m.from);
      }
      return;
    }
    const oldPaused = pr.isPaused();
    // An ack that does not advance match still matters if it confirms exactly
    // where a probing follower is, taking it back to StateReplicate (etcd 3.5,
    // heartbeat_resp_recovers_from_probing). Requiring next == match+1 keeps the
    // answer to a refused snapshot (probing from past it) from bouncing straight
    // back into sending the snapshot again. etcd 3.4 acts only on acks that
    // advance match.
    const confirmsProbe = !this.v34 && pr.state === ProgressStateType.StateProbe && pr.match === m.index && pr.next === m.index + 1n;
    if (!pr.maybeUpdate(m.index) && !confirmsProbe) return;
    if (pr.state === ProgressStateType.StateProbe) {
      pr.becomeReplicate();
    } else if (pr.state === ProgressStateType.StateSnapshot && (this.v36 ? pr.match + 1n >= this.raftLog.firstIndex() : pr.match >= pr.pendingSnapshot)) {
      // The follower has the snapshot sent (etcd 3.4, 3.5) or, in raft 3.6,
      // whatever snapshot it applied, can now be caught up from the log. Go
      // through probe so next accounts for the snapshot.
      this.logger?.debug(`${hex(this.id)} recovered from needing snapshot, resumed sending replication messages to ${hex(m.from)} [${pr}]`);
      pr.becomeProbe();
      pr.becomeReplicate();
    } else if (pr.state === ProgressStateType.StateReplicate) {
      pr.inflights.freeLE(m.index);
    }
    if (this.maybeCommit()) {
      // An entry of our term committed: read requests held back can be answered now.
      this.releasePendingReadIndexMessages();
      this.bcastAppend();
    } else if (oldPaused) {
      // It was paused, so it may have missed the latest commit index.
      this.sendAppend(m.from);
    }
    // Flow control may have opened up for several (size-limited) messages.
    while (this.maybeSendAppend(m.from, false));
    if (m.from === this.leadTransferee && pr.match === this.raftLog.lastIndex()) {
      this.logger?.info(`${hex(this.id)} sent MsgTimeoutNow to ${hex(m.from)} after received MsgAppResp`);
      this.sendTimeoutNow(m.from);
    }
  }

  private handleHeartbeatResponse(m: Message, pr: Progress): void {
    pr.recentActive = true;
    pr.probeSent = false;
    // Free one slot of a full window so replication can resume even if all inflight MsgApps were lost.
    if (pr.state === ProgressStateType.StateReplicate && pr.inflights.full()) pr.inflights.freeFirstOne();
    // A caught-up follower left in StateProbe (say after MsgUnreachable) gets an
    // empty append so that its answer moves it back to StateReplicate (etcd
    // 3.5; 3.4 appends only to followers that lag).
    if (pr.match < this.raftLog.lastIndex() || (!this.v34 && pr.state === ProgressStateType.StateProbe)) this.sendAppend(m.from);

    if (this.readOnly.option !== ReadOnlyOption.Safe || m.context === undefined || m.context.length === 0) return;
    const acks = this.readOnly.recvAck(m.from, m.context);
    if (acks === undefined || this.prs.config.voters.voteResult(acks) !== VoteResult.VoteWon) return;
    for (const rs of this.readOnly.advance(m)) this.respondToReadIndex(rs.req, rs.index);
  }

  private handleTransferLeader(m: Message, pr: Progress): void {
    if (pr.isLearner) {
      this.logger?.debug(`${hex(this.id)} is learner. Ignored transferring leadership`);
      return;
    }
    const transferee = m.from;
    const last = this.leadTransferee;
    if (last !== NONE) {
      if (last === transferee) {
        this.logger?.info(`${hex(this.id)} [term ${this.term}] transfer leadership to ${hex(transferee)} is in progress, ignores request to same node ${hex(transferee)}`);
        return;
      }
      this.abortLeaderTransfer();
      this.logger?.info(`${hex(this.id)} [term ${this.term}] abort previous transferring leadership to ${hex(last)}`);
    }
    if (transferee === this.id) {
      this.logger?.debug(`${hex(this.id)} is already leader. Ignored transferring leadership to self`);
      return;
    }
    this.logger?.info(`${hex(this.id)} [term ${this.term}] starts to transfer leadership to ${hex(transferee)}`);
    // The transfer must finish within an election timeout (tickHeartbeat aborts it otherwise).
    this.electionElapsed = 0;
    this.leadTransferee = transferee;
    if (pr.match === this.raftLog.lastIndex()) {
      this.sendTimeoutNow(transferee);
      this.logger?.info(`${hex(this.id)} sends MsgTimeoutNow to ${hex(transferee)} immediately as ${hex(transferee)} already has up-to-date log`);
    } else {
      this.sendAppend(transferee);
    }
  }

  /** StateCandidate and StatePreCandidate; they differ in which vote responses count. */
  private stepCandidate(m: Message): void {
    // A candidate may still receive pre-vote responses from its pre-candidacy; ignore those.
    const myVoteRespType = this.state === StateType.PreCandidate ? MessageType.MsgPreVoteResp : MessageType.MsgVoteResp;
    switch (m.type) {
      case MessageType.MsgProp:
        this.logger?.info(`${hex(this.id)} no leader at term ${this.term}; dropping proposal`);
        throw new ErrProposalDropped();
      case MessageType.MsgApp:
        this.becomeFollower(m.term, m.from); // m.term === this.term: another node won this term
        this.handleAppendEntries(m);
        return;
      case MessageType.MsgHeartbeat:
        this.becomeFollower(m.term, m.from);
        this.handleHeartbeat(m);
        return;
      case MessageType.MsgSnap:
        this.becomeFollower(m.term, m.from);
        this.handleSnapshot(m);
        return;
      case myVoteRespType: {
        const { granted, rejected, result } = this.poll(m.from, m.type, !m.reject);
        this.logger?.info(`${hex(this.id)} has received ${granted} ${MessageType[m.type]} votes and ${rejected} vote rejections`);
        if (result === VoteResult.VoteWon) {
          if (this.state === StateType.PreCandidate) {
            this.campaign('CampaignElection');
          } else {
            this.becomeLeader();
            this.bcastAppend();
          }
        } else if (result === VoteResult.VoteLost) {
          // A rejected pre-vote may carry a later term; we stay in ours.
          this.becomeFollower(this.term, NONE);
        }
        return;
      }
      case MessageType.MsgTimeoutNow:
        this.logger?.debug(`${hex(this.id)} [term ${this.term} state ${stateName(this.state)}] ignored MsgTimeoutNow from ${hex(m.from)}`);
        return;
    }
  }

  private stepFollower(m: Message): void {
    switch (m.type) {
      case MessageType.MsgProp:
        if (this.lead === NONE) {
          this.logger?.info(`${hex(this.id)} no leader at term ${this.term}; dropping proposal`);
          throw new ErrProposalDropped();
        }
        if (this.disableProposalForwarding) {
          this.logger?.info(`${hex(this.id)} not forwarding to leader ${hex(this.lead)} at term ${this.term}; dropping proposal`);
          throw new ErrProposalDropped();
        }
        this.forwardToLeader(m);
        return;
      case MessageType.MsgApp:
        this.electionElapsed = 0;
        this.lead = m.from;
        this.handleAppendEntries(m);
        return;
      case MessageType.MsgHeartbeat:
        this.electionElapsed = 0;
        this.lead = m.from;
        this.handleHeartbeat(m);
        return;
      case MessageType.MsgSnap:
        this.electionElapsed = 0;
        this.lead = m.from;
        this.handleSnapshot(m);
        return;
      case MessageType.MsgTransferLeader:
      case MessageType.MsgReadIndex:
        if (this.lead === NONE) {
          const what = m.type === MessageType.MsgTransferLeader ? 'leader transfer' : 'index reading';
          this.logger?.info(`${hex(this.id)} no leader at term ${this.term}; dropping ${what} msg`);
          return;
        }
        this.forwardToLeader(m);
        return;
      case MessageType.MsgTimeoutNow:
        // A transfer skips pre-vote: we are not rejoining after a partition, so the extra round trip buys nothing.
        if (this.v34) {
          // etcd 3.4 campaigns at once, even with conf changes left to apply.
          if (!this.promotable()) {
            this.logger?.info(`${hex(this.id)} received MsgTimeoutNow from ${hex(m.from)} but is not promotable`);
            return;
          }
          this.logger?.info(`${hex(this.id)} [term ${this.term}] received MsgTimeoutNow from ${hex(m.from)} and starts an election to get leadership.`);
          this.campaign('CampaignTransfer');
          return;
        }
        this.logger?.info(`${hex(this.id)} [term ${this.term}] received MsgTimeoutNow from ${hex(m.from)} and starts an election to get leadership.`);
        this.hup('CampaignTransfer');
        return;
      case MessageType.MsgReadIndexResp:
        if (m.entries.length !== 1) {
          this.logger?.warn(`${hex(this.id)} invalid format of MsgReadIndexResp from ${hex(m.from)}, entries count: ${m.entries.length}`);
          return;
        }
        this.readStates.push({ index: m.index, requestCtx: m.entries[0].data ?? new Uint8Array(0) });
        return;
      case MessageType.MsgForgetLeader:
        // A leaseholder might still serve lease-based reads, so another leader must not be elected under it.
        if (this.readOnly.option === ReadOnlyOption.LeaseBased) {
          this.logger?.warn(`${hex(this.id)} ignoring MsgForgetLeader due to ReadOnlyLeaseBased`);
          return;
        }
        // Without a leader, this follower grants (pre-)votes despite CheckQuorum's lease.
        this.lead = NONE;
        return;
    }
  }

  /** Re-sends a copy of m (never m itself, which the caller may still hold) to the leader. */
  private forwardToLeader(m: Message): void {
    this.send({ ...m, to: this.lead });
  }

  private handleAppendEntries(m: Message): void {
    const resp = newMessage(MessageType.MsgAppResp, m.from);
    if (m.index < this.raftLog.committed) {
      // Everything up to our commit index is settled; tell the leader where we are.
      resp.index = this.raftLog.committed;
      this.send(resp);
      return;
    }
    const last = this.raftLog.maybeAppend(m.index, m.logTerm, m.commit, m.entries);
    if (last !== undefined) {
      resp.index = last;
      this.send(resp);
      return;
    }
    this.logger?.debug(
      `${hex(this.id)} [logterm: ${this.raftLog.termOrZero(m.index)}, index: ${m.index}] rejected MsgApp [logterm: ${m.logTerm}, index: ${m.index}] from ${hex(m.from)}`,
    );
    resp.index = m.index;
    resp.reject = true;
    if (this.v34) {
      // etcd 3.4: the hint is our last index, without its term.
      resp.rejectHint = this.raftLog.lastIndex();
    } else {
      // Hint the highest (index, term) at or below the rejected index whose term is at
      // most the leader's logTerm: our entries of later terms there must go anyway
      // (etcd 3.5 handleAppendEntries).
      const hintIndex = this.raftLog.findConflictByTerm(minBig(m.index, this.raftLog.lastIndex()), m.logTerm);
      resp.rejectHint = hintIndex;
      resp.logTerm = this.raftLog.term(hintIndex);
    }
    this.send(resp);
  }

  private handleHeartbeat(m: Message): void {
    this.raftLog.commitTo(m.commit);
    const resp = newMessage(MessageType.MsgHeartbeatResp, m.from);
    resp.context = m.context;
    this.send(resp);
  }

  private handleSnapshot(m: Message): void {
    const s = m.snapshot!;
    const resp = newMessage(MessageType.MsgAppResp, m.from);
    if (this.restore(s)) {
      this.logger?.info(`${hex(this.id)} [commit: ${this.raftLog.committed}] restored snapshot [index: ${s.metadata.index}, term: ${s.metadata.term}]`);
      resp.index = this.raftLog.lastIndex();
    } else {
      this.logger?.info(`${hex(this.id)} [commit: ${this.raftLog.committed}] ignored snapshot [index: ${s.metadata.index}, term: ${s.metadata.term}]`);
      resp.index = this.raftLog.committed;
    }
    this.send(resp);
  }

  /**
   * Resets log and configuration to the snapshot. Returns false if it was
   * ignored: not newer than our commit index, or already matching our log (then
   * only the commit index moves).
   */
  private restore(s: Snapshot): boolean {
    if (s.metadata.index <= this.raftLog.committed) return false;
    if (this.state !== StateType.Follower) {
      // Defense in depth: only followers get here. Moving to a new term keeps a
      // would-be leader from applying a snapshot under its own leadership.
      this.logger?.warn(`${hex(this.id)} attempted to restore snapshot as leader; should never happen`);
      this.becomeFollower(this.term + 1n, NONE);
      return false;
    }
    // Defense in depth: much of the code assumes we are in our own configuration
    // (etcd 3.4 looks only at voters and learners, not at the outgoing voters).
    const cs = s.metadata.confState;
    if (!cs.voters.includes(this.id) && !cs.learners.includes(this.id) && (this.v34 || !cs.votersOutgoing.includes(this.id))) {
      this.logger?.warn(`${hex(this.id)} attempted to restore snapshot but it is not in the ConfState ${goConfState(cs)}; should never happen`);
      return false;
    }
    if (this.raftLog.matchTerm(s.metadata.index, s.metadata.term)) {
      // We have the snapshot's last entry, hence (log matching) everything before it.
      this.logger?.info(`${hex(this.id)} [${this.logPosition()}] fast-forwarded commit to snapshot [index: ${s.metadata.index}, term: ${s.metadata.term}]`);
      this.raftLog.commitTo(s.metadata.index);
      return false;
    }
    this.raftLog.restore(s);
    this.prs = new ProgressTracker(this.prs.maxInflight, this.prs.maxInflightBytes);
    const { config, progress } = restoreConfig(new Changer(this.prs, this.raftLog.lastIndex()), cs);
    const restored = this.switchToConfig(config, progress);
    invariant(confStatesEquivalent(cs, restored), () => `unable to restore config ${JSON.stringify(cs, bigintJson)}`);
    const pr = this.prs.progress.get(this.id)!;
    pr.maybeUpdate(pr.next - 1n);
    this.logger?.info(`${hex(this.id)} [${this.logPosition()}] restored snapshot [index: ${s.metadata.index}, term: ${s.metadata.term}]`);
    return true;
  }

  /** "commit: C, lastindex: L, lastterm: T", as etcd's snapshot log lines put it. */
  private logPosition(): string {
    return `commit: ${this.raftLog.committed}, lastindex: ${this.raftLog.lastIndex()}, lastterm: ${this.raftLog.lastTerm()}`;
  }

  /**
   * Whether this node may become leader: it is a voter in the current
   * configuration and has no snapshot waiting to be applied (etcd 3.5), whose
   * configuration it does not know yet. Also with etcdVersion '3.4': 3.4
   * lacks the check, and there a MsgHup with the snapshot pending panics
   * (the unapplied entries it scans are compacted away).
   */
  promotable(): boolean {
    const pr = this.prs.progress.get(this.id);
    return pr !== undefined && !pr.isLearner && !this.raftLog.hasPendingSnapshot();
  }

  applyConfChange(cc: ConfChangeV2): ConfState {
    const changer = new Changer(this.prs, this.raftLog.lastIndex());
    let next: ConfigAndProgress;
    if (leaveJoint(cc)) {
      next = changer.leaveJoint();
    } else {
      const j = enterJoint(cc);
      next = j.ok ? changer.enterJoint(j.autoLeave, cc.changes) : changer.simple(cc.changes);
    }
    return this.switchToConfig(next.config, next.progress);
  }

  /**
   * Makes cfg/prs the active configuration and reacts to it: a removed leader
   * may step down; a leader commits what the new quorum allows and probes new
   * members right away rather than at the next heartbeat.
   */
  private switchToConfig(cfg: TrackerConfig, prs: ProgressMap): ConfState {
    this.prs.setConfig(cfg, prs);
    this.logger?.info(`${hex(this.id)} switched to configuration ${cfg}`);
    const cs = this.prs.confState();
    const pr = prs.get(this.id);
    this.isLearner = pr !== undefined && pr.isLearner;
    if ((pr === undefined || this.isLearner) && this.state === StateType.Leader) {
      // Removed or demoted while leading (raft 3.6). Staying leader until the
      // application notices lets it transfer leadership gracefully.
      if (this.stepDownOnRemoval) this.becomeFollower(this.term, NONE);
      return cs;
    }
    if (this.state !== StateType.Leader || cs.voters.length === 0) return cs;
    if (this.maybeCommit()) {
      this.bcastAppend();
    } else {
      // Every member, this leader too (etcd 3.4 and 3.5; 3.6 skips itself): a
      // leader added back after its removal has a fresh progress and sends
      // itself the entries it lacks by that count, which it ignores on receipt.
      for (const id of this.prs.ids()) this.maybeSendAppend(id, false);
    }
    // A transferee removed or demoted to learner cannot take over (etcd 3.5
    // checks the voters; 3.4 only whether it is still in the configuration).
    const transfereeGone = this.v34 ? !prs.has(this.leadTransferee) : !cfg.voters.ids().has(this.leadTransferee);
    if (this.leadTransferee !== NONE && transfereeGone) this.abortLeaderTransfer();
    return cs;
  }

  private loadState(hs: HardState): void {
    invariant(
      hs.commit >= this.raftLog.committed && hs.commit <= this.raftLog.lastIndex(),
      () => `${hex(this.id)} state.commit ${hs.commit} is out of range [${this.raftLog.committed}, ${this.raftLog.lastIndex()}]`,
    );
    this.raftLog.committed = hs.commit;
    this.term = hs.term;
    this.vote = hs.vote;
  }

  private pastElectionTimeout(): boolean {
    return this.electionElapsed >= this.randomizedElectionTimeout;
  }

  private resetRandomizedElectionTimeout(): void {
    this.randomizedElectionTimeout = this.electionTimeout + Math.floor(this.rand() * this.electionTimeout);
  }

  private abortLeaderTransfer(): void {
    this.leadTransferee = NONE;
  }

  private committedEntryInCurrentTerm(): boolean {
    return this.raftLog.termOrZero(this.raftLog.committed) === this.term;
  }

  /** Answers a read request at readIndex: locally as a ReadState, or with a MsgReadIndexResp to the follower that asked. */
  private respondToReadIndex(req: Message, readIndex: bigint): void {
    if (req.from === NONE || req.from === this.id) {
      this.readStates.push({ index: readIndex, requestCtx: req.entries[0].data ?? new Uint8Array(0) });
      return;
    }
    const m = newMessage(MessageType.MsgReadIndexResp, req.from);
    m.index = readIndex;
    m.entries = req.entries;
    this.send(m);
  }

  private sendMsgReadIndexResponse(m: Message): void {
    if (this.readOnly.option === ReadOnlyOption.Safe) {
      // Confirm we are still leader with a heartbeat round carrying the request context.
      const ctx = m.entries[0].data ?? new Uint8Array(0);
      this.readOnly.addRequest(this.raftLog.committed, m);
      this.readOnly.recvAck(this.id, ctx);
      this.bcastHeartbeatWithCtx(ctx);
    } else {
      this.respondToReadIndex(m, this.raftLog.committed);
    }
  }

  private releasePendingReadIndexMessages(): void {
    const msgs = this.pendingReadIndexMessages;
    if (msgs.length === 0) return;
    this.pendingReadIndexMessages = [];
    for (const m of msgs) this.sendMsgReadIndexResponse(m);
  }

  /**
   * Accounts for proposed entries; false if they would push the uncommitted
   * tail over its limit. An empty tail accepts a proposal of any size, so a
   * single large entry cannot wedge the leader.
   */
  private increaseUncommittedSize(ents: readonly Entry[]): boolean {
    const s = payloadsSize(ents);
    if (this.uncommittedSize > 0 && s > 0 && this.uncommittedSize + s > this.maxUncommittedSize) return false;
    this.uncommittedSize += s;
    return true;
  }

  private reduceUncommittedSize(ents: readonly Entry[]): void {
    // Followers do not track it.
    if (this.uncommittedSize === 0) return;
    const s = payloadsSize(ents);
    // The estimate may undercount (it restarts at 0 each term) but never overcounts: saturate at 0.
    this.uncommittedSize = s > this.uncommittedSize ? 0 : this.uncommittedSize - s;
  }

  /**
   * How many committed but unapplied entries change the configuration. etcd
   * 3.4 counts only EntryConfChange (numOfPendingConf), so a pending
   * ConfChangeV2 does not stop its campaign.
   */
  private unappliedConfChanges(): number {
    const log = this.raftLog;
    if (log.applied >= log.committed) return 0;
    // A snapshot restored but not yet applied covers everything below firstIndex.
    const ents = log.slice(maxBig(log.applied + 1n, log.firstIndex()), log.committed + 1n, Infinity);
    return ents.filter(this.v34 ? (e) => e.type === EntryType.EntryConfChange : isConfChangeEntry).length;
  }
}
