/**
 * Writes a WAL as etcd's wal.Create/Save/SaveSnapshot/cut do (wal/wal.go), so
 * that etcd reads what walt writes: the first segment opens with a crc record,
 * the metadata and an empty snapshot record; each later segment with a crc
 * record carrying the chain, the metadata and the last hard state.
 * Segments are not preallocated: etcd reads a short segment as it reads one
 * whose zeroed tail was never written.
 */
import { closeSync, fsyncSync, mkdirSync, openSync, renameSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { RecordEncoder } from './encoder.js';
import { fsyncDir } from './atomic-file.js';
import { walName } from './segment-name.js';
import { RecordType, encodeWalSnapshot, type WalSnapshot } from './proto/walpb.js';
import { encodeEntry, encodeHardState, isEmptyHardState, emptyHardState, type Entry, type HardState } from './proto/raftpb.js';

/** etcd's SegmentSizeBytes: a segment is cut once it grows past this. */
export const SEGMENT_BYTES = 64 * 1000 * 1000;

export interface WalWriterOptions {
  segmentBytes?: number;
  /** fsync on every save that raft says must be synced (off for simulations and tests). */
  sync?: boolean;
}

export class WalWriter {
  readonly dir: string;
  private readonly metadata: Uint8Array;
  private readonly segmentBytes: number;
  private readonly syncWrites: boolean;
  private encoder: RecordEncoder;
  private fd = -1;
  private seq: bigint;
  private size = 0;
  /** Index of the last entry written (etcd's enti). */
  private lastIndex = 0n;
  private state: HardState = emptyHardState();

  private constructor(dir: string, metadata: Uint8Array, opts: WalWriterOptions, seq: bigint, prevCrc: number) {
    this.dir = dir;
    this.metadata = metadata;
    this.segmentBytes = opts.segmentBytes ?? SEGMENT_BYTES;
    this.syncWrites = opts.sync ?? true;
    this.encoder = new RecordEncoder(prevCrc);
    this.seq = seq;
  }

  /** wal.Create: a new WAL in `dir` (created if missing) holding `metadata`. */
  static create(dir: string, metadata: Uint8Array, opts: WalWriterOptions = {}): WalWriter {
    mkdirSync(dir, { recursive: true });
    const w = new WalWriter(dir, metadata, opts, 0n, 0);
    w.openSegment(walName(0n, 0n));
    w.write(RecordType.crc);
    w.write(RecordType.metadata, metadata);
    w.saveSnapshot({ index: 0n, term: 0n });
    return w;
  }

  /**
   * Continues an existing WAL in a new segment numbered `seq` (one past the
   * last segment's sequence), named for the entry after `lastIndex`, with the
   * CRC chain carried on from `prevCrc`: as etcd's cut() starts a segment.
   */
  static resume(dir: string, metadata: Uint8Array, state: HardState, seq: bigint, lastIndex: bigint, prevCrc: number, opts: WalWriterOptions = {}): WalWriter {
    const w = new WalWriter(dir, metadata, opts, seq, prevCrc);
    w.lastIndex = lastIndex;
    w.state = state;
    w.startSegment();
    return w;
  }

  private openSegment(name: string): void {
    this.fd = openSync(join(this.dir, name), 'wx', 0o600);
    this.size = 0;
  }

  private write(type: RecordType, data?: Uint8Array): void {
    const frame = this.encoder.encode(type, data);
    let off = 0;
    while (off < frame.length) off += writeSync(this.fd, frame, off, frame.length - off);
    this.size += frame.length;
  }

  private writeState(st: HardState): void {
    if (isEmptyHardState(st)) return;
    this.state = st;
    this.write(RecordType.state, encodeHardState(st));
  }

  /** wal.Save: entries, then the hard state; cuts a new segment once this one is full. */
  save(st: HardState, entries: Entry[]): void {
    if (isEmptyHardState(st) && entries.length === 0) return;
    for (const e of entries) {
      this.write(RecordType.entry, encodeEntry(e));
      this.lastIndex = e.index;
    }
    this.writeState(st);
    if (this.size >= this.segmentBytes) this.cut();
    else if (this.syncWrites) fsyncSync(this.fd);
  }

  /** wal.SaveSnapshot: marks in the WAL that a snapshot at this index and term exists. */
  saveSnapshot(s: WalSnapshot): void {
    this.write(RecordType.snapshot, encodeWalSnapshot(s));
    if (this.lastIndex < s.index) this.lastIndex = s.index;
    if (this.syncWrites) fsyncSync(this.fd);
  }

  /** wal.cut: closes this segment and starts the next, named by sequence and the next index expected. */
  cut(): void {
    this.closeSegment();
    this.seq++;
    this.startSegment();
  }

  private startSegment(): void {
    // Written under a temporary name and renamed, as etcd does, so a crash never leaves a half-made segment.
    const name = walName(this.seq, this.lastIndex + 1n);
    const tmp = `${name}.tmp-walt`;
    this.openSegment(tmp);
    this.write(RecordType.crc);
    this.write(RecordType.metadata, this.metadata);
    this.writeState(this.state);
    fsyncSync(this.fd);
    renameSync(join(this.dir, tmp), join(this.dir, name));
    fsyncDir(this.dir);
  }

  private closeSegment(): void {
    if (this.fd < 0) return;
    fsyncSync(this.fd);
    closeSync(this.fd);
    this.fd = -1;
  }

  /** The running CRC, to chain a later writer onto this one. */
  get crc(): number {
    return this.encoder.crc;
  }

  close(): void {
    this.closeSegment();
    fsyncDir(this.dir);
  }
}
