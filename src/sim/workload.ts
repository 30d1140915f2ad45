/**
 * The client workload: puts, deletes, compare-and-swap txns and linearizable
 * reads over a fixed set of keys, invoked at a steady rate against random
 * members, as an etcd client would. Writes are InternalRaftRequests proposed
 * on the member the client reached and answered when that member applies
 * them; reads go through ReadIndex and are answered from the member's state
 * machine once it has applied up to the read index (etcd's linearizable
 * Range). Every operation keeps its invocation and completion times and what
 * it returned, for the linearizability checker; one whose outcome the client
 * never learns (timeout, member crash) completes at infinity.
 */
import { encodeInternalRaftRequest } from '../codec/proto/etcdserverpb.js';
import type { ReadState } from '../raft/index.js';
import type { Applied, SimState } from './state-machine.js';
import type { Prng } from './prng.js';

export type OpKind = 'put' | 'get' | 'delete' | 'cas';

/** What an operation returned: the value it saw (for put and delete, the previous one). */
export interface OpOutput {
  value: string | null;
  /** cas only. */
  succeeded?: boolean;
}

export type OpStatus = 'pending' | 'ok' | 'unknown' | 'failed';

export interface Op {
  id: number;
  kind: OpKind;
  key: string;
  /** The value a put or cas writes. */
  value?: string;
  /** The value a cas compares against. */
  expect?: string;
  node: number;
  reqId: bigint;
  invokedAt: number;
  /** Infinity when the outcome is unknown; undefined while pending. */
  completedAt?: number;
  output?: OpOutput;
  status: OpStatus;
}

export interface WorkloadOptions {
  keys: number;
  /** Operations per second of virtual time. */
  rate: number;
  /** Stop after this many operations. */
  ops?: number;
  /** A client gives up on a request after this long (etcd: 5 s plus two election timeouts). */
  timeoutMs: number;
}

/** What the workload needs from the cluster. */
export interface ClientPort {
  /** Members a client may send requests to. */
  endpoints(): number[];
  /** Hands a write to member k; false if refused at once (down, a learner, no leader known), so it did not happen. */
  propose(k: number, data: Uint8Array): boolean;
  /** Asks member k for a read index; false if refused at once. */
  readIndex(k: number, ctx: Uint8Array): boolean;
}

export interface WorkloadStats {
  invoked: number;
  ok: number;
  unknown: number;
  failed: number;
}

const keyName = (i: number): string => `/sim/key-${String(i).padStart(4, '0')}`;
const enc = new TextEncoder();

const ctxKey = (ctx: Uint8Array): string => Buffer.from(ctx.buffer, ctx.byteOffset, ctx.length).toString('hex');

function reqCtx(reqId: bigint): Uint8Array {
  const b = new Uint8Array(8);
  new DataView(b.buffer).setBigUint64(0, reqId);
  return b;
}

export class Workload {
  readonly ops: Op[] = [];
  readonly stats: WorkloadStats = { invoked: 0, ok: 0, unknown: 0, failed: 0 };
  private readonly writes = new Map<bigint, Op>();
  /** Reads per member, by request context, with the read index once it is known. */
  private readonly reads = new Map<number, Map<string, { op: Op; index?: bigint }>>();
  /** Pending operations in invocation order, for timeouts. */
  private timeouts: Op[] = [];
  /** The last value a client wrote to each key: what a cas expects. */
  private readonly lastWritten = new Map<string, string>();

  constructor(
    private readonly rng: Prng,
    private readonly opts: WorkloadOptions,
    /** Distinguishes request IDs of this run from any other (etcd: the member ID's low bits). */
    private readonly reqPrefix: bigint,
  ) {}

  /** Virtual time between two invocations: uniform around 1/rate, no transcendental math. */
  nextGap(): number {
    const mean = 1000 / this.opts.rate;
    return Math.max(1, Math.round(mean * 2 * this.rng.float()));
  }

  get exhausted(): boolean {
    return this.opts.ops !== undefined && this.ops.length >= this.opts.ops;
  }

