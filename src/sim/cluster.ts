/**
 * The cluster during one run: the event loop in virtual time (each member's
 * ticks at its own phase, message deliveries, client requests, the global
 * tick that fires the schedule), each member's life (bootstrap or join,
 * crash, restart from its data dir, removal), the simulated network between
 * them, and everything the members report, checked as it happens. After the
 * last tick every fault is lifted; the run ends once the live members have
 * converged, and then the client history is checked.
 */
import { join } from 'node:path';
import { ConfChangeType, MessageType, type ConfChange, type Entry, type Message } from '../codec/proto/raftpb.js';
import { idHex } from '../codec/proto/metadata.js';
import { RaftError, SnapshotStatus, StateType, type ReadState, type SoftState } from '../raft/index.js';
import type { Ready } from '../raft/rawnode.js';
import { latin1 } from '../state/kv.js';
import { writeMemberBackend } from '../state/backend-writer.js';
import { EventQueue } from './event-queue.js';
import { Prng, deriveId } from './prng.js';
import { SimNetwork } from './network.js';
import { noFaultRates, type FaultRates, type SimOptions } from './options.js';
import { SimDisk, type Tear } from './disk.js';
import { ELECTION_TICK, HEARTBEAT_TICK, SimNode, type NodeConfig, type NodeObserver, type Persisted } from './node.js';
import { SimState, type Applied, type KeyValue } from './state-machine.js';
import { memberContext, peerURL } from './members.js';
import { Workload, type ClientPort, type Op } from './workload.js';
import { Reconfig, type ReconfigPort } from './reconfig.js';
import { SafetyChecks, type TermAt } from './checks.js';
import { checkHistory, type LinearizabilityResult } from './linearizability.js';
import { SimStats, roleOf } from './stats.js';
import type { ScenarioStep, Target } from './scenario.js';
import { runStep, type FaultPort } from './faults.js';
import type { NodeFinal, NodeState, RunOutcome } from './simulate.js';

export type SlotStatus = 'new' | 'up' | 'down' | 'removed';

interface Slot {
  k: number;
  id: bigint;
  status: SlotStatus;
  node?: SimNode;
  disk?: SimDisk;
  /** Bumped at every start, so that events of an earlier life are ignored. */
  inc: number;
  /** Restart this long after the next crash (a crash step's `for`). */
  restartAfterMs?: number;
  /** Applied its own removal during the Ready being handled. */
  removing?: boolean;
  /** Joins a running cluster (rather than bootstrapping it) once its addition commits. */
  joins: boolean;
  election: Prng;
}

interface Envelope {
  m: Message;
  from: number;
  to: number;
  /** The sender's life, so a lost snapshot is reported only to the life that sent it. */
  inc: number;
}

type Ev =
  | { t: 'tick'; k: number; inc: number }
  | { t: 'clock' }
  | { t: 'msg'; env: Envelope }
  | { t: 'client' }
  | { t: 'later'; run: () => void };

const PROGRESS_EVERY = 50;

const isBenign = (e: unknown): boolean => e instanceof RaftError && (e.code === 'PROPOSAL_DROPPED' || e.code === 'STEP_PEER_NOT_FOUND');

/** One run of the cluster: the event loop, the members' lives, the network, and what nodes report. */
export class Cluster implements NodeObserver {
  private readonly q = new EventQueue<Ev>();
  private readonly slots: Slot[] = [];
  private readonly byId = new Map<bigint, number>();
  private readonly net: SimNetwork;
  private readonly workload: Workload;
  private readonly reconfig: Reconfig;
  private readonly faultPort: FaultPort;
  readonly checks: SafetyChecks;
  private readonly stats = new SimStats();
  /** Choices made while running: which follower a step targets, each member's tick phase. */
  private readonly choices: Prng;
  private readonly tears: Prng;
  private readonly clusterId: bigint;
  /** Request IDs applied anywhere: a timed-out write among them did happen. */
  private readonly appliedReqs = new Set<bigint>();
  private step = 0;
  private phase: 'run' | 'settle' | 'done' = 'run';
  private nextStep = 0;
  private readonly tickMs: number;
  private readonly settleTicks: number;
  private faults = 0;
  private linearizability: LinearizabilityResult | undefined;

