/**
 * The Storage interface raft reads its persisted log through, and MemoryStorage,
 * an in-memory implementation with etcd's semantics (raft/storage.go).
 */
import { emptyConfState, emptyHardState, type ConfState, type Entry, type HardState, type Snapshot } from '../codec/proto/raftpb.js';
import { RaftError, invariant, limitSize } from './util.js';

/** The requested index predates the last snapshot (Storage.entries/term/compact). */
export class ErrCompacted extends RaftError {
  constructor() {
    super('COMPACTED', 'requested index is unavailable due to compaction');
  }
}

/** createSnapshot/applySnapshot was given an index older than the existing snapshot. */
export class ErrSnapOutOfDate extends RaftError {
  constructor() {
    super('SNAP_OUT_OF_DATE', 'requested index is older than the existing snapshot');
  }
}

/** The requested entries are not (yet) in storage. */
export class ErrUnavailable extends RaftError {
  constructor() {
    super('UNAVAILABLE', 'requested entry at index is unavailable');
  }
}

/** The storage is still preparing a snapshot; raft retries later. */
export class ErrSnapshotTemporarilyUnavailable extends RaftError {
  constructor() {
    super('SNAPSHOT_TEMPORARILY_UNAVAILABLE', 'snapshot is temporarily unavailable');
  }
}

/** The two errors that mean "that part of the log is not here" rather than a storage failure. */
export const isLogGap = (e: unknown): e is ErrCompacted | ErrUnavailable => e instanceof ErrCompacted || e instanceof ErrUnavailable;

export const isEmptySnap = (s: Snapshot | undefined): boolean => s === undefined || s.metadata.index === 0n;

export const emptySnapshot = (): Snapshot => ({ data: undefined, metadata: { confState: emptyConfState(), index: 0n, term: 0n } });

export interface InitialState {
  hardState: HardState;
  confState: ConfState;
}

/**
 * What raft needs from the application's stable storage. Methods throw the
 * Err* classes above; any other error is fatal to the raft instance.
 */
export interface Storage {
  /** The saved HardState and ConfState. */
  initialState(): InitialState;
  /** Entries in [lo, hi), at most maxSize encoded bytes but at least one entry if any. */
  entries(lo: bigint, hi: bigint, maxSize: number): Entry[];
  /** The term of entry i, for i in [firstIndex()-1, lastIndex()]; the entry before firstIndex keeps its term for matching. */
  term(i: bigint): bigint;
  lastIndex(): bigint;
  /** The first index possibly available via entries(); older entries live in the snapshot. */
  firstIndex(): bigint;
  /** The most recent snapshot; may throw ErrSnapshotTemporarilyUnavailable. */
  snapshot(): Snapshot;
}

/**
 * Storage backed by an array whose first element is a dummy entry holding the
 * index and term of the last compaction point (the snapshot), so term() works
 * one index below firstIndex().
 */
export class MemoryStorage implements Storage {
  private hardState: HardState = emptyHardState();
  private snap: Snapshot = emptySnapshot();
  /** ents[i] has log index i + ents[0].index. */
  private ents: Entry[] = [{ term: 0n, index: 0n, type: 0, data: undefined }];
  /** ents[0].index + 1, kept rather than recomputed: raft asks for it constantly. */
  private first = 1n;

  initialState(): InitialState {
    return { hardState: this.hardState, confState: this.snap.metadata.confState };
  }

  setHardState(hs: HardState): void {
    this.hardState = { term: hs.term, vote: hs.vote, commit: hs.commit };
  }

  entries(lo: bigint, hi: bigint, maxSize: number): Entry[] {
    const offset = this.ents[0].index;
    if (lo <= offset) throw new ErrCompacted();
    invariant(hi <= this.lastIndex() + 1n, () => `entries' hi(${hi}) is out of bound lastindex(${this.lastIndex()})`);
    // Only the dummy entry: nothing has been appended since the snapshot.
    if (this.ents.length === 1) throw new ErrUnavailable();
    return limitSize(this.ents.slice(Number(lo - offset), Number(hi - offset)), maxSize);
  }

  term(i: bigint): bigint {
    const offset = this.ents[0].index;
    if (i < offset) throw new ErrCompacted();
    const k = Number(i - offset);
    if (k >= this.ents.length) throw new ErrUnavailable();
    return this.ents[k].term;
  }

  lastIndex(): bigint {
    return this.ents[this.ents.length - 1].index;
  }

  firstIndex(): bigint {
    return this.first;
  }

  snapshot(): Snapshot {
    return this.snap;
  }

  /** Replaces the whole log with the snapshot; an older or equal snapshot is refused. */
  applySnapshot(snap: Snapshot): void {
    if (this.snap.metadata.index >= snap.metadata.index) throw new ErrSnapOutOfDate();
    this.snap = snap;
    this.ents = [{ term: snap.metadata.term, index: snap.metadata.index, type: 0, data: undefined }];
    this.first = snap.metadata.index + 1n;
  }

  /**
   * Records a snapshot of the state at index i (which must be applied). Pass the
   * ConfState of the last applied conf change if any happened since the last
   * snapshot; otherwise the previous one is kept.
   */
  createSnapshot(i: bigint, cs: ConfState | undefined, data: Uint8Array | undefined): Snapshot {
    if (i <= this.snap.metadata.index) throw new ErrSnapOutOfDate();
    const offset = this.ents[0].index;
    invariant(i <= this.lastIndex(), () => `snapshot ${i} is out of bound lastindex(${this.lastIndex()})`);
    this.snap = {
      data,
      metadata: { confState: cs ?? this.snap.metadata.confState, index: i, term: this.ents[Number(i - offset)].term },
    };
    return this.snap;
  }

  /** Discards entries before compactIndex; the entry at compactIndex becomes the new dummy. */
  compact(compactIndex: bigint): void {
    const offset = this.ents[0].index;
    if (compactIndex <= offset) throw new ErrCompacted();
    invariant(compactIndex <= this.lastIndex(), () => `compact ${compactIndex} is out of bound lastindex(${this.lastIndex()})`);
    const k = Number(compactIndex - offset);
    const dummy: Entry = { term: this.ents[k].term, index: this.ents[k].index, type: 0, data: undefined };
    const rest = this.ents.slice(k + 1);
    rest.unshift(dummy);
    this.ents = rest;
    this.first = compactIndex + 1n;
  }

  /**
   * Appends entries, which must be contiguous; entries overlapping the log
   * replace the tail from their first index on, and already compacted ones are
   * skipped.
   */
  append(entries: readonly Entry[]): void {
    if (entries.length === 0) return;
    const first = this.firstIndex();
    const last = entries[entries.length - 1].index;
    if (last < first) return;
    let from = 0;
    if (first > entries[0].index) from = Number(first - entries[0].index);
    const at = Number(entries[from].index - this.ents[0].index);
    invariant(at <= this.ents.length, () => `missing log entry [last: ${this.lastIndex()}, append at: ${entries[from].index}]`);
    // entries() hands out copies, so truncating in place cannot disturb a caller.
    this.ents.length = at;
    for (let i = from; i < entries.length; i++) this.ents.push(entries[i]);
  }
}
