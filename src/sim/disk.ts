/**
 * A simulated node's disk: its data dir in etcd's layout (member/wal,
 * member/snap) written with the codec's WAL writer and .snap encoder, read
 * back at restart the way etcd reads it (etcdserver/storage.go readWAL: the
 * newest snapshot the WAL vouches for, then the WAL after it, a torn tail
 * repaired first), and able to crash in the middle of a write.
 *
 * etcd's backend file (member/snap/db, the v3 key space) is not written:
 * walt has no bbolt writer. A restarted node rebuilds its state machine up
 * to the snapshot it loads (see SimNode), as etcd's backend holds it.
 */
import { closeSync, mkdirSync, openSync, readSync, statSync, truncateSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { WalWriter } from '../codec/wal-writer.js';
import { chooseStart, openWal, type DataDirPaths } from '../codec/data-dir.js';
import { listSegments } from '../codec/segment-name.js';
import { encodeSnapFile, snapName } from '../codec/snap-file.js';
import { scanFailure } from '../codec/wal-scan.js';
import { standingEntries } from '../codec/wal-entries.js';
import { FRAME_HEADER_BYTES, readFrameSize } from '../codec/frame.js';
import { SECTOR_BYTES } from '../codec/torn.js';
import { RecordType, decodeRecord } from '../codec/proto/walpb.js';
import { decodeEntry, emptyHardState, isEmptyHardState, type Entry, type HardState, type Snapshot } from '../codec/proto/raftpb.js';
import { encodeMetadata, type WalMetadata } from '../codec/proto/metadata.js';
import { repairTail } from '../surgery/repair.js';
import type { Prng } from './prng.js';

/** A simulated WAL is small: the reader's default 4 MiB buffer would cost more to allocate than to read. */
const SCAN = { chunkBytes: 64 * 1024 };

export interface DiskOptions {
  /** Cut a new WAL segment past this size (etcd: 64,000,000 bytes). */
  segmentBytes?: number;
}

/** How a crash mid-write left the last record (etcd wal/decoder.go's two kinds of torn write). */
export type TearKind = 'cut-length' | 'cut-body' | 'zero-sector';

export interface Tear {
  kind: TearKind;
  segment: string;
  /** Where the torn record starts. */
  offset: number;
  /** The torn record was this entry (else the hard state). */
  entryIndex?: bigint;
}

export interface Recovered {
  snapshot?: Snapshot;
  hardState: HardState;
  /** The entries after the snapshot, as etcd's ReadAll returns them. */
  entries: Entry[];
  /** The torn tail cut off first, as etcd's wal.Repair does at start. */
  repaired?: { segment: string; offset: number; reason: string };
}

export class SimDisk {
  readonly paths: DataDirPaths;
  private readonly metadata: Uint8Array;
  private readonly opts: DiskOptions;
  private wal: WalWriter | undefined;
  /** The last hard state written whole: what survives a crash. */
  durableHardState: HardState = emptyHardState();
  /** Every entry written, with the WAL's overwrite rule applied: what a reader of the WAL must find. */
  readonly persisted: Entry[] = [];

  private constructor(dataDir: string, meta: WalMetadata, opts: DiskOptions) {
    this.paths = { dataDir, walDir: join(dataDir, 'member', 'wal'), snapDir: join(dataDir, 'member', 'snap') };
    this.metadata = encodeMetadata(meta);
    this.opts = opts;
  }

  /** A new member's data dir: wal.Create's first segment, and an empty snap dir. */
  static create(dataDir: string, meta: WalMetadata, opts: DiskOptions = {}): SimDisk {
    const d = new SimDisk(dataDir, meta, opts);
    mkdirSync(d.paths.snapDir!, { recursive: true });
    d.wal = WalWriter.create(d.paths.walDir, d.metadata, { sync: false, segmentBytes: opts.segmentBytes });
    return d;
  }

  private get writer(): WalWriter {
    if (this.wal === undefined) throw new Error(`${this.paths.walDir}: written to after a crash`);
    return this.wal;
  }

  /** wal.Save: entries, then the hard state (raft gives an empty one when it did not change). */
  save(hs: HardState | undefined, entries: Entry[]): void {
    this.writer.save(hs ?? emptyHardState(), entries);
    this.saved(hs, entries, entries.length);
  }

  /** Records what reached the disk whole: the first `count` entries, then the hard state if given. */
  private saved(hs: HardState | undefined, entries: Entry[], count: number): void {
    if (hs !== undefined && !isEmptyHardState(hs)) this.durableHardState = hs;
    if (count === 0) return;
    // A later entry at an index replaces the earlier ones from there on (ReadAll's rule).
    const first = entries[0].index;
    while (this.persisted.length > 0 && this.persisted[this.persisted.length - 1].index >= first) this.persisted.pop();
    for (let i = 0; i < count; i++) this.persisted.push(entries[i]);
  }

  /**
   * The node takes or receives a snapshot: the .snap file first, then its
   * record in the WAL (etcd 3.5's order, so that a WAL record never names a
   * missing file).
   */
  saveSnap(snap: Snapshot): void {
    const { index, term } = snap.metadata;
    writeFileSync(join(this.paths.snapDir!, snapName(term, index)), encodeSnapFile(snap), { mode: 0o600 });
    this.writer.saveSnapshot({ index, term });
  }

  /**
   * Saves a Ready as save() does, then damages its last record the way a
   * crash in the middle of the write would, and stops. Returns undefined (and
   * still stops) when the write started a new segment, since etcd's cut
   * renames a finished segment into place and cannot be torn that way.
   */
  saveTorn(hs: HardState | undefined, entries: Entry[], rng: Prng): Tear | undefined {
    const before = listSegments(this.paths.walDir);
    const last = before[before.length - 1];
    const start = statSync(last.path).size;
    this.writer.save(hs ?? emptyHardState(), entries);
    this.crash();
    if (listSegments(this.paths.walDir).length !== before.length) {
      this.saved(hs, entries, entries.length);
      return undefined;
    }
    const written = readRange(last.path, start, statSync(last.path).size);
    // The last frame written: walk the frames of this save.
    let frameEnd = 0;
    let lastAt = 0;
    while (frameEnd < written.length) {
      lastAt = frameEnd;
      const { recordBytes, padBytes } = readFrameSize(written, frameEnd);
      frameEnd += FRAME_HEADER_BYTES + recordBytes + padBytes;
    }
    const { recordBytes } = readFrameSize(written, lastAt);
    const rec = decodeRecord(written, lastAt + FRAME_HEADER_BYTES, lastAt + FRAME_HEADER_BYTES + recordBytes);
    const entryIndex = rec.type === RecordType.entry && rec.data ? decodeEntry(rec.data).index : undefined;
    const offset = start + lastAt;
    const bodyStart = offset + FRAME_HEADER_BYTES;
    const kind = rng.pick<TearKind>(['cut-length', 'cut-body', 'zero-sector']);
    if (kind === 'cut-length') truncateSync(last.path, offset + rng.range(1, FRAME_HEADER_BYTES - 1));
    else if (kind === 'cut-body') truncateSync(last.path, bodyStart + rng.int(recordBytes));
    else {
      // The sector-bounded piece holding the record's last byte never reached the disk.
      const dataEnd = bodyStart + recordBytes;
      const from = Math.max(bodyStart, Math.floor((dataEnd - 1) / SECTOR_BYTES) * SECTOR_BYTES);
      const to = Math.min(start + frameEnd, (Math.floor(from / SECTOR_BYTES) + 1) * SECTOR_BYTES);
      const fd = openSync(last.path, 'r+');
      try {
        writeSync(fd, new Uint8Array(to - from), 0, to - from, from);
      } finally {
        closeSync(fd);
      }
    }
    // What survived: everything before the torn record.
    this.saved(undefined, entries, entryIndex === undefined ? entries.length : entries.length - 1);
    return { kind, segment: last.name, offset, entryIndex };
  }

  /** The process dies: nothing more is written. */
  crash(): void {
    this.wal?.close();
    this.wal = undefined;
  }

  /**
   * etcd's restart: repair a torn tail, load the newest snapshot that a WAL
   * snapshot record vouches for, read the WAL after it; then open the WAL for
   * appending, in a new segment that carries the CRC chain on.
   */
  recover(): Recovered {
    let start = chooseStart(this.paths);
    let opened = openWal(this.paths, start.start, SCAN);
    let repaired: Recovered['repaired'];
    if (opened.scan.end.kind === 'torn') {
      const end = opened.scan.end;
      const r = repairTail(this.paths);
      if (r.action !== 'repaired') throw new Error(`${this.paths.walDir}: the torn tail was not repaired (${r.action}: ${r.refusal?.message ?? ''})`);
      repaired = { segment: end.segment.name, offset: end.offset, reason: end.reason };
      start = chooseStart(this.paths);
      opened = openWal(this.paths, start.start, SCAN);
    }
    const failure = scanFailure(opened.scan);
    if (failure) throw failure;
    if (start.start.index > 0n && !opened.scan.snapshotMatched) throw new Error(`${this.paths.walDir}: no WAL record of snapshot ${start.start.index}`);
    const entries: Entry[] = [];
    for (const { entry } of standingEntries(opened.segments, opened.scan)) entries.push({ ...entry, data: entry.data?.slice() });
    const hardState = opened.scan.hardState ?? emptyHardState();
    const segs = listSegments(this.paths.walDir);
    this.wal = WalWriter.resume(this.paths.walDir, this.metadata, hardState, segs[segs.length - 1].seq + 1n, opened.scan.lastIndex, opened.scan.endPosition.crc, {
      sync: false,
      segmentBytes: this.opts.segmentBytes,
    });
    return { snapshot: start.snap?.snapshot, hardState, entries, repaired };
  }
}

function readRange(path: string, from: number, to: number): Uint8Array {
  const buf = new Uint8Array(to - from);
  const fd = openSync(path, 'r');
  try {
    let off = 0;
    while (off < buf.length) {
      const n = readSync(fd, buf, off, buf.length - off, from + off);
      if (n === 0) break;
      off += n;
    }
  } finally {
    closeSync(fd);
  }
  return buf;
}
