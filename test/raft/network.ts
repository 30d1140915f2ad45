/**
 * An in-memory cluster for raft tests: every node is a RawNode over its own
 * MemoryStorage and a toy state machine (the list of applied payloads), and
 * messages travel through a queue the test controls (deliver, drop, cut links,
 * isolate nodes). Ready handling follows etcd's contract: persist, then send,
 * then apply, then advance. Safety invariants are checked as the cluster runs.
 */
import assert from 'node:assert/strict';
import {
  ConfChangeType,
  EntryType,
  MessageType,
  decodeConfChange,
  decodeConfChangeV2,
  type ConfChangeV2,
  type ConfState,
  type Entry,
  type Message,
} from '../../src/codec/proto/raftpb.js';
import {
  MemoryStorage,
  RaftError,
  RawNode,
  SnapshotStatus,
  StateType,
  seededRand,
  type Config,
  type ReadState,
} from '../../src/raft/index.js';

const enc = new TextEncoder();
const dec = new TextDecoder();
export const bytes = (s: string): Uint8Array => enc.encode(s);
export const str = (b: Uint8Array | undefined): string => (b === undefined ? '' : dec.decode(b));

export type NodeConfig = Partial<Omit<Config, 'id' | 'storage'>>;

/** Errors a transport sees in normal operation: a proposal refused, or a response from a removed peer. */
const isBenignStepError = (e: unknown): boolean =>
  e instanceof RaftError && (e.code === 'PROPOSAL_DROPPED' || e.code === 'STEP_PEER_NOT_FOUND');

export class TestNode {
  rn: RawNode;
  /** The state machine: payloads of applied normal entries, in order. */
  state: string[] = [];
  appliedIndex: bigint;
  confState: ConfState;
  readStates: ReadState[] = [];

  constructor(
    readonly id: bigint,
    readonly storage: MemoryStorage,
    private readonly cfg: NodeConfig,
  ) {
    const snap = storage.snapshot();
    this.appliedIndex = snap.metadata.index;
    this.confState = snap.metadata.confState;
    this.rn = this.newRawNode();
  }

  private newRawNode(): RawNode {
    return new RawNode({
      electionTick: 10,
      heartbeatTick: 1,
      rand: seededRand(Number(this.id & 0xffffn) * 7919 + 1),
      ...this.cfg,
      id: this.id,
      storage: this.storage,
      applied: this.appliedIndex,
    });
  }

  /**
   * Simulates a crash and restart: everything not in storage is lost; the
   * state machine is rebuilt from the storage snapshot and the committed
   * entries after it are applied again.
   */
  restart(): void {
    const snap = this.storage.snapshot();
    this.state = decodeState(snap.data);
    this.appliedIndex = snap.metadata.index;
    this.confState = snap.metadata.confState;
    this.rn = this.newRawNode();
  }

  /** Snapshots the state machine at the applied index and drops the log up to `keep` entries before it. */
  compact(keep = 0n): void {
    if (this.appliedIndex > this.storage.snapshot().metadata.index) {
      this.storage.createSnapshot(this.appliedIndex, this.confState, encodeState(this.state));
    }
    const at = this.appliedIndex - keep;
    if (at >= this.storage.firstIndex()) this.storage.compact(at);
  }

  get raft() {
    return this.rn.raft;
  }
}

const encodeState = (s: string[]): Uint8Array => bytes(JSON.stringify(s));
const decodeState = (b: Uint8Array | undefined): string[] => (b === undefined || b.length === 0 ? [] : JSON.parse(str(b)));

export interface NetworkOptions {
  /** Voters at start; defaults to every id that is not a learner. */
  voters?: bigint[];
  learners?: bigint[];
  /** Config for every node, or per node. */
  config?: NodeConfig | ((id: bigint) => NodeConfig);
}

