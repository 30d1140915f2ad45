/**
 * Runs a schedule (schedule.ts) on walt's raft, as the Go program
 * (test/oracle/raft-lockstep/main.go) runs it on etcd's, and returns the same
 * JSON lines:
 *
 *   {"s":STEP,"n":NODE,"ss":[lead,state],"hs":[term,vote,commit],"rs":[[index,ctx]],
 *    "ents":[ENTRY],"snap":SNAP,"ce":[ENTRY],"msgs":[MSG],"sync":0|1}   one per Ready
 *   {"s":STEP,"n":NODE,"apply":INDEX,"cs":CONFSTATE}    a conf change applied
 *   {"s":STEP,"n":NODE,"apply":INDEX,"refused":1}       raft refused to apply one
 *   {"s":STEP,"n":NODE,"err":"..."}                     an error from Step/Propose
 *   {"s":STEP,"panic":"..."}                            the run stopped (a broken invariant)
 *   {"s":STEP,"n":NODE,"st":[term,vote,commit,lead,state,applied,leadTransferee],
 *    "cfg":[incoming,outgoing,learners,learnersNext],
 *    "prs":[[id,match,next,state,pendingSnapshot,recentActive,probeSent,isLearner,inflight]]}
 *                                                       every node's status, every 25 steps and at the end
 *
 * ENTRY is [term,index,type,dataHex]; SNAP [index,term,CONFSTATE,dataHex];
 * CONFSTATE [voters,learners,votersOutgoing,learnersNext,autoLeave];
 * MSG [type,to,from,term,logTerm,index,commit,reject,rejectHint,[ENTRY],SNAP|null,contextHex].
 * Fields of a Ready that are empty are left out, as etcd leaves them empty.
 *
 * The application does what etcd's does with a Ready, in its order: apply the
 * snapshot to storage, save the hard state, append the entries, queue the
 * messages, apply the committed entries (conf changes through
 * applyConfChange), advance. After every operation each node with a Ready,
 * in id order, handles one, until none has (a stalled node waits).
 */
import {
  EntryType,
  MessageType,
  decodeConfChange,
  decodeConfChangeV2,
  decodeRaftMessage,
  encodeRaftMessage,
  type ConfChange,
  type ConfChangeSingle,
  type ConfChangeV2,
  type ConfState,
  type Entry,
  type Message,
  type Snapshot,
} from '../../../src/codec/proto/raftpb.js';
import { ErrConfChange } from '../../../src/raft/confchange/confchange.js';
import { RawNode, SnapshotStatus, type Ready } from '../../../src/raft/rawnode.js';
import { ReadOnlyOption } from '../../../src/raft/read_only.js';
import { MemoryStorage, isEmptySnap } from '../../../src/raft/storage.js';
import { RaftError, sortBigints } from '../../../src/raft/util.js';
import { electionRand } from './election-rand.js';
import { Op, type Schedule } from './schedule.js';

interface Node {
  id: bigint;
  rn: RawNode;
  storage: MemoryStorage;
  applied: bigint;
  cs: ConfState;
}

const enc = new TextEncoder();
const hex = (d: Uint8Array | undefined): string => `"${d === undefined ? '' : Buffer.from(d.buffer, d.byteOffset, d.byteLength).toString('hex')}"`;
const ids = (v: readonly bigint[]): string => `[${v.join(',')}]`;
const bit = (v: boolean): string => (v ? '1' : '0');
const confState = (cs: ConfState): string =>
  `[${ids(cs.voters)},${ids(cs.learners)},${ids(cs.votersOutgoing)},${ids(cs.learnersNext)},${bit(cs.autoLeave)}]`;
