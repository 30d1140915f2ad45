/**
 * A port of etcd's rafttest.InteractionEnv (rafttest/interaction_env*.go):
 * raft nodes over memory storage, messages held in one in-flight list, and
 * every Ready, delivered message and log line written to one output that
 * etcd's test files hold byte for byte. Node i (from 0) has ID i+1.
 */
import { EntryType, decodeConfChange, decodeConfChangeV2, emptyConfState, type ConfState, type Message, type Snapshot } from '../../../src/codec/proto/raftpb.js';
import { StateType, type Config } from '../../../src/raft/raft.js';
import { RawNode } from '../../../src/raft/rawnode.js';
import { MemoryStorage, emptySnapshot } from '../../../src/raft/storage.js';
import { RaftError } from '../../../src/raft/util.js';
import { describeEntries, describeMessage, describeProgressMap, describeReady } from './describe.js';
import { RedirectLogger } from './logger.js';

/**
 * Memory storage whose snapshot is the newest state the node's "appender"
 * state machine recorded (snapOverrideStorage), not the one it was given.
 */
class HistoryStorage extends MemoryStorage {
  constructor(private readonly newest: () => Snapshot) {
    super();
  }

  override snapshot(): Snapshot {
    return this.newest();
  }
}

/** An error etcd's harness returns (not raft's); printed as the directive's output. */
export class HarnessError extends Error {}

export interface Node {
  rawNode: RawNode;
  storage: HistoryStorage;
  config: Config;
  /** The state machine's states: each the previous one's data with the applied entry's appended. */
  history: Snapshot[];
}

export interface Recipient {
  id: bigint;
  drop?: boolean;
}

export class InteractionEnv {
  nodes: Node[] = [];
  /** In-flight messages, in the order they were sent. */
  messages: Message[] = [];
  readonly output = new RedirectLogger();

  constructor(private readonly onConfig?: (c: Config) => void) {}

  write(s: string): void {
    this.output.out += s;
  }

  /** Runs f with its output indented by two spaces, line by line. */
  withIndent(f: () => void): void {
    const outer = this.output.out;
    this.output.out = '';
    try {
      f();
    } finally {
      const inner = this.output.out;
      this.output.out = outer;
      for (const line of inner.split('\n').filter((l, i, all) => i < all.length - 1 || l !== '')) this.write(`  ${line}\n`);
    }
  }

  /**
   * Adds n nodes with consecutive IDs. A non-empty snapshot (index > 1) is
   * applied to each one's storage at term 1 first, bootstrapping its
   * configuration; an empty one leaves the node to learn it from a leader.
   */
  addNodes(n: number, snap: Snapshot): void {
    const cs = snap.metadata.confState;
    const bootstrap = snap.metadata.index !== 0n || snap.data !== undefined || cs.voters.length > 0 || cs.learners.length > 0;
    for (let i = 0; i < n; i++) {
      const id = BigInt(this.nodes.length + 1);
      const idx = this.nodes.length;
      const storage = new HistoryStorage(() => this.nodes[idx].history[this.nodes[idx].history.length - 1]);
      if (bootstrap) {
        if (snap.metadata.index <= 1n) throw new HarnessError('index must be specified as > 1 due to bootstrap');
        snap.metadata.term = 1n;
        storage.applySnapshot(snap);
        const fi = storage.firstIndex();
        if (fi !== snap.metadata.index + 1n) throw new HarnessError(`failed to establish first index ${snap.metadata.index + 1n}; got ${fi}`);
      }
      // Test defaults: no limits.
      const config: Config = {
        id,
        applied: snap.metadata.index,
        electionTick: 3,
        heartbeatTick: 1,
        storage,
        maxSizePerMsg: Infinity,
        maxInflightMsgs: 2 ** 31 - 1,
      };
      this.onConfig?.(config);
      if (config.id !== id) throw new HarnessError('OnConfig must not change the ID');
      if (config.logger !== undefined) throw new HarnessError('OnConfig must not set Logger');
      config.logger = this.output;
      this.nodes.push({ rawNode: new RawNode(config), storage, config, history: [snap] });
    }
  }