export class Network {
  readonly nodes = new Map<bigint, TestNode>();
  /** Messages in flight, oldest first. */
  queue: Message[] = [];
  private readonly cuts = new Set<string>();
  private readonly isolated = new Set<bigint>();
  /** Extra drop rule, e.g. to lose one particular message. */
  dropIf: ((m: Message) => boolean) | undefined;
  /** Applied to every message sent, e.g. to pass it through the wire encoding. */
  wire: ((m: Message) => Message) | undefined;
  /** Index → the entry applied there: no two nodes may ever apply different entries at one index. */
  readonly appliedByIndex = new Map<bigint, Entry>();
  /** Term → the leader seen in it: at most one per term. */
  readonly leaderOfTerm = new Map<bigint, bigint>();
  private readonly cfgFor: (id: bigint) => NodeConfig;

  /**
   * A cluster whose storages start from a snapshot at index 1, term 1 holding
   * the initial membership (how etcd's tests set up peers).
   */
  constructor(ids: bigint[], opts: NetworkOptions = {}) {
    const voters = opts.voters ?? ids.filter((id) => !(opts.learners ?? []).includes(id));
    const learners = opts.learners ?? [];
    const c = opts.config ?? {};
    this.cfgFor = typeof c === 'function' ? c : () => c;
    for (const id of ids) {
      const storage = new MemoryStorage();
      storage.applySnapshot({
        data: undefined,
        metadata: { index: 1n, term: 1n, confState: { voters, learners, votersOutgoing: [], learnersNext: [], autoLeave: false } },
      });
      storage.setHardState({ term: 1n, vote: 0n, commit: 1n });
      this.nodes.set(id, new TestNode(id, storage, this.cfgFor(id)));
    }
  }

  /** Adds a node with empty storage, as a new member joining through a conf change. */
  addNode(id: bigint): TestNode {
    const n = new TestNode(id, new MemoryStorage(), this.cfgFor(id));
    this.nodes.set(id, n);
    return n;
  }

  node(id: bigint): TestNode {
    const n = this.nodes.get(id);
    assert.ok(n, `no node ${id}`);
    return n;
  }

  // ---- failures ----------------------------------------------------------------

  /** Cuts both directions between a and b; messages in flight between them are lost. */
  cut(a: bigint, b: bigint): void {
    this.cuts.add(`${a}>${b}`);
    this.cuts.add(`${b}>${a}`);
    this.dropBlocked();
  }

  /** Cuts every link of id. */
  isolate(id: bigint): void {
    this.isolated.add(id);
    this.dropBlocked();
  }

  /** Undoes isolate(id). */
  recover(id: bigint): void {
    this.isolated.delete(id);
  }

  heal(): void {
    this.cuts.clear();
    this.isolated.clear();
    this.dropIf = undefined;
  }

  blocked(m: Message): boolean {
    return (
      this.isolated.has(m.from) ||
      this.isolated.has(m.to) ||
      this.cuts.has(`${m.from}>${m.to}`) ||
      !this.nodes.has(m.to) ||
      (this.dropIf !== undefined && this.dropIf(m))
    );
  }

  private dropBlocked(): void {
    const keep: Message[] = [];
    for (const m of this.queue) {
      if (this.blocked(m)) this.lost(m);
      else keep.push(m);
    }
    this.queue = keep;
  }

  /** A lost snapshot is reported to its sender, as a transport would, so the leader retries. */
  private lost(m: Message): void {
    if (m.type !== MessageType.MsgSnap) return;
    const sender = this.nodes.get(m.from);
    if (sender === undefined) return;
    sender.rn.reportSnapshot(m.to, SnapshotStatus.Failure);
    this.processReady(sender);
  }

  // ---- driving -------------------------------------------------------------------

  send(msgs: readonly Message[]): void {
    for (const sent of msgs) {
      const m = this.wire === undefined ? sent : this.wire(sent);
      if (this.blocked(m)) this.lost(m);
      else this.queue.push(m);
    }
  }

  /** Removes and returns the queued messages matching pred, to deliver (or not) by hand. */
  take(pred: (m: Message) => boolean): Message[] {
    const taken = this.queue.filter(pred);
    this.queue = this.queue.filter((m) => !pred(m));
    return taken;
  }