  constructor(
    private readonly opts: SimOptions,
    private readonly schedule: ScenarioStep[],
    private readonly rates: FaultRates,
    private readonly dir: string,
  ) {
    const seed = opts.seed;
    this.tickMs = opts.tickMs;
    const electionMs = ELECTION_TICK * opts.tickMs;
    // etcd's request timeout (etcdserver ReqTimeout): 5 s plus two election timeouts.
    const timeoutMs = 5000 + 2 * electionMs;
    // Once the faults are lifted: time for many elections, and for every pending request to resolve.
    this.settleTicks = 30 * ELECTION_TICK + Math.ceil(timeoutMs / opts.tickMs);
    this.clusterId = deriveId(seed, 'cluster');
    this.net = new SimNetwork(new Prng(seed, 'network'), { minMs: 1, maxMs: Math.max(2, Math.round(opts.tickMs / 20)), maxDelayMs: 2 * electionMs }, rates);
    this.workload = new Workload(new Prng(seed, 'workload'), { keys: opts.keys, rate: opts.rate, ops: opts.ops, timeoutMs }, deriveId(seed, 'requests') & 0xffffffffn);
    this.reconfig = new Reconfig(this.reconfigPort(), deriveId(seed, 'confchanges'), 3 * electionMs, 20 * electionMs);
    this.faultPort = this.makeFaultPort();
    this.checks = new SafetyChecks(() => ({ step: this.step, timeMs: this.q.now }));
    this.choices = new Prng(seed, 'choices');
    this.tears = new Prng(seed, 'tears');
  }

  // ---- the run ----------------------------------------------------------------

  run(): RunOutcome {
    const voters: number[] = [];
    for (let k = 1; k <= this.opts.nodes; k++) voters.push(this.allocate(false));
    // etcd bootstraps every member with the same peer list, ordered by ID (cluster.MemberIDs).
    const peers = voters
      .map((k) => ({ id: this.slots[k].id, context: memberContext({ id: this.slots[k].id, peerURLs: [peerURL(k, this.opts.peerBasePort)], name: `node-${k}` }) }))
      .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    for (const k of voters) this.startSlot(this.slots[k], (disk, cfg) => SimNode.bootstrap(k, this.slots[k].id, disk, cfg, this, peers));
    for (let i = 0; i < this.opts.learners; i++) this.reconfig.enqueue({ kind: 'addLearner' }, 0);
    this.q.push(0, { t: 'clock' });
    this.q.push(this.workload.nextGap(), { t: 'client' });
    for (let ev = this.q.pop(); ev !== undefined; ev = this.q.pop()) {
      this.step++;
      this.handle(ev);
      if (this.checks.violation !== undefined || this.phase === 'done') break;
    }
    return this.finish();
  }

  private handle(ev: Ev): void {
    switch (ev.t) {
      case 'tick': {
        const s = this.slots[ev.k];
        if (s.status !== 'up' || s.inc !== ev.inc) return;
        this.q.push(this.q.now + this.tickMs, ev);
        const n = s.node!;
        n.rn.tick();
        this.afterStep(n);
        return;
      }
      case 'msg': {
        // etcd's node steps every message that has arrived before it hands out a Ready: the
        // messages due at this moment for the same node go in together.
        const batch = [ev.env];
        for (let next = this.q.peek(); next?.t === 'msg' && next.env.to === ev.env.to && this.q.peekTime() === this.q.now; next = this.q.peek()) {
          this.q.pop();
          this.step++;
          batch.push(next.env);
        }
        return this.deliver(batch);
      }
      case 'clock':
        return this.clock();
      case 'client':
        if (this.phase !== 'run' || this.workload.exhausted) return;
        this.workload.invoke(this.q.now, this.clientPort);
        this.q.push(this.q.now + this.workload.nextGap(), ev);
        return;
      case 'later':
        return ev.run();
    }
  }

