/**
 * Raft's safety properties (Raft paper figure 3), checked incrementally as the
 * simulation runs so that each step costs O(entries it touched):
 *  - election safety: at most one leader per term;
 *  - leader append-only: a leader only appends to its log during its term;
 *  - log matching: two entries with the same index and term are the same
 *    entry and follow entries of the same term; by induction, the logs agree
 *    up to there;
 *  - leader completeness: a new leader holds every committed entry;
 *  - state machine safety: no two nodes commit or apply different entries at
 *    one index;
 *  - durability: a restarted node recovers at least the commit index it had
 *    persisted, and the committed entries up to it.
 * The first violation is kept, with the step at which it happened.
 */
import type { Entry, HardState } from '../codec/proto/raftpb.js';
import { bytesEqual } from '../raft/util.js';

export type CheckName =
  | 'election-safety'
  | 'leader-append-only'
  | 'log-matching'
  | 'leader-completeness'
  | 'state-machine-safety'
  | 'durability'
  | 'convergence'
  | 'linearizability';

export interface Violation {
  check: CheckName;
  message: string;
  /** The event number at which it was found (the run's steps count from 1). */
  step: number;
  timeMs: number;
}

interface Seen {
  term: bigint;
  prevTerm: bigint;
  entry: Entry;
  node: number;
}

export const sameEntry = (a: Entry, b: Entry): boolean => a === b || (a.index === b.index && a.term === b.term && a.type === b.type && bytesEqual(a.data, b.data));

/** The term of an index in a node's log, or undefined where the log no longer (or not yet) holds it. */
export type TermAt = (index: bigint) => bigint | undefined;

export class SafetyChecks {
  violation: Violation | undefined;
  private readonly leaderOfTerm = new Map<bigint, number>();
  /** index → the (term, previous term, entry) pairs persisted there by any node. */
  private readonly persistedAt = new Map<number, Seen[]>();
  /** index → the term committed there, and the node that first committed it. */
  private readonly committedAt = new Map<number, { term: bigint; node: number }>();
  private readonly appliedAt = new Map<number, { entry: Entry; node: number }>();
  /** The highest index known committed anywhere. */
  maxCommitted = 0n;

  constructor(private readonly clock: () => { step: number; timeMs: number }) {}

  fail(check: CheckName, message: string): void {
    if (this.violation === undefined) this.violation = { check, message, ...this.clock() };
  }

  /** Node `k` has just become leader of `term`. */
  becameLeader(k: number, term: bigint, termAt: TermAt, lastIndex: bigint): void {
    const prev = this.leaderOfTerm.get(term);
    if (prev !== undefined && prev !== k) this.fail('election-safety', `nodes ${prev} and ${k} were both elected leader of term ${term}`);
    this.leaderOfTerm.set(term, k);
    const c = this.maxCommitted;
    if (c === 0n) return;
    if (c > lastIndex) {
      this.fail('leader-completeness', `node ${k} became leader of term ${term} with its log ending at ${lastIndex}, but index ${c} is committed`);
      return;
    }
    // Matching at the highest committed index implies matching below it (log matching). A leader's
    // snapshot never passes its own commit index, so the entry is in its log.
    const want = this.committedAt.get(Number(c));
    const have = termAt(c);
    if (want !== undefined && have !== want.term) {
      this.fail('leader-completeness', `node ${k} became leader of term ${term} holding term ${have ?? 'nothing'} at index ${c}, where node ${want.node} committed term ${want.term}`);
    }
  }

  /**
   * Node `k` wrote `entries` to its WAL; `prevTerm` is the term its log holds
   * just before the first. `leaderSince`: the last index it had persisted
   * while leader of the current term, if it was leader then and still is.
   */
  persisted(k: number, entries: readonly Entry[], prevTerm: bigint | undefined, leaderSince: bigint | undefined): void {
    if (entries.length === 0) return;
    if (leaderSince !== undefined && entries[0].index <= leaderSince) {
      this.fail('leader-append-only', `leader ${k} wrote index ${entries[0].index} (term ${entries[0].term}) over its own log, which reached ${leaderSince} in this term`);
    }
    let before = prevTerm;
    for (const e of entries) {
      if (before !== undefined) this.matchEntry(k, e, before);
      before = e.term;
    }
  }

  private matchEntry(k: number, e: Entry, prevTerm: bigint): void {
    const i = Number(e.index);
    let seen = this.persistedAt.get(i);
    if (seen === undefined) {
      seen = [];
      this.persistedAt.set(i, seen);
    }
    for (const s of seen) {
      if (s.term !== e.term) continue;
      if (s.prevTerm !== prevTerm) {
        this.fail('log-matching', `index ${e.index} term ${e.term}: node ${s.node} has term ${s.prevTerm} before it, node ${k} term ${prevTerm}`);
      } else if (!sameEntry(s.entry, e)) {
        this.fail('log-matching', `index ${e.index} term ${e.term}: nodes ${s.node} and ${k} hold different entries`);
      }
      return;
    }
    seen.push({ term: e.term, prevTerm, entry: e, node: k });
  }

  /** Node `k` persisted a commit index moving from `from` to `to`. */
  committed(k: number, from: bigint, to: bigint, termAt: TermAt): void {
    for (let i = from + 1n; i <= to; i++) {
      const t = termAt(i);
      if (t === undefined) continue;
      const n = Number(i);
      const prev = this.committedAt.get(n);
      if (prev === undefined) this.committedAt.set(n, { term: t, node: k });
      else if (prev.term !== t) this.fail('state-machine-safety', `index ${i} was committed with term ${prev.term} on node ${prev.node} and with term ${t} on node ${k}`);
    }
    if (to > this.maxCommitted) this.maxCommitted = to;
  }

  /** The entry applied at index i, by whichever node applied it first. */
  entryAt(i: bigint): Entry | undefined {
    return this.appliedAt.get(Number(i))?.entry;
  }

  applied(k: number, e: Entry): void {
    const n = Number(e.index);
    const prev = this.appliedAt.get(n);
    if (prev === undefined) this.appliedAt.set(n, { entry: e, node: k });
    else if (!sameEntry(prev.entry, e)) this.fail('state-machine-safety', `node ${k} applied a different entry at index ${e.index} (term ${e.term}) than node ${prev.node} (term ${prev.entry.term})`);
  }

  /**
   * Node `k` restarted from its data dir. `durable` is the last hard state it
   * wrote whole before the crash; `termAt` and `lastIndex` describe the
   * recovered log, which starts after `snapIndex`.
   */
  recovered(k: number, hs: HardState, durable: HardState, snapIndex: bigint, lastIndex: bigint, termAt: TermAt): void {
    if (hs.commit < durable.commit || hs.term < durable.term) {
      this.fail('durability', `node ${k} restarted with term ${hs.term} commit ${hs.commit}, but had persisted term ${durable.term} commit ${durable.commit}`);
      return;
    }
    if (hs.commit > lastIndex) {
      this.fail('durability', `node ${k} restarted with commit ${hs.commit} but its log ends at ${lastIndex}`);
      return;
    }
    for (let i = snapIndex + 1n; i <= hs.commit; i++) {
      const want = this.committedAt.get(Number(i));
      const have = termAt(i);
      if (want !== undefined && have !== want.term) {
        this.fail('durability', `node ${k} restarted holding term ${have ?? 'nothing'} at committed index ${i} (term ${want.term})`);
        return;
      }
    }
  }
}