  /** Crashes and restarts node id from its storage; messages in flight to it are kept. */
  restart(id: bigint): void {
    const n = this.node(id);
    n.restart();
    this.processReady(n);
  }

  /** Delivers queue[i] (re-checking the links, which may have changed since it was sent). */
  deliverAt(i: number): void {
    const [m] = this.queue.splice(i, 1);
    this.deliver(m);
  }

  /** Loses queue[i] in the network. */
  dropAt(i: number): void {
    const [m] = this.queue.splice(i, 1);
    this.lost(m);
  }

  deliver(m: Message): void {
    if (this.blocked(m)) {
      this.lost(m);
      return;
    }
    const n = this.node(m.to);
    this.stepNode(n, () => n.rn.step(m));
    if (m.type === MessageType.MsgSnap) {
      const sender = this.nodes.get(m.from);
      if (sender !== undefined) {
        sender.rn.reportSnapshot(m.to, SnapshotStatus.Finish);
        this.processReady(sender);
      }
    }
  }

  /** Runs f on n (swallowing the errors a transport expects), then handles n's Ready. */
  stepNode(n: TestNode, f: () => void): void {
    try {
      f();
    } catch (e) {
      if (!isBenignStepError(e)) throw e;
    }
    this.processReady(n);
  }

  /** Processes the Ready of every node, then delivers messages in FIFO order until none are left. */
  stabilize(maxMessages = 100_000): void {
    for (const n of this.nodes.values()) this.processReady(n);
    let delivered = 0;
    while (this.queue.length > 0) {
      assert.ok(delivered++ < maxMessages, 'cluster did not stabilize');
      this.deliverAt(0);
    }
  }

  tick(id: bigint, times = 1): void {
    const n = this.node(id);
    for (let i = 0; i < times; i++) this.stepNode(n, () => n.rn.tick());
  }

  tickAll(times = 1): void {
    for (let i = 0; i < times; i++) for (const n of this.nodes.values()) this.stepNode(n, () => n.rn.tick());
  }

  campaign(id: bigint): void {
    const n = this.node(id);
    this.stepNode(n, () => n.rn.campaign());
  }

  /** Proposes on node id; false if the proposal was dropped right away. */
  propose(id: bigint, data: string): boolean {
    const n = this.node(id);
    try {
      n.rn.propose(bytes(data));
    } catch (e) {
      if (!isBenignStepError(e)) throw e;
      this.processReady(n);
      return false;
    }
    this.processReady(n);
    return true;
  }

  proposeConfChange(id: bigint, cc: ConfChangeV2): void {
    const n = this.node(id);
    this.stepNode(n, () => n.rn.proposeConfChange(cc));
  }

  /** The highest-term node that believes it leads, if any. */
  leader(): TestNode | undefined {
    let best: TestNode | undefined;
    for (const n of this.nodes.values()) {
      if (n.raft.state === StateType.Leader && (best === undefined || n.raft.term > best.raft.term)) best = n;
    }
    return best;
  }

  /**
   * Handles a node's Ready the way etcd's contract demands: persist snapshot,
   * entries and hard state; send; apply (conf changes included); advance.
   */
  processReady(n: TestNode): void {
    while (n.rn.hasReady()) {
      const rd = n.rn.ready();
      if (rd.snapshot !== undefined) n.storage.applySnapshot(rd.snapshot);
      n.storage.append(rd.entries);
      if (rd.hardState !== undefined) n.storage.setHardState(rd.hardState);
      this.send(rd.messages);
      if (rd.snapshot !== undefined) {
        n.state = decodeState(rd.snapshot.data);
        n.appliedIndex = rd.snapshot.metadata.index;
        n.confState = rd.snapshot.metadata.confState;
      }
      for (const e of rd.committedEntries) this.apply(n, e);
      n.readStates.push(...rd.readStates);
      n.rn.advance(rd);
      this.checkElectionSafety(n);
    }
  }