  /** The global tick: schedule steps, membership changes, client timeouts, progress, and the end. */
  private clock(): void {
    const now = this.q.now;
    const tick = Math.round(now / this.tickMs);
    if (this.phase === 'run') {
      while (this.nextStep < this.schedule.length && this.schedule[this.nextStep].at <= tick) runStep(this.faultPort, this.schedule[this.nextStep++]);
      if (tick >= this.opts.ticks) this.settle();
    }
    this.reconfig.poll(now);
    this.workload.expire(now);
    if (this.opts.onProgress && tick % PROGRESS_EVERY === 0) {
      this.opts.onProgress({ timeMs: now, tick, committed: this.checks.maxCommitted, leader: this.leader()?.k, faults: this.faults });
    }
    if (this.phase === 'settle') {
      if (this.converged()) {
        this.phase = 'done';
        return;
      }
      if (tick >= this.opts.ticks + this.settleTicks) {
        this.checks.fail('convergence', `the cluster did not converge within ${this.settleTicks} ticks after the faults were lifted: ${this.lagging()}`);
        return;
      }
    }
    this.q.push(now + this.tickMs, { t: 'clock' });
  }

  /** Lifts every fault and stops new work, so that the cluster can converge. */
  private settle(): void {
    this.phase = 'settle';
    this.stats.event(this.q.now, 'end of the run: faults lifted, clients stopped');
    this.net.heal();
    this.net.rates = noFaultRates();
    this.reconfig.cancelQueued();
    for (const s of this.slots) {
      if (s === undefined) continue;
      s.restartAfterMs = undefined;
      if (s.status === 'down') this.restart(s.k);
      else if (s.status === 'up') {
        const n = s.node!;
        n.tearNextWrite = undefined;
        if (n.stalled) {
          n.stalled = false;
          this.afterStep(n);
        }
      }
    }
  }

  private converged(): boolean {
    const leader = this.leader();
    if (leader === undefined || this.workload.pending > 0 || this.reconfig.busy) return false;
    const commit = leader.rn.raft.raftLog.committed;
    if (commit !== leader.rn.raft.raftLog.lastIndex()) return false;
    const members = this.members(leader);
    for (const k of members) {
      const s = this.slots[k];
      if (s.status !== 'up' || s.node!.applied !== commit) return false;
    }
    const spaces = members.map((k) => keySpaceText(this.slots[k].node!.sm.keySpace()));
    const differs = spaces.findIndex((sp) => sp !== spaces[0]);
    if (differs >= 0) this.checks.fail('convergence', `nodes ${members[0]} and ${members[differs]} applied up to ${commit} but hold different key spaces`);
    return true;
  }

  /** Why the cluster has not converged, for the violation message. */
  private lagging(): string {
    const leader = this.leader();
    if (leader === undefined) return 'no leader';
    const commit = leader.rn.raft.raftLog.committed;
    return this.members(leader)
      .map((k) => `node ${k} ${this.slots[k].status}${this.slots[k].node ? ` applied ${this.slots[k].node!.applied}` : ''}`)
      .join(', ')
      .concat(`; leader ${leader.k} commit ${commit}, last index ${leader.rn.raft.raftLog.lastIndex()}, ${this.workload.pending} requests pending`);
  }

  private members(leader: SimNode): number[] {
    const cs = leader.confState;
    return [...cs.voters, ...cs.learners].map((id) => this.byId.get(id)).filter((k): k is number => k !== undefined);
  }

