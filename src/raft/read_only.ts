/**
 * Bookkeeping for linearizable reads served through ReadIndex (etcd
 * raft/read_only.go, Raft thesis §6.4). With ReadOnlySafe the leader records
 * its commit index per request and answers once a quorum acknowledged a
 * heartbeat carrying the request context.
 */
import type { Message } from '../codec/proto/raftpb.js';

export enum ReadOnlyOption {
  /** Confirm leadership with a heartbeat round to a quorum before answering. */
  Safe = 0,
  /** Trust the leader lease (requires CheckQuorum); sensitive to unbounded clock drift. */
  LeaseBased = 1,
}

/**
 * The result of a ReadIndex request: once the application has applied up to
 * `index`, reads issued before the request are linearizable. `requestCtx` is
 * the context passed to readIndex(), to match requests with results.
 */
export interface ReadState {
  index: bigint;
  requestCtx: Uint8Array;
}

export interface ReadIndexStatus {
  req: Message;
  index: bigint;
  /** Only ever records true; a map so it can be tallied like a vote. */
  acks: Map<bigint, boolean>;
}

/** Request contexts are arbitrary bytes; latin1 maps each byte to one char, losslessly. */
const ctxKey = (ctx: Uint8Array): string => Buffer.from(ctx.buffer, ctx.byteOffset, ctx.byteLength).toString('latin1');

export class ReadOnly {
  private pending = new Map<string, ReadIndexStatus>();
  /** Request contexts in arrival order. */
  private queue: string[] = [];

  constructor(readonly option: ReadOnlyOption) {}

  /** Records a read request `m` arriving when the commit index was `index`; duplicates are ignored. */
  addRequest(index: bigint, m: Message): void {
    const key = ctxKey(m.entries[0].data ?? new Uint8Array(0));
    if (this.pending.has(key)) return;
    this.pending.set(key, { index, req: m, acks: new Map() });
    this.queue.push(key);
  }

  /** Records that `id` acknowledged the heartbeat carrying `context`; returns the acks so far. */
  recvAck(id: bigint, context: Uint8Array): Map<bigint, boolean> | undefined {
    const rs = this.pending.get(ctxKey(context));
    if (rs === undefined) return undefined;
    rs.acks.set(id, true);
    return rs.acks;
  }

  /**
   * Dequeues every request up to and including the one with m's context: a
   * quorum acknowledging a later heartbeat also confirms the earlier requests.
   */
  advance(m: Message): ReadIndexStatus[] {
    const key = ctxKey(m.context ?? new Uint8Array(0));
    const i = this.queue.indexOf(key);
    if (i < 0) return [];
    const done = this.queue.splice(0, i + 1);
    return done.map((k) => {
      const rs = this.pending.get(k)!;
      this.pending.delete(k);
      return rs;
    });
  }

  /** The context of the newest pending request, piggybacked on heartbeats. */
  lastPendingRequestCtx(): Uint8Array | undefined {
    if (this.queue.length === 0) return undefined;
    return this.pending.get(this.queue[this.queue.length - 1])!.req.entries[0].data;
  }
}