  private apply(n: TestNode, e: Entry): void {
    const prev = this.appliedByIndex.get(e.index);
    if (prev === undefined) this.appliedByIndex.set(e.index, e);
    else assert.ok(sameEntry(prev, e), `node ${n.id} applied ${describe(e)} where another node applied ${describe(prev)}`);
    assert.equal(e.index, n.appliedIndex + 1n, `node ${n.id} applied index ${e.index} after ${n.appliedIndex}`);
    n.appliedIndex = e.index;
    if (e.type === EntryType.EntryNormal) {
      if (e.data !== undefined && e.data.length > 0) n.state.push(str(e.data));
    } else if (e.type === EntryType.EntryConfChange) {
      n.confState = n.rn.applyConfChange(decodeConfChange(e.data ?? new Uint8Array(0)));
    } else {
      n.confState = n.rn.applyConfChange(decodeConfChangeV2(e.data ?? new Uint8Array(0)));
    }
  }

  private checkElectionSafety(n: TestNode): void {
    if (n.raft.state !== StateType.Leader) return;
    const prev = this.leaderOfTerm.get(n.raft.term);
    if (prev === undefined) this.leaderOfTerm.set(n.raft.term, n.id);
    else assert.equal(prev, n.id, `two leaders in term ${n.raft.term}: ${prev} and ${n.id}`);
  }

  /**
   * Log matching (Raft §5.3): if two logs hold an entry with the same index and
   * term, they are identical up to it. Checked over the range both still hold.
   */
  checkLogMatching(): void {
    const ns = [...this.nodes.values()];
    for (let a = 0; a < ns.length; a++) {
      for (let b = a + 1; b < ns.length; b++) {
        const la = ns[a].raft.raftLog;
        const lb = ns[b].raft.raftLog;
        const lo = la.firstIndex() > lb.firstIndex() ? la.firstIndex() : lb.firstIndex();
        let hi = la.lastIndex() < lb.lastIndex() ? la.lastIndex() : lb.lastIndex();
        while (hi >= lo && la.term(hi) !== lb.term(hi)) hi--;
        if (hi < lo) continue;
        const ea = la.slice(lo, hi + 1n, Infinity);
        const eb = lb.slice(lo, hi + 1n, Infinity);
        for (let i = 0; i < ea.length; i++) {
          assert.ok(sameEntry(ea[i], eb[i]), `logs of ${ns[a].id} and ${ns[b].id} match at ${hi} but differ at ${ea[i].index}`);
        }
      }
    }
  }

  /** Every node's state machine is a prefix of the longest one: committed entries never change. */
  checkStateMachineSafety(): void {
    let longest: string[] = [];
    for (const n of this.nodes.values()) if (n.state.length > longest.length) longest = n.state;
    for (const n of this.nodes.values()) {
      for (let i = 0; i < n.state.length; i++) assert.equal(n.state[i], longest[i], `node ${n.id} state diverges at ${i}`);
    }
  }
}

export function sameEntry(a: Entry, b: Entry): boolean {
  if (a === b) return true;
  if (a.index !== b.index || a.term !== b.term || a.type !== b.type) return false;
  const da = a.data ?? new Uint8Array(0);
  const db = b.data ?? new Uint8Array(0);
  return da.length === db.length && da.every((v, i) => v === db[i]);
}

const describe = (e: Entry): string => `${e.term}/${e.index} ${EntryType[e.type]} ${JSON.stringify(str(e.data))}`;

/** A ConfChangeV2 from a compact spec like "v4 v5 r1" (etcd ConfChangesFromString). */
export function confChange(spec: string, transition = 0): ConfChangeV2 {
  const types: Record<string, ConfChangeType> = {
    v: ConfChangeType.ConfChangeAddNode,
    l: ConfChangeType.ConfChangeAddLearnerNode,
    r: ConfChangeType.ConfChangeRemoveNode,
    u: ConfChangeType.ConfChangeUpdateNode,
  };
  const changes = spec
    .split(' ')
    .filter((t) => t !== '')
    .map((t) => ({ type: types[t[0]], nodeId: BigInt(t.slice(1)) }));
  return { transition, changes };
}