  private finish(): RunOutcome {
    if (this.checks.violation === undefined) {
      const history = this.workload.ops.filter((op) => op.status === 'ok' || (op.status === 'unknown' && this.appliedReqs.has(op.reqId)));
      this.linearizability = checkHistory(history);
      const f = this.linearizability.failure;
      if (f !== undefined) this.checks.fail('linearizability', `the history of key ${f.key} is not linearizable: ${describeOps(f.ops)}`);
    }
    const nodes = this.nodeStates();
    for (const s of this.slots) s?.disk?.crash();
    // Each data dir gets the backend its node's state machine stands for, as etcd's holds it (member/snap/db).
    for (const s of this.slots) if (s?.disk !== undefined && s.node !== undefined) writeMemberBackend(join(this.nodeDir(s.k), 'member', 'snap', 'db'), s.node.sm.etcd, s.node.applied);
    const v = this.checks.violation;
    return {
      ok: v === undefined,
      violation: v,
      nodes,
      finals: this.slots.filter((s) => s !== undefined && s.disk !== undefined).map((s) => this.final(s)),
      stats: this.stats.summary(this.q.now),
      network: { ...this.net.stats },
      workload: { ...this.workload.stats },
      linearizability: this.linearizability,
      committed: this.checks.maxCommitted,
      steps: this.step,
      endMs: this.q.now,
      tickMs: this.tickMs,
      ticks: Math.round(this.q.now / this.tickMs),
      events: this.stats.events,
      roles: this.stats.roles,
      schedule: this.schedule,
      rates: this.rates,
      clusterId: this.clusterId,
    };
  }

  private final(s: Slot): NodeFinal {
    const n = s.node;
    return {
      node: s.k,
      id: s.id,
      dataDir: this.nodeDir(s.k),
      status: s.status,
      persisted: s.disk!.persisted,
      durableHardState: s.disk!.durableHardState,
      applied: n?.applied ?? 0n,
      keySpace: n?.sm.keySpace() ?? [],
      revision: n?.sm.revision ?? 0n,
    };
  }

  private nodeStates(): NodeState[] {
    return this.slots
      .filter((s) => s !== undefined)
      .map((s) => {
        const base = { node: s.k, id: idHex(s.id), status: s.status };
        const n = s.node;
        if (n === undefined || s.status !== 'up') return base;
        const r = n.rn.raft;
        return {
          ...base,
          role: n.stalled ? 'stalled' : roleOf(r.state, r.isLearner),
          term: r.term,
          vote: idHex(r.vote),
          commit: r.raftLog.committed,
          applied: n.applied,
          lastIndex: r.raftLog.lastIndex(),
          snapshotIndex: n.snapIndex,
        };
      });
  }

  // ---- nodes ------------------------------------------------------------------

  private nodeDir(k: number): string {
    return join(this.dir, `node-${k}`);
  }

  private allocate(joins: boolean): number {
    const k = this.slots.length === 0 ? 1 : this.slots.length;
    const id = deriveId(this.opts.seed, `member-${k}`);
    this.slots[k] = { k, id, status: 'new', inc: 0, joins, election: new Prng(this.opts.seed, `election-${k}`) };
    this.byId.set(id, k);
    return k;
  }

  private nodeConfig(s: Slot): NodeConfig {
    const count = BigInt(this.opts.snapshotCount);
    return {
      electionTick: ELECTION_TICK,
      heartbeatTick: HEARTBEAT_TICK,
      preVote: this.opts.preVote,
      snapshotCount: count,
      // etcd keeps 5,000 entries for 100,000-entry snapshots; the simulation keeps half, so that
      // a follower a little behind still catches up from the log and one far behind gets a snapshot.
      catchUpEntries: count / 2n > 0n ? count / 2n : 1n,
      randSeed: s.election.seed32(),
      stateAt: (index) => this.stateAt(s.id, index),
    };
  }

  /** A member's state machine after entry `index`, rebuilt from the entries the cluster applied. */
  private stateAt(memberId: bigint, index: bigint): SimState {
    const st = new SimState(this.clusterId, memberId);
    for (let i = 1n; i <= index; i++) {
      const e = this.checks.entryAt(i);
      if (e === undefined) throw new Error(`entry ${i} was never applied, yet a snapshot at ${index} includes it`);
      st.replay(e);
    }
    return st;
  }