  /** Invokes one operation at `now` against a random endpoint. */
  invoke(now: number, port: ClientPort): void {
    const endpoints = port.endpoints();
    if (endpoints.length === 0 || this.exhausted) return;
    const id = this.ops.length;
    const r = this.rng.float();
    const kind: OpKind = r < 0.35 ? 'put' : r < 0.65 ? 'get' : r < 0.75 ? 'delete' : 'cas';
    const key = keyName(this.rng.int(this.opts.keys));
    const op: Op = { id, kind, key, node: this.rng.pick(endpoints), reqId: (this.reqPrefix << 32n) | BigInt(id), invokedAt: now, status: 'pending' };
    if (kind === 'put' || kind === 'cas') op.value = `v${id}`;
    if (kind === 'cas') op.expect = this.lastWritten.get(key) ?? 'v-none';
    if (op.value !== undefined) this.lastWritten.set(key, op.value);
    this.ops.push(op);
    this.stats.invoked++;
    const sent = kind === 'get' ? port.readIndex(op.node, reqCtx(op.reqId)) : port.propose(op.node, this.request(op));
    if (!sent) {
      this.finish(op, 'failed', now);
      return;
    }
    if (kind === 'get') {
      let m = this.reads.get(op.node);
      if (m === undefined) this.reads.set(op.node, (m = new Map()));
      m.set(ctxKey(reqCtx(op.reqId)), { op });
    } else this.writes.set(op.reqId, op);
    this.timeouts.push(op);
  }

  /** The InternalRaftRequest etcd's server proposes for the operation. */
  private request(op: Op): Uint8Array {
    const key = enc.encode(op.key);
    const header = { ID: op.reqId };
    switch (op.kind) {
      case 'put':
        return encodeInternalRaftRequest({ header, put: { key, value: enc.encode(op.value), prev_kv: true } });
      case 'delete':
        return encodeInternalRaftRequest({ header, delete_range: { key, prev_kv: true } });
      default:
        return encodeInternalRaftRequest({
          header,
          txn: {
            // Compare target VALUE (3), result EQUAL (0).
            compare: [{ result: 0, target: 3, key, value: enc.encode(op.expect) }],
            success: [{ request_put: { key, value: enc.encode(op.value), prev_kv: true } }],
            failure: [{ request_range: { key } }],
          },
        });
    }
  }

  private finish(op: Op, status: OpStatus, at: number, output?: OpOutput): void {
    op.status = status;
    op.completedAt = status === 'unknown' ? Infinity : at;
    op.output = output;
    this.stats[status as keyof WorkloadStats]++;
    this.writes.delete(op.reqId);
  }

  /** The key of a write whose client waits for member k to apply it. */
  awaited(k: number, reqId: bigint): string | undefined {
    const op = this.writes.get(reqId);
    return op !== undefined && op.node === k ? op.key : undefined;
  }

  /** Member k applied a request; if k is where the client sent it, the client gets its answer. */
  applied(k: number, a: Applied, now: number): void {
    const op = this.writes.get(a.reqId);
    if (op === undefined || op.node !== k) return;
    // put and delete answer the previous value (prev_kv); a cas its verdict, and on failure the value its range read.
    const output: OpOutput = op.kind === 'cas' ? { succeeded: a.succeeded === true, value: a.succeeded ? null : a.before } : { value: a.before };
    this.finish(op, 'ok', now, output);
  }

  /** Member k learned the read index of some reads. */
  readStates(k: number, rs: ReadState[]): void {
    const m = this.reads.get(k);
    if (m === undefined) return;
    for (const s of rs) {
      const r = m.get(ctxKey(s.requestCtx));
      if (r !== undefined && r.index === undefined) r.index = s.index;
    }
  }

  /** Answers member k's reads whose read index it has applied. */
  serveReads(k: number, applied: bigint, sm: SimState, now: number): void {
    const m = this.reads.get(k);
    if (m === undefined || m.size === 0) return;
    for (const [ctx, r] of m) {
      if (r.index === undefined || r.index > applied) continue;
      m.delete(ctx);
      this.finish(r.op, 'ok', now, { value: sm.get(r.op.key) });
    }
  }

  /** Member k crashed or left: its clients never hear back. */
  nodeLost(k: number): void {
    for (const op of this.writes.values()) if (op.node === k) this.finish(op, 'unknown', Infinity);
    const m = this.reads.get(k);
    if (m !== undefined) for (const r of m.values()) this.finish(r.op, 'failed', Infinity);
    this.reads.delete(k);
  }

  /** Times out requests older than the client timeout: writes become unknown, reads failed (a read changes nothing). */
  expire(now: number): void {
    let i = 0;
    for (; i < this.timeouts.length; i++) {
      const op = this.timeouts[i];
      if (op.status !== 'pending') continue;
      if (op.invokedAt + this.opts.timeoutMs > now) break;
      if (op.kind === 'get') {
        this.reads.get(op.node)?.delete(ctxKey(reqCtx(op.reqId)));
        this.finish(op, 'failed', now);
      } else this.finish(op, 'unknown', Infinity);
    }
    if (i > 0) this.timeouts = this.timeouts.slice(i);
  }

  get pending(): number {
    return this.stats.invoked - this.stats.ok - this.stats.unknown - this.stats.failed;
  }
}