const entries = (es: readonly Entry[]): string => `[${es.map((e) => `[${e.term},${e.index},${e.type},${hex(e.data)}]`).join(',')}]`;
const snapshot = (s: Snapshot): string => `[${s.metadata.index},${s.metadata.term},${confState(s.metadata.confState)},${hex(s.data)}]`;
const message = (m: Message): string =>
  `[${m.type},${m.to},${m.from},${m.term},${m.logTerm},${m.index},${m.commit},${bit(m.reject)},${m.rejectHint},` +
  `${entries(m.entries)},${isEmptySnap(m.snapshot) ? 'null' : snapshot(m.snapshot!)},${hex(m.context)}]`;

/** Every node's status is printed after every STATUS_EVERY steps and at the end. */
const STATUS_EVERY = 25;

/** m as its receiver gets it: encoded and decoded, sharing nothing with the sender or another copy in flight. */
const wire = (m: Message): Message => decodeRaftMessage(encodeRaftMessage(m));

/** Errors etcd's RawNode returns rather than panics on; their messages are etcd's. */
const isReturnedError = (e: unknown): e is RaftError =>
  e instanceof RaftError && (e.code === 'PROPOSAL_DROPPED' || e.code === 'STEP_PEER_NOT_FOUND' || e.code === 'STEP_LOCAL_MSG');

export class Driver {
  readonly lines: string[] = [];
  private readonly nodes = new Map<bigint, Node>();
  private readonly order: bigint[];
  private net: Message[] = [];
  private step = 0;
  private readonly rand: () => number;
  /** Nodes whose Readies wait (Op.Stall): handled again from this step on. */
  private readonly stalledUntil = new Map<bigint, number>();

  constructor(private readonly s: Schedule) {
    this.order = s.ids.map(BigInt);
    this.rand = electionRand(BigInt(s.rand), s.cfg.electionTick);
  }

  /** Runs the whole schedule; a broken invariant ends it with a panic line, as a Go panic does. */
  run(): string[] {
    try {
      this.bootstrap();
      for (let i = 0; i < this.s.ops.length; i++) {
        this.step = i;
        this.exec(this.s.ops[i]);
        this.settle();
        if (i % STATUS_EVERY === STATUS_EVERY - 1 || i === this.s.ops.length - 1) this.printStatus();
      }
    } catch (e) {
      this.lines.push(`{"s":${this.step},"panic":${JSON.stringify(e instanceof Error ? e.message : String(e))}}`);
    }
    return this.lines;
  }

  private bootstrap(): void {
    const cs: ConfState = {
      voters: this.s.voters.map(BigInt),
      learners: this.s.learners.map(BigInt),
      votersOutgoing: [],
      learnersNext: [],
      autoLeave: false,
    };
    const members = new Set([...this.s.voters, ...this.s.learners].map(BigInt));
    for (const id of this.order) {
      const n: Node = { id, rn: undefined!, storage: new MemoryStorage(), applied: 0n, cs: { ...cs, voters: [], learners: [] } };
      if (members.has(id)) {
        // As etcd's interaction tests bootstrap: a snapshot at index 1 holding the configuration.
        n.storage.applySnapshot({ data: undefined, metadata: { index: 1n, term: 1n, confState: cs } });
        n.applied = 1n;
        n.cs = cs;
      }
      this.nodes.set(id, n);
      this.start(n);
    }
  }

  private start(n: Node): void {
    const c = this.s.cfg;
    n.rn = new RawNode({
      id: n.id,
      electionTick: c.electionTick,
      heartbeatTick: c.heartbeatTick,
      storage: n.storage,
      applied: n.applied,
      maxSizePerMsg: c.maxSizePerMsg < 0 ? Infinity : c.maxSizePerMsg,
      maxInflightMsgs: c.maxInflight,
      maxUncommittedEntriesSize: c.maxUncommitted,
      checkQuorum: c.checkQuorum,
      preVote: c.preVote,
      readOnlyOption: c.leaseBased ? ReadOnlyOption.LeaseBased : ReadOnlyOption.Safe,
      rand: this.rand,
      etcdVersion: '3.4',
    });
  }

  private line(n: bigint, fields: string[]): void {
    this.lines.push(`{"s":${this.step},"n":${n}${fields.map((f) => `,${f}`).join('')}}`);
  }