  /** Persists, applies and sends one Ready of node idx, printing it. */
  processReady(idx: number): void {
    const node = this.nodes[idx];
    const rn = node.rawNode;
    const s = node.storage;
    const rd = rn.ready();
    this.write(describeReady(rd));
    if (rd.hardState !== undefined) s.setHardState(rd.hardState);
    s.append(rd.entries);
    if (rd.snapshot !== undefined && rd.snapshot.metadata.index !== 0n) s.applySnapshot(rd.snapshot);
    for (const ent of rd.committedEntries) {
      let update: Uint8Array | undefined;
      let cs: ConfState | undefined;
      const data = ent.data ?? new Uint8Array(0);
      if (ent.type === EntryType.EntryConfChange) {
        const cc = decodeConfChange(data);
        update = cc.context;
        cs = rn.applyConfChange(cc);
      } else if (ent.type === EntryType.EntryConfChangeV2) {
        const cc = decodeConfChangeV2(data);
        cs = rn.applyConfChange(cc);
        update = cc.context;
      } else {
        update = ent.data;
      }
      // The "appender" state machine: its state is every applied payload, concatenated.
      const last = node.history[node.history.length - 1];
      node.history.push({
        data: concat(last.data, update),
        metadata: { index: ent.index, term: ent.term, confState: cs ?? last.metadata.confState },
      });
    }
    this.messages.push(...rd.messages);
    rn.advance(rd);
  }

  /**
   * Delivers (or drops) the in-flight messages to each recipient, in order,
   * printing each; returns how many were handled.
   */
  deliverMsgs(...rs: Recipient[]): number {
    let n = 0;
    for (const r of rs) {
      const msgs = this.messages.filter((m) => m.to === r.id);
      this.messages = this.messages.filter((m) => m.to !== r.id);
      n += msgs.length;
      for (const m of msgs) {
        this.write(`${r.drop ? 'dropped: ' : ''}${describeMessage(m)}\n`);
        if (r.drop) continue;
        try {
          this.nodes[Number(m.to - 1n)].rawNode.step({ ...m });
        } catch (e) {
          this.write(`${raftErrorMessage(e)}\n`);
        }
      }
    }
    return n;
  }

  /**
   * Handles Readies and delivers messages among the given nodes (all, if
   * none) until none of them has anything left to do.
   */
  stabilize(...idxs: number[]): void {
    const nodes = idxs.length === 0 ? this.nodes : idxs.map((i) => this.nodes[i]);
    for (;;) {
      let done = true;
      for (const node of nodes) {
        if (!node.rawNode.hasReady()) continue;
        done = false;
        const idx = Number(node.config.id - 1n);
        this.write(`> ${idx + 1} handling Ready\n`);
        this.withIndent(() => this.processReady(idx));
      }
      for (const node of nodes) {
        const id = node.config.id;
        if (!this.messages.some((m) => m.to === id)) continue;
        done = false;
        this.write(`> ${id} receiving messages\n`);
        this.withIndent(() => this.deliverMsgs({ id }));
      }
      if (done) return;
    }
  }

  /** Prints the stored log of node idx. */
  raftLog(idx: number): void {
    const s = this.nodes[idx].storage;
    const fi = s.firstIndex();
    const li = s.lastIndex();
    if (li < fi) {
      this.write(`log is empty: first index=${fi}, last index=${li}`);
      return;
    }
    this.write(describeEntries(s.entries(fi, li + 1n, Infinity)));
  }

  /** Prints the progress of every member, which only a leader tracks. */
  status(idx: number): void {
    const r = this.nodes[idx].rawNode.raft;
    if (r.state === StateType.Leader) this.write(describeProgressMap(r.prs.progress));
  }

  /** Compacts node idx's stored log up to newFirstIndex and prints what is left. */
  compact(idx: number, newFirstIndex: bigint): void {
    this.nodes[idx].storage.compact(newFirstIndex);
    this.raftLog(idx);
  }
}

/** A snapshot for add-nodes: empty unless voters, learners, index or content are given. */
export function bootstrapSnapshot(voters: bigint[], learners: bigint[], index: bigint, content: Uint8Array | undefined): Snapshot {
  const snap = emptySnapshot();
  snap.metadata.confState = { ...emptyConfState(), voters, learners };
  snap.metadata.index = index;
  snap.data = content;
  return snap;
}

/**
 * The message of an error raft returns in etcd (Go's err.Error()); anything
 * else, an invariant broken (a panic in etcd) above all, is rethrown.
 */
export function raftErrorMessage(e: unknown): string {
  if (e instanceof RaftError && e.code !== 'INVARIANT') return e.message;
  throw e;
}

function concat(a: Uint8Array | undefined, b: Uint8Array | undefined): Uint8Array | undefined {
  if (a === undefined || a.length === 0) return b === undefined || b.length === 0 ? a : b.slice();
  if (b === undefined || b.length === 0) return a;
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}
