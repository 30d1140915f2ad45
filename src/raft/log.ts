/**
 * raftLog: the replicated log as one sequence, stitched from stable storage
 * and the unstable tail, with the commit and apply cursors (etcd raft/log.go).
 */
import type { Entry, Snapshot } from '../codec/proto/raftpb.js';
import { Unstable } from './log_unstable.js';
import type { Logger } from './logger.js';
import { ErrCompacted, ErrUnavailable, isLogGap, type Storage } from './storage.js';
import { invariant, limitSize, maxBig } from './util.js';

export class RaftLog {
  /** Every stable entry since the last snapshot. */
  readonly storage: Storage;
  readonly unstable: Unstable;
  /** The highest index known to be stored on a quorum. */
  committed: bigint;
  /** The highest index the application has been told to apply. Invariant: applied <= committed. */
  applied: bigint;
  /** Byte budget for the committed entries of one Ready. */
  readonly maxNextEntsSize: number;

  constructor(
    storage: Storage,
    maxNextEntsSize = Infinity,
    private readonly logger?: Logger,
  ) {
    this.storage = storage;
    this.maxNextEntsSize = maxNextEntsSize;
    const firstIndex = storage.firstIndex();
    this.unstable = new Unstable(storage.lastIndex() + 1n, logger);
    // Everything up to the last compaction is committed and applied by definition.
    this.committed = firstIndex - 1n;
    this.applied = firstIndex - 1n;
  }

  /**
   * Appends ents after (index, logTerm) if that entry matches ours, truncating
   * any conflicting suffix. Returns the last index of the new entries, or
   * undefined if (index, logTerm) does not match.
   */
  maybeAppend(index: bigint, logTerm: bigint, committed: bigint, ents: readonly Entry[]): bigint | undefined {
    if (!this.matchTerm(index, logTerm)) return undefined;
    const lastnewi = index + BigInt(ents.length);
    const ci = this.findConflict(ents);
    if (ci !== 0n) {
      invariant(ci > this.committed, () => `entry ${ci} conflicts with committed entry [committed(${this.committed})]`);
      const from = Number(ci - index - 1n);
      this.append(from === 0 ? ents : ents.slice(from));
    }
    this.commitTo(committed < lastnewi ? committed : lastnewi);
    return lastnewi;
  }

  append(ents: readonly Entry[]): bigint {
    if (ents.length === 0) return this.lastIndex();
    const after = ents[0].index - 1n;
    invariant(after >= this.committed, () => `after(${after}) is out of range [committed(${this.committed})]`);
    this.unstable.truncateAndAppend(ents);
    return this.lastIndex();
  }

  /**
   * The index of the first entry of ents that is not in our log with the same
   * term (a conflict or a new entry), or 0 if we already have them all.
   */
  findConflict(ents: readonly Entry[]): bigint {
    for (let i = 0; i < ents.length; i++) {
      const e = ents[i];
      if (this.matchTerm(e.index, e.term)) continue;
      if (e.index <= this.lastIndex()) {
        this.logger?.info(`found conflict at index ${e.index} [existing term: ${this.termOrZero(e.index)}, conflicting term: ${e.term}]`);
      }
      return e.index;
    }
    return 0n;
  }

  /**
   * The largest index <= index whose term is <= term, or whose term is unknown
   * (etcd 3.5 findConflictByTerm). Used on both sides of a rejected MsgApp to
   * skip a whole divergent term per round trip instead of one entry.
   */
  findConflictByTerm(index: bigint, term: bigint): bigint {
    const li = this.lastIndex();
    if (index > li) {
      this.logger?.warn(`index(${index}) is out of range [0, lastIndex(${li})] in findConflictByTerm`);
      return index;
    }
    for (;;) {
      let t: bigint;
      try {
        t = this.term(index);
      } catch (e) {
        if (isLogGap(e)) return index;
        throw e;
      }
      if (t <= term) return index;
      index--;
    }
  }

  /** A copy of the entries not yet handed to storage. */
  unstableEntries(): Entry[] {
    return this.unstable.entries.slice();
  }

  /** Committed entries not yet applied, within maxNextEntsSize (starts after a pending snapshot). */
  nextEnts(): Entry[] {
    const off = maxBig(this.applied + 1n, this.firstIndex());
    if (this.committed + 1n <= off) return [];
    return this.slice(off, this.committed + 1n, this.maxNextEntsSize);
  }

  hasNextEnts(): boolean {
    return this.committed + 1n > maxBig(this.applied + 1n, this.firstIndex());
  }

  snapshot(): Snapshot {
    return this.unstable.snapshot ?? this.storage.snapshot();
  }

  firstIndex(): bigint {
    return this.unstable.maybeFirstIndex() ?? this.storage.firstIndex();
  }

  lastIndex(): bigint {
    return this.unstable.maybeLastIndex() ?? this.storage.lastIndex();
  }

  commitTo(tocommit: bigint): void {
    // The commit index never decreases.
    if (this.committed < tocommit) {
      invariant(tocommit <= this.lastIndex(), () => `tocommit(${tocommit}) is out of range [lastIndex(${this.lastIndex()})]`);
      this.committed = tocommit;
    }
  }