  /** First start of a member: its data dir is created, then its node. */
  private startSlot(s: Slot, make: (disk: SimDisk, cfg: NodeConfig) => SimNode): void {
    s.disk = SimDisk.create(this.nodeDir(s.k), { nodeId: s.id, clusterId: this.clusterId }, { segmentBytes: this.opts.segmentBytes });
    this.up(s, make(s.disk, this.nodeConfig(s)));
  }

  private up(s: Slot, n: SimNode): void {
    s.node = n;
    s.status = 'up';
    s.inc++;
    this.stats.role(s.k, this.q.now, roleOf(StateType.Follower, n.rn.raft.isLearner));
    // Each member ticks at its own phase within the tick, as separate machines do.
    this.q.push(this.q.now + 1 + this.choices.int(this.tickMs), { t: 'tick', k: s.k, inc: s.inc });
    this.afterStep(n);
  }

  /** After anything stepped a node: handle its Ready, then what the Ready decided. */
  private afterStep(n: SimNode): void {
    n.processReady();
    const s = this.slots[n.k];
    if (s.node !== n || s.status !== 'up') return;
    if (s.removing) this.stopRemoved(s, 'applied its own removal');
    else this.workload.serveReads(n.k, n.applied, n.sm, this.q.now);
  }

  private stepNode(n: SimNode, f: () => void): boolean {
    try {
      f();
    } catch (e) {
      if (!isBenign(e)) throw e;
      this.afterStep(n);
      return false;
    }
    this.afterStep(n);
    return true;
  }

  private crash(k: number, torn: boolean, downTicks: number | undefined): void {
    const s = this.slots[k];
    if (s.status !== 'up') return;
    s.restartAfterMs = downTicks === undefined ? undefined : downTicks * this.tickMs;
    const n = s.node!;
    if (!torn) {
      this.down(s, 'crashed');
      return;
    }
    this.stats.tornCrashes++;
    // Dies in the middle of its next write; if it writes nothing for an election timeout, it just dies.
    n.tearNextWrite = this.tears;
    const inc = s.inc;
    this.later(ELECTION_TICK * this.tickMs, () => {
      if (s.status === 'up' && s.inc === inc && n.tearNextWrite !== undefined) this.down(s, 'crashed (no write to tear)');
    });
  }

  private down(s: Slot, why: string): void {
    const n = s.node!;
    n.down = true;
    s.disk!.crash();
    s.status = 'down';
    this.stats.crashes++;
    this.stats.role(s.k, this.q.now, 'down');
    this.stats.event(this.q.now, why, s.k);
    this.workload.nodeLost(s.k);
    if (s.restartAfterMs !== undefined) {
      const inc = s.inc;
      this.later(s.restartAfterMs, () => {
        if (s.status === 'down' && s.inc === inc) this.restart(s.k);
      });
    }
  }

  private restart(k: number): void {
    const s = this.slots[k];
    if (s.status !== 'down') return;
    const disk = s.disk!;
    let rec;
    try {
      rec = disk.recover();
    } catch (e) {
      this.checks.fail('durability', `node ${k} cannot restart from its data dir: ${(e as Error).message}`);
      return;
    }
    if (rec.repaired !== undefined) {
      this.stats.tornTailsRepaired++;
      this.stats.event(this.q.now, `repaired a torn tail at ${rec.repaired.segment} byte ${rec.repaired.offset} (${rec.repaired.reason})`, k);
    }
    const snapIndex = rec.snapshot?.metadata.index ?? 0n;
    const terms = new Map<bigint, bigint>(rec.entries.map((e) => [e.index, e.term]));
    if (rec.snapshot !== undefined) terms.set(snapIndex, rec.snapshot.metadata.term);
    const termAt: TermAt = (i) => terms.get(i);
    const last = rec.entries.length > 0 ? rec.entries[rec.entries.length - 1].index : snapIndex;
    this.checks.recovered(k, rec.hardState, disk.durableHardState, snapIndex, last, termAt);
    this.stats.restarts++;
    this.stats.event(this.q.now, `restarted from its WAL (commit ${rec.hardState.commit}, last index ${last})`, k);
    const n = SimNode.restart(k, s.id, disk, this.nodeConfig(s), this, rec, this.opts.break === 'forget-vote');
    // etcd refuses to start a member that knows it was removed.
    if (n.sm.isRemoved(s.id)) {
      s.node = n;
      this.stopRemoved(s, 'restarted, found itself removed');
      return;
    }
    this.up(s, n);
  }

