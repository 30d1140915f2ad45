/**
 * The part of the log not yet handed to stable storage: an incoming snapshot
 * and/or a run of entries (etcd raft/log_unstable.go). entries[i] has index
 * i + offset; offset may be below the storage's last index, in which case the
 * next write to storage truncates it.
 */
import type { Entry, Snapshot } from '../codec/proto/raftpb.js';
import type { Logger } from './logger.js';
import { invariant } from './util.js';

export class Unstable {
  snapshot: Snapshot | undefined = undefined;
  entries: Entry[] = [];
  offset: bigint;

  constructor(
    offset: bigint,
    private readonly logger?: Logger,
  ) {
    this.offset = offset;
  }

  /** The first index, known only while a snapshot is pending. */
  maybeFirstIndex(): bigint | undefined {
    return this.snapshot === undefined ? undefined : this.snapshot.metadata.index + 1n;
  }

  /** The last index, if there is an unstable entry or snapshot. */
  maybeLastIndex(): bigint | undefined {
    const n = this.entries.length;
    if (n !== 0) return this.entries[n - 1].index;
    return this.snapshot === undefined ? undefined : this.snapshot.metadata.index;
  }

  /** The term of entry i, if this part of the log knows it. */
  maybeTerm(i: bigint): bigint | undefined {
    if (i < this.offset) {
      const s = this.snapshot;
      return s !== undefined && s.metadata.index === i ? s.metadata.term : undefined;
    }
    const n = this.entries.length;
    if (n === 0 || i > this.entries[n - 1].index) return undefined;
    return this.entries[Number(i - this.offset)].term;
  }

  /**
   * Entries up to i (of term t) reached stable storage. Only drop them if the
   * term still matches: a newer leader may have replaced them meanwhile.
   */
  stableTo(i: bigint, t: bigint): void {
    const gt = this.maybeTerm(i);
    if (gt === undefined) return;
    if (gt === t && i >= this.offset) {
      this.entries = this.entries.slice(Number(i + 1n - this.offset));
      this.offset = i + 1n;
    }
  }

  stableSnapTo(i: bigint): void {
    if (this.snapshot !== undefined && this.snapshot.metadata.index === i) this.snapshot = undefined;
  }

  restore(s: Snapshot): void {
    this.offset = s.metadata.index + 1n;
    this.entries = [];
    this.snapshot = s;
  }

  truncateAndAppend(ents: readonly Entry[]): void {
    const after = ents[0].index;
    const n = this.entries.length;
    if (n === 0 ? after === this.offset : after === this.entries[n - 1].index + 1n) {
      // The common case: ents directly follow the unstable entries.
      for (let i = 0; i < ents.length; i++) this.entries.push(ents[i]);
    } else if (after <= this.offset) {
      // The log is truncated below our offset: the new entries replace all of ours.
      this.logger?.info(`replace the unstable entries from index ${after}`);
      this.offset = after;
      this.entries = ents.slice();
    } else {
      // Keep our entries before `after`, then append.
      this.logger?.info(`truncate the unstable entries before index ${after}`);
      const kept = this.slice(this.offset, after);
      for (let i = 0; i < ents.length; i++) kept.push(ents[i]);
      this.entries = kept;
    }
  }

  /** A copy of the entries in [lo, hi). */
  slice(lo: bigint, hi: bigint): Entry[] {
    const a = Number(lo - this.offset);
    const b = Number(hi - this.offset);
    invariant(0 <= a && a <= b && b <= this.entries.length, () => `unstable.slice[${lo},${hi}) out of bound [${this.offset},${this.offset + BigInt(this.entries.length)}]`);
    return this.entries.slice(a, b);
  }
}
