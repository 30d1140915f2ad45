/**
 * The simulated network between nodes (numbered 1…N as in their data dirs):
 * per-link latency with FIFO order, as etcd's TCP streams give it; random
 * loss, extra delay, duplication and reordering at configurable rates; and
 * cuts (partitions into groups, one-way links, an isolated node) that can be
 * added and removed while messages are in flight. A message is checked
 * against the cuts when sent and again when it arrives.
 */
import { MessageType } from '../codec/proto/raftpb.js';
import type { Prng } from './prng.js';
import type { FaultRates } from './options.js';


export type Cut =
  /** Nodes in different groups cannot talk; nodes in no group are unaffected. */
  | { kind: 'groups'; groups: number[][] }
  /** Messages from any of `from` to any of `to` are lost; the other direction works. */
  | { kind: 'oneWay'; from: number[]; to: number[] }
  /** Every link of `node`, both ways. */
  | { kind: 'isolate'; node: number };

export interface NetworkStats {
  sent: number;
  delivered: number;
  /** Lost to the drop rate. */
  dropped: number;
  /** Lost to a cut, when sent or when arriving. */
  blocked: number;
  duplicated: number;
  delayed: number;
  reordered: number;
}

export interface LatencyOptions {
  minMs: number;
  maxMs: number;
  /** The longest hold-back of a delayed message. */
  maxDelayMs: number;
}

function cutBlocks(c: Cut, from: number, to: number): boolean {
  switch (c.kind) {
    case 'groups': {
      const gf = c.groups.findIndex((g) => g.includes(from));
      const gt = c.groups.findIndex((g) => g.includes(to));
      return gf >= 0 && gt >= 0 && gf !== gt;
    }
    case 'oneWay':
      return c.from.includes(from) && c.to.includes(to);
    case 'isolate':
      return c.node === from || c.node === to;
  }
}

export class SimNetwork {
  rates: FaultRates;
  readonly stats: NetworkStats = { sent: 0, delivered: 0, dropped: 0, blocked: 0, duplicated: 0, delayed: 0, reordered: 0 };
  private readonly cuts = new Map<number, Cut>();
  private nextCut = 1;
  /** Per directed link, the latest arrival time scheduled in FIFO order. */
  private readonly fifo = new Map<number, number>();

  constructor(
    private readonly rng: Prng,
    private readonly latency: LatencyOptions,
    rates: FaultRates,
  ) {
    this.rates = { ...rates };
  }

  /** Adds a cut; returns a handle for `restore`. */
  cut(c: Cut): number {
    const id = this.nextCut++;
    this.cuts.set(id, c);
    return id;
  }

  restore(handle: number): void {
    this.cuts.delete(handle);
  }

  heal(): void {
    this.cuts.clear();
  }

  activeCuts(): Cut[] {
    return [...this.cuts.values()];
  }

  blocked(from: number, to: number): boolean {
    if (this.cuts.size === 0) return false;
    for (const c of this.cuts.values()) if (cutBlocks(c, from, to)) return true;
    return false;
  }

  /**
   * Decides a sent message's fate: the virtual times at which copies arrive
   * (none if it is lost). Each call draws from the network's own stream.
   */
  route(from: number, to: number, type: MessageType, now: number): number[] {
    this.stats.sent++;
    if (this.blocked(from, to)) {
      this.stats.blocked++;
      return [];
    }
    const r = this.rates;
    if (this.rng.chance(r.drop)) {
      this.stats.dropped++;
      return [];
    }
    const lat = this.latency;
    const base = now + this.rng.range(lat.minMs, lat.maxMs);
    let at: number;
    if (this.rng.chance(r.delay)) {
      this.stats.delayed++;
      at = now + this.rng.range(lat.maxMs, lat.maxDelayMs);
    } else if (this.rng.chance(r.reorder)) {
      this.stats.reordered++;
      at = base + this.rng.range(1, 4 * lat.maxMs);
    } else {
      // FIFO: never before the previous in-order message on this link.
      const link = from * 65536 + to;
      const prev = this.fifo.get(link) ?? 0;
      at = base > prev ? base : prev;
      this.fifo.set(link, at);
    }
    // Proposals are not idempotent and no transport of etcd's ever repeats one: they are never duplicated.
    if (type !== MessageType.MsgProp && this.rng.chance(r.duplicate)) {
      this.stats.duplicated++;
      return [at, now + this.rng.range(lat.minMs, lat.maxDelayMs)];
    }
    return [at];
  }

  /** A copy reaches `to`: false (and counted as blocked) if a cut formed while it was in flight. */
  arrive(from: number, to: number): boolean {
    if (this.blocked(from, to)) {
      this.stats.blocked++;
      return false;
    }
    this.stats.delivered++;
    return true;
  }
}