  /** What status() shows of each node: state the Readies may not have shown yet (the configuration, a leader's view of its followers). */
  private printStatus(): void {
    const sorted = (s: Set<bigint>): bigint[] => sortBigints([...s]);
    for (const id of this.order) {
      const st = this.nodes.get(id)!.rn.status();
      const c = st.config;
      // Not autoLeave: etcd's Status loses it (tracker.Config.Clone drops it in 3.4 and 3.5); the applied ConfStates print it.
      const cfg = `[${ids(sorted(c.voters.incoming))},${ids(sorted(c.voters.outgoing))},${ids(sorted(c.learners))},${ids(sorted(c.learnersNext))}]`;
      const prs: string[] = [];
      for (const pid of this.order) {
        const pr = st.progress.get(pid);
        if (pr === undefined) continue;
        prs.push(
          `[${pid},${pr.match},${pr.next},${pr.state},${pr.pendingSnapshot},${bit(pr.recentActive)},${bit(pr.probeSent)},${bit(pr.isLearner)},${pr.inflightMsgs}]`,
        );
      }
      const { hardState: hs, softState: ss } = st;
      this.line(id, [
        `"st":[${hs.term},${hs.vote},${hs.commit},${ss.lead},${ss.raftState},${st.applied},${st.leadTransferee}]`,
        `"cfg":${cfg}`,
        `"prs":[${prs.join(',')}]`,
      ]);
    }
  }

  private printReady(n: Node, rd: Ready): void {
    const f: string[] = [];
    if (rd.softState !== undefined) f.push(`"ss":[${rd.softState.lead},${rd.softState.raftState}]`);
    if (rd.hardState !== undefined) f.push(`"hs":[${rd.hardState.term},${rd.hardState.vote},${rd.hardState.commit}]`);
    if (rd.readStates.length > 0) f.push(`"rs":[${rd.readStates.map((rs) => `[${rs.index},${hex(rs.requestCtx)}]`).join(',')}]`);
    if (rd.entries.length > 0) f.push(`"ents":${entries(rd.entries)}`);
    if (!isEmptySnap(rd.snapshot)) f.push(`"snap":${snapshot(rd.snapshot!)}`);
    if (rd.committedEntries.length > 0) f.push(`"ce":${entries(rd.committedEntries)}`);
    if (rd.messages.length > 0) f.push(`"msgs":[${rd.messages.map(message).join(',')}]`);
    f.push(`"sync":${bit(rd.mustSync)}`);
    this.line(n.id, f);
  }

  private handleReady(n: Node): void {
    const rd = n.rn.ready();
    this.printReady(n, rd);
    if (!isEmptySnap(rd.snapshot)) {
      n.storage.applySnapshot(rd.snapshot!);
      n.applied = rd.snapshot!.metadata.index;
      n.cs = rd.snapshot!.metadata.confState;
    }
    if (rd.hardState !== undefined) n.storage.setHardState(rd.hardState);
    n.storage.append(rd.entries);
    for (const m of rd.messages) this.net.push(wire(m));
    for (const e of rd.committedEntries) {
      n.applied = e.index;
      const data = e.data ?? new Uint8Array(0);
      if (e.type === EntryType.EntryConfChange) this.applyConfChange(n, e.index, decodeConfChange(data));
      else if (e.type === EntryType.EntryConfChangeV2) this.applyConfChange(n, e.index, decodeConfChangeV2(data));
    }
    n.rn.advance(rd);
  }

  private applyConfChange(n: Node, index: bigint, cc: ConfChange | ConfChangeV2): void {
    try {
      n.cs = n.rn.applyConfChange(cc);
    } catch (e) {
      if (!(e instanceof ErrConfChange)) throw e;
      this.line(n.id, [`"apply":${index}`, `"refused":1`]);
      return;
    }
    this.line(n.id, [`"apply":${index}`, `"cs":${confState(n.cs)}`]);
  }