  private stopRemoved(s: Slot, why: string): void {
    s.node!.down = true;
    s.disk!.crash();
    s.status = 'removed';
    s.removing = false;
    this.stats.role(s.k, this.q.now, 'removed');
    this.stats.event(this.q.now, `stopped: ${why}`, s.k);
    this.workload.nodeLost(s.k);
  }

  /** The disk stops: raft still steps and ticks, but no Ready is persisted, so nothing is sent. */
  private stall(k: number, ticks: number): void {
    const s = this.slots[k];
    const n = s.node!;
    n.stalled = true;
    this.stats.role(k, this.q.now, 'stalled');
    const inc = s.inc;
    this.later(ticks * this.tickMs, () => {
      if (s.status !== 'up' || s.inc !== inc || !n.stalled) return;
      n.stalled = false;
      this.stats.role(k, this.q.now, roleOf(n.rn.raft.state, n.rn.raft.isLearner));
      this.afterStep(n);
    });
  }

  private later(afterMs: number, run: () => void): void {
    this.q.push(this.q.now + afterMs, { t: 'later', run });
  }

  /** The up node that leads the highest term, if any. */
  private leader(): SimNode | undefined {
    let best: SimNode | undefined;
    for (const s of this.slots) {
      const n = s?.node;
      if (s?.status === 'up' && n!.isLeader && (best === undefined || n!.rn.raft.term > best.rn.raft.term)) best = n;
    }
    return best;
  }

  private resolve(t: Target): number | undefined {
    const up = this.slots.filter((s) => s?.status === 'up').map((s) => s.k);
    if (typeof t === 'number') return up.includes(t) ? t : undefined;
    const leader = this.leader()?.k;
    if (t === 'leader') return leader;
    const followers = up.filter((k) => k !== leader);
    return followers.length > 0 ? this.choices.pick(followers) : undefined;
  }

  // ---- the network ------------------------------------------------------------

  send(from: SimNode, msgs: Message[]): void {
    const now = this.q.now;
    const inc = this.slots[from.k].inc;
    for (const m of msgs) {
      const to = this.byId.get(m.to);
      if (to === undefined) continue;
      const env: Envelope = { m, from: from.k, to, inc };
      if (m.type === MessageType.MsgSnap) this.stats.snapshotsSent++;
      const times = this.net.route(from.k, to, m.type, now);
      if (times.length === 0) this.lost(env);
      for (const t of times) this.q.push(t, { t: 'msg', env });
    }
  }

  /** A lost snapshot is reported to its sender, as etcd's transport does, so the leader retries; later, not inside its Ready. */
  private lost(env: Envelope): void {
    if (env.m.type === MessageType.MsgSnap) this.later(0, () => this.snapStatus(env, SnapshotStatus.Failure));
  }

  private snapStatus(env: Envelope, status: SnapshotStatus): void {
    const s = this.slots[env.from];
    if (s.status !== 'up' || s.inc !== env.inc) return;
    const n = s.node!;
    this.stepNode(n, () => n.rn.reportSnapshot(this.slots[env.to].id, status));
  }

