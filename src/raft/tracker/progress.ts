/**
 * A follower's replication progress as the leader sees it (etcd
 * raft/tracker/progress.go). The state machine's transitions are driven from
 * raft.ts; this class keeps the bookkeeping consistent.
 */
import { Inflights } from './inflights.js';
import { ProgressStateType } from './state.js';

export class Progress {
  /** The highest index known to be replicated on the follower. */
  match: bigint;
  /** The next index to send. */
  next: bigint;
  state = ProgressStateType.StateProbe;
  /** In StateSnapshot: the index of the snapshot being sent. */
  pendingSnapshot = 0n;
  /** Heard from since the last CheckQuorum round; the leader resets it every election timeout. */
  recentActive: boolean;
  /** In StateProbe: an append is outstanding, so hold off until it is answered or a heartbeat comes back. */
  probeSent = false;
  readonly inflights: Inflights;
  isLearner: boolean;

  constructor(next: bigint, match: bigint, inflights: Inflights, isLearner: boolean, recentActive: boolean) {
    this.next = next;
    this.match = match;
    this.inflights = inflights;
    this.isLearner = isLearner;
    this.recentActive = recentActive;
  }

  /** A copy sharing the inflights: enough for the config changer, which only flips isLearner. */
  shallowCopy(): Progress {
    const p = new Progress(this.next, this.match, this.inflights, this.isLearner, this.recentActive);
    p.state = this.state;
    p.pendingSnapshot = this.pendingSnapshot;
    p.probeSent = this.probeSent;
    return p;
  }

  /** Moves to `state`, clearing probeSent, pendingSnapshot and the inflights. */
  resetState(state: ProgressStateType): void {
    this.probeSent = false;
    this.pendingSnapshot = 0n;
    this.state = state;
    this.inflights.reset();
  }

  /**
   * Back to probing from match+1 or, coming out of StateSnapshot, from just
   * past the snapshot if that is further along.
   */
  becomeProbe(): void {
    if (this.state === ProgressStateType.StateSnapshot) {
      const pending = this.pendingSnapshot;
      this.resetState(ProgressStateType.StateProbe);
      const m1 = this.match + 1n;
      const p1 = pending + 1n;
      this.next = m1 > p1 ? m1 : p1;
    } else {
      this.resetState(ProgressStateType.StateProbe);
      this.next = this.match + 1n;
    }
  }

  becomeReplicate(): void {
    this.resetState(ProgressStateType.StateReplicate);
    this.next = this.match + 1n;
  }

  becomeSnapshot(snapshotIndex: bigint): void {
    this.resetState(ProgressStateType.StateSnapshot);
    this.pendingSnapshot = snapshotIndex;
  }

  /** Records an acknowledgement of index n; false if it is stale. */
  maybeUpdate(n: bigint): boolean {
    let updated = false;
    if (this.match < n) {
      this.match = n;
      updated = true;
      this.probeSent = false;
    }
    if (this.next <= n) this.next = n + 1n;
    return updated;
  }

  /** Everything up to n is in flight. */
  optimisticUpdate(n: bigint): void {
    this.next = n + 1n;
  }

  /**
   * Reacts to a rejected MsgApp for index `rejected`, where matchHint is the
   * follower's best guess of the highest index our logs may share. Returns
   * false for a stale (reordered or duplicated) rejection.
   */
  maybeDecrTo(rejected: bigint, matchHint: bigint): boolean {
    if (this.state === ProgressStateType.StateReplicate) {
      // Stale if we already know the follower has `rejected`.
      if (rejected <= this.match) return false;
      this.next = this.match + 1n;
      return true;
    }
    // While probing only one append is outstanding, for index next-1; anything else is stale.
    if (this.next - 1n !== rejected) return false;
    const h = matchHint + 1n;
    this.next = rejected < h ? rejected : h;
    if (this.next < 1n) this.next = 1n;
    this.probeSent = false;
    return true;
  }

  /** Whether sending appends to this follower is throttled. */
  isPaused(): boolean {
    switch (this.state) {
      case ProgressStateType.StateProbe:
        return this.probeSent;
      case ProgressStateType.StateReplicate:
        return this.inflights.full();
      default:
        return true;
    }
  }

  toString(): string {
    let s = `${ProgressStateType[this.state]} match=${this.match} next=${this.next}`;
    if (this.isLearner) s += ' learner';
    if (this.isPaused()) s += ' paused';
    if (this.pendingSnapshot > 0n) s += ` pendingSnap=${this.pendingSnapshot}`;
    if (!this.recentActive) s += ' inactive';
    const n = this.inflights.countMsgs();
    if (n > 0) s += ` inflight=${n}${this.inflights.full() ? '[full]' : ''}`;
    return s;
  }
}

/** The progress of every voter and learner, by node ID. */
export type ProgressMap = Map<bigint, Progress>;