  private settle(): void {
    for (let busy = true; busy; ) {
      busy = false;
      for (const id of this.order) {
        const n = this.nodes.get(id)!;
        if (this.step < (this.stalledUntil.get(id) ?? 0)) continue;
        if (n.rn.hasReady()) {
          this.handleReady(n);
          busy = true;
        }
      }
    }
  }

  /** Runs an operation that etcd answers with an error, printing the error as the Go side does. */
  private attempt(n: bigint, f: () => void): void {
    try {
      f();
    } catch (e) {
      if (!isReturnedError(e)) throw e;
      this.line(n, [`"err":${JSON.stringify(e.message)}`]);
    }
  }

  private deliver(k: number): void {
    const [m] = this.net.splice(k, 1);
    this.attempt(m.to, () => this.nodes.get(m.to)!.rn.step(m));
    if (m.type === MessageType.MsgSnap) this.nodes.get(m.from)!.rn.reportSnapshot(m.to, SnapshotStatus.Finish);
  }

  private exec(op: number[]): void {
    const id = BigInt(op[1] ?? 0);
    const nd = (): Node => this.nodes.get(id)!;
    switch (op[0] as Op) {
      case Op.Tick:
        nd().rn.tick();
        return;
      case Op.TickAll:
        for (const i of this.order) this.nodes.get(i)!.rn.tick();
        return;
      case Op.Campaign:
        this.attempt(id, () => nd().rn.campaign());
        return;
      case Op.Propose:
        this.attempt(id, () => nd().rn.propose(enc.encode(`p${this.step}`)));
        return;
      case Op.ConfChange:
        this.attempt(id, () => nd().rn.proposeConfChange({ id: 0n, type: op[2], nodeId: BigInt(op[3]), context: undefined }));
        return;
      case Op.ConfChangeV2: {
        const changes: ConfChangeSingle[] = [];
        for (let i = 3; i + 1 < op.length; i += 2) changes.push({ type: op[i], nodeId: BigInt(op[i + 1]) });
        this.attempt(id, () => nd().rn.proposeConfChange({ transition: op[2], changes, context: undefined }));
        return;
      }
      case Op.Transfer:
        nd().rn.transferLeader(BigInt(op[2]));
        return;
      case Op.ReadIndex:
        nd().rn.readIndex(enc.encode(`r${this.step}`));
        return;
      case Op.Deliver:
      case Op.Drop:
      case Op.Duplicate: {
        if (this.net.length === 0) return;
        const k = op[1] % this.net.length;
        if (op[0] === Op.Deliver) {
          this.deliver(k);
        } else if (op[0] === Op.Drop) {
          const [m] = this.net.splice(k, 1);
          if (m.type === MessageType.MsgSnap) this.nodes.get(m.from)!.rn.reportSnapshot(m.to, SnapshotStatus.Failure);
        } else {
          this.net.push(wire(this.net[k]));
        }
        return;
      }
      case Op.DeliverAll:
        for (let n = this.net.length; n > 0; n--) this.deliver(0);
        return;
      case Op.Snapshot: {
        const n = nd();
        if (n.applied <= n.storage.snapshot().metadata.index) return;
        n.storage.createSnapshot(n.applied, n.cs, enc.encode(`s${n.applied}`));
        // Keep op[2] entries before the snapshot, as etcd's server keeps some for slow followers.
        const keep = BigInt(op[2]);
        if (keep < n.applied && n.applied - keep >= n.storage.firstIndex()) n.storage.compact(n.applied - keep);
        return;
      }
      case Op.Restart: {
        const n = nd();
        const snap = n.storage.snapshot();
        n.applied = snap.metadata.index;
        n.cs = snap.metadata.confState;
        this.start(n);
        return;
      }
      case Op.Unreachable:
        nd().rn.reportUnreachable(BigInt(op[2]));
        return;
      case Op.Stall:
        this.stalledUntil.set(id, this.step + op[2]);
        return;
    }
  }
}