  private deliver(batch: Envelope[]): void {
    let stepped: SimNode | undefined;
    for (const env of batch) {
      const s = this.slots[env.to];
      if (!this.net.arrive(env.from, env.to) || s.status !== 'up') {
        this.lost(env);
        continue;
      }
      const n = s.node!;
      const sender = this.slots[env.from];
      // The peer that sent this is judged by its own ID, not by m.from: etcd's
      // stream handler refuses a removed peer's connection (410 Gone, rafthttp
      // http.go streamHandler), and the peer stops when it hears so (stream.go
      // dial: errMemberRemoved).
      if (n.sm.isRemoved(sender.id)) {
        if (sender.status === 'up') this.stopRemoved(sender, `node ${env.to} refused its messages: it was removed`);
        continue;
      }
      // m.from names the message's author, which is not always the sender: raft
      // 3.5 forwards a MsgProp or MsgTransferLeader to the leader with its
      // author's From (raft.go send). EtcdServer.Process refuses a removed
      // author's message (etcdserver/server.go), and over the stream, the
      // usual path, the refusal is only logged (rafthttp peer.go): the member
      // that forwarded it stays up. (Over a pipeline POST, used while the
      // stream is down, the 403 would stop the forwarder: pipeline.go. The
      // simulation models the stream.)
      if (n.sm.isRemoved(env.m.from)) {
        const author = this.byId.get(env.m.from);
        this.stats.event(this.q.now, `refused a ${MessageType[env.m.type]} of removed node ${author} forwarded by node ${env.from}`, env.to);
        continue;
      }
      try {
        n.rn.step(env.m);
      } catch (e) {
        if (!isBenign(e)) throw e;
      }
      stepped = n;
      if (env.m.type === MessageType.MsgSnap) this.later(0, () => this.snapStatus(env, SnapshotStatus.Finish));
    }
    if (stepped !== undefined) this.afterStep(stepped);
  }

  // ---- what nodes report ------------------------------------------------------

  softState(n: SimNode, ss: SoftState): void {
    const r = n.rn.raft;
    this.stats.role(n.k, this.q.now, n.stalled ? 'stalled' : roleOf(ss.raftState, r.isLearner));
    if (ss.raftState === StateType.Leader) {
      this.stats.event(this.q.now, `elected leader of term ${r.term}`, n.k);
      this.checks.becameLeader(n.k, r.term, n.termAt, r.raftLog.lastIndex());
    }
  }

  persisted(n: SimNode, rd: Ready, p: Persisted): void {
    this.checks.persisted(n.k, rd.entries, p.prevTerm, p.leaderSince);
    if (rd.hardState !== undefined && rd.hardState.commit > p.prevCommit) this.checks.committed(n.k, p.prevCommit, rd.hardState.commit, n.termAt);
  }

  awaited(n: SimNode, reqId: bigint): string | undefined {
    return this.workload.awaited(n.k, reqId);
  }

  applied(n: SimNode, e: Entry, result: Applied | undefined): void {
    this.checks.applied(n.k, e);
    if (result === undefined) return;
    this.appliedReqs.add(result.reqId);
    this.workload.applied(n.k, result, this.q.now);
  }

  confChangeApplied(n: SimNode, cc: ConfChange, accepted: boolean): void {
    this.reconfig.applied(cc, accepted);
    if (!accepted) return;
    if (cc.type === ConfChangeType.ConfChangeRemoveNode && cc.nodeId === n.id) this.slots[n.k].removing = true;
    // A new member's process starts once its addition is committed, as an operator starts it
    // after `member add` returns; whichever proposal of the addition committed.
    const k = this.byId.get(cc.nodeId);
    if (k !== undefined && this.slots[k].joins && this.slots[k].status === 'new') {
      const s = this.slots[k];
      this.startSlot(s, (disk, cfg) => SimNode.join(k, s.id, disk, cfg, this));
    }
  }

  snapshotTaken(): void {
    this.stats.snapshotsTaken++;
  }

  readStates(n: SimNode, rs: ReadState[]): void {
    this.workload.readStates(n.k, rs);
  }

  tornCrash(n: SimNode, tear: Tear | undefined): void {
    const s = this.slots[n.k];
    const what = tear === undefined ? 'crashed mid-write at a segment cut (nothing torn)' : `crashed mid-write, leaving a torn ${tear.entryIndex !== undefined ? `entry ${tear.entryIndex}` : 'hard state'} (${tear.kind}) at ${tear.segment} byte ${tear.offset}`;
    this.down(s, what);
  }