  appliedTo(i: bigint): void {
    if (i === 0n) return;
    invariant(i <= this.committed && i >= this.applied, () => `applied(${i}) is out of range [prevApplied(${this.applied}), committed(${this.committed})]`);
    this.applied = i;
  }

  stableTo(i: bigint, t: bigint): void {
    this.unstable.stableTo(i, t);
  }

  stableSnapTo(i: bigint): void {
    this.unstable.stableSnapTo(i);
  }

  lastTerm(): bigint {
    return this.term(this.lastIndex());
  }

  /**
   * The term of entry i; 0 outside [firstIndex-1, lastIndex]. Throws
   * ErrCompacted/ErrUnavailable when storage no longer (or not yet) has it.
   */
  term(i: bigint): bigint {
    const t = this.unstable.maybeTerm(i);
    if (t !== undefined) return t;
    if (i > this.lastIndex()) return 0n;
    // Storage knows terms from its dummy entry at firstIndex-1 on.
    const first = this.firstIndex();
    if (i < first && i !== first - 1n) return 0n;
    return this.storage.term(i);
  }

  /** term(i), or 0 if i was compacted away (etcd zeroTermOnErrCompacted). */
  termOrZero(i: bigint): bigint {
    try {
      return this.term(i);
    } catch (e) {
      if (e instanceof ErrCompacted) return 0n;
      throw e;
    }
  }

  /** Entries from i to the end, within maxSize bytes (at least one). */
  entries(i: bigint, maxSize: number): Entry[] {
    const last = this.lastIndex();
    if (i > last) return [];
    return this.slice(i, last + 1n, maxSize);
  }

  allEntries(): Entry[] {
    return this.entries(this.firstIndex(), Infinity);
  }

  /**
   * Whether a log ending at (lasti, term) is at least as up to date as ours:
   * a later last term wins, and on equal terms the longer log (Raft §5.4.1).
   */
  isUpToDate(lasti: bigint, term: bigint): boolean {
    const lt = this.lastTerm();
    return term > lt || (term === lt && lasti >= this.lastIndex());
  }

  matchTerm(i: bigint, term: bigint): boolean {
    try {
      return this.term(i) === term;
    } catch (e) {
      if (isLogGap(e)) return false;
      throw e;
    }
  }

  /**
   * Commits up to maxIndex only if that entry is from `term`, the leader's
   * current term: Raft §5.4.2 forbids committing older-term entries by counting
   * replicas (the "figure 8" problem).
   */
  maybeCommit(maxIndex: bigint, term: bigint): boolean {
    if (maxIndex > this.committed && this.termOrZero(maxIndex) === term) {
      this.commitTo(maxIndex);
      return true;
    }
    return false;
  }

  restore(s: Snapshot): void {
    this.logger?.info(`log [${this}] starts to restore snapshot [index: ${s.metadata.index}, term: ${s.metadata.term}]`);
    this.committed = s.metadata.index;
    this.unstable.restore(s);
  }

  /** Whether a snapshot has arrived that the application has not applied yet. */
  hasPendingSnapshot(): boolean {
    return this.unstable.snapshot !== undefined && this.unstable.snapshot.metadata.index !== 0n;
  }

  toString(): string {
    return `committed=${this.committed}, applied=${this.applied}, unstable.offset=${this.unstable.offset}, len(unstable.Entries)=${this.unstable.entries.length}`;
  }

  /** Entries in [lo, hi) within maxSize bytes; throws ErrCompacted if lo was compacted. */
  slice(lo: bigint, hi: bigint, maxSize: number): Entry[] {
    this.mustCheckOutOfBounds(lo, hi);
    if (lo === hi) return [];
    const uoff = this.unstable.offset;
    let ents: Entry[] | undefined;
    if (lo < uoff) {
      const shi = hi < uoff ? hi : uoff;
      let stored: Entry[];
      try {
        stored = this.storage.entries(lo, shi, maxSize);
      } catch (e) {
        invariant(!(e instanceof ErrUnavailable), () => `entries[${lo}:${shi}) is unavailable from storage`);
        throw e;
      }
      // Storage stopped short because of maxSize: the unstable part cannot follow.
      if (BigInt(stored.length) < shi - lo) return stored;
      ents = stored;
    }
    if (hi > uoff) {
      const unstable = this.unstable.slice(lo > uoff ? lo : uoff, hi);
      // concat, not push: a Storage implementation may hand out its own array.
      ents = ents === undefined ? unstable : ents.concat(unstable);
    }
    return limitSize(ents!, maxSize);
  }

  private mustCheckOutOfBounds(lo: bigint, hi: bigint): void {
    invariant(lo <= hi, () => `invalid slice ${lo} > ${hi}`);
    const fi = this.firstIndex();
    if (lo < fi) throw new ErrCompacted();
    invariant(hi <= this.lastIndex() + 1n, () => `slice[${lo},${hi}) out of bound [${fi},${this.lastIndex()}]`);
  }
}