  // ---- ports for the workload and reconfiguration -----------------------------

  private readonly clientPort: ClientPort = {
    endpoints: () => this.slots.filter((s) => s !== undefined && (s.status === 'up' || s.status === 'down')).map((s) => s.k),
    propose: (k, data) => {
      const n = this.writable(k);
      return n !== undefined && this.stepNode(n, () => n.rn.propose(data));
    },
    readIndex: (k, ctx) => {
      const n = this.writable(k);
      return n !== undefined && this.stepNode(n, () => n.rn.readIndex(ctx));
    },
  };

  /** The node a client request can go to: up, and not a learner (etcd refuses client requests there). */
  private writable(k: number): SimNode | undefined {
    const s = this.slots[k];
    return s.status === 'up' && !s.node!.rn.raft.isLearner ? s.node : undefined;
  }

  private reconfigPort(): ReconfigPort {
    return {
      leader: () => this.leader(),
      kOf: (id) => this.byId.get(id),
      idOf: (k) => this.slots[k].id,
      peerURL: (k) => peerURL(k, this.opts.peerBasePort),
      allocate: () => this.allocate(true),
      propose: (leader, cc) => this.stepNode(leader, () => leader.rn.proposeConfChange(cc)),
      pickFollower: (voters, leader) => {
        const others = voters.filter((k) => k !== leader && this.slots[k].status === 'up');
        return others.length > 0 ? this.choices.pick(others) : undefined;
      },
      log: (text) => this.stats.event(this.q.now, text),
    };
  }

  private makeFaultPort(): FaultPort {
    return {
      tickMs: this.tickMs,
      net: this.net,
      resolve: (t) => this.resolve(t),
      isDown: (k) => this.slots[k]?.status === 'down',
      crash: (k, torn, downTicks) => this.crash(k, torn, downTicks),
      restart: (k) => this.restart(k),
      reconfigure: (change) => this.reconfig.enqueue(change, this.q.now),
      transferCandidates: () => {
        const leader = this.leader();
        if (leader === undefined) return undefined;
        const voters = leader.confState.voters.map((id) => this.byId.get(id)!).filter((k) => k !== leader.k && this.slots[k].status === 'up');
        return { leader: leader.k, voters };
      },
      transfer: (from, to) => {
        const n = this.slots[from].node!;
        this.stepNode(n, () => n.rn.transferLeader(this.slots[to].id));
      },
      stall: (k, ticks) => this.stall(k, ticks),
      later: (ms, run) => this.later(ms, run),
      pick: (xs) => this.choices.pick(xs),
      fault: (kind, text, node) => {
        this.faults++;
        this.stats.fault(this.q.now, kind, text, node);
      },
      event: (text, node) => this.stats.event(this.q.now, text, node),
    };
  }
}

const keySpaceText = (kvs: KeyValue[]): string => kvs.map((kv) => `${latin1(kv.key)}=${latin1(kv.value)}@${kv.createRevision}/${kv.modRevision}/${kv.version}`).join('\n');

function describeOps(ops: Op[]): string {
  return ops
    .slice(0, 12)
    .map((op) => {
      const out = op.status === 'ok' ? ` -> ${op.output?.succeeded !== undefined ? `${op.output.succeeded} ` : ''}${op.output?.value ?? 'nil'}` : ' -> ?';
      const arg = op.kind === 'cas' ? `(${op.expect}, ${op.value})` : op.value !== undefined ? `(${op.value})` : '';
      return `#${op.id} ${op.kind}${arg}${out} [${op.invokedAt}, ${op.completedAt === Infinity ? '∞' : op.completedAt}] on node ${op.node}`;
    })
    .join('; ')
    .concat(ops.length > 12 ? `; … ${ops.length - 12} more` : '');
}
