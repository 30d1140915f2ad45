/**
 * An etcd data dir (DATA/member/wal, DATA/member/snap) and where a read of it
 * starts: the snapshot etcd 3.4.23+ would load at start (etcdserver/server.go:
 * the newest .snap whose term and index match a snapshot record in the WAL at
 * or below the last hard state's commit, wal.ValidSnapshotEntries).
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { CodecError } from './errors.js';
import { newSkim, RecordReader } from './record-reader.js';
import { listSegments, parseWalName, selectSegments, type Segment } from './segment-name.js';
import { listSnapFiles, loadNewestSnap, type LoadedSnap, type SnapLoadAttempt } from './snap-file.js';
import { RecordType, decodeWalSnapshot, type WalSnapshot } from './proto/walpb.js';
import { decodeHardState } from './proto/raftpb.js';
import { scanWal, type ScanOptions, type WalScan } from './wal-scan.js';

export interface DataDirPaths {
  /** The data dir, when one was given. */
  dataDir?: string;
  /** The WAL dir, or one segment file (`segmentFile`). */
  walDir: string;
  snapDir?: string;
  /** walDir names one segment, read alone from its first entry, as pg_waldump reads a file. */
  segmentFile?: boolean;
}

const isDir = (p: string) => existsSync(p) && statSync(p).isDirectory();

/**
 * Accepts a data dir, a member dir, or a WAL dir; `walDir` overrides where
 * segments are. With `segmentFile`, also one segment file (%016x-%016x.wal).
 */
export function resolveDataDir(path: string, walDir?: string, opts: { segmentFile?: boolean } = {}): DataDirPaths {
  if (!existsSync(path)) throw new CodecError('NOT_A_DATA_DIR', 'no such file or directory', { file: path });
  if (opts.segmentFile && !isDir(path) && parseWalName(basename(path))) {
    if (walDir) throw new CodecError('NOT_A_DATA_DIR', 'a segment file is its own WAL; --wal-dir goes with a data dir', { file: path });
    return { walDir: path, segmentFile: true };
  }
  if (!isDir(path)) throw new CodecError('NOT_A_DATA_DIR', 'not a directory (give an etcd data dir or a WAL dir)', { file: path });
  for (const member of [join(path, 'member'), path]) {
    if (isDir(join(member, 'wal')) || (walDir && isDir(join(member, 'snap')))) {
      return { dataDir: path, walDir: walDir ?? join(member, 'wal'), snapDir: isDir(join(member, 'snap')) ? join(member, 'snap') : undefined };
    }
  }
  if (readdirSync(path).some((n) => n.endsWith('.wal'))) {
    const sibling = join(dirname(path), 'snap');
    return { walDir: walDir ?? path, snapDir: isDir(sibling) ? sibling : undefined };
  }
  throw new CodecError('NOT_A_DATA_DIR', 'not an etcd data dir: no member/wal and no *.wal files', { file: path });
}

/**
 * wal.ValidSnapshotEntries: snapshot records of all segments, from the first
 * one on, kept where index ≤ the last hard state's commit; `error` where the
 * read fails before the end (a CRC, a record, the CRC chain between segments),
 * which etcd's server refuses to start on (etcdserver/server.go NewServer).
 * A torn last record ends the read, as io.ErrUnexpectedEOF does there.
 */
export function validSnapshotEntries(segments: Segment[]): { snaps: WalSnapshot[]; error?: CodecError; checkedEnds?: Map<string, number> } {
  const snaps: WalSnapshot[] = [];
  let commit = 0n;
  // CRCs are checked here too, as etcd's ValidSnapshotEntries checks them: a torn last record must end the read, not be decoded.
  const reader = new RecordReader(segments);
  const skim = newSkim();
  for (;;) {
    // Entries need only their CRCs here: runs of them (and hard states) are skimmed, the rest read one by one.
    skim.startIndex = Number.MAX_SAFE_INTEGER;
    skim.term = 0;
    reader.skim(skim);
    if (skim.stateOffset >= 0) commit = decodeHardState(reader.buffer.subarray(skim.stateStart, skim.stateEnd)).commit;
    if (skim.records > 0) continue;
    const rec = reader.next();
    if (!rec) break;
    if (rec.type === RecordType.snapshot && rec.data) snaps.push(decodeWalSnapshot(rec.data));
    else if (rec.type === RecordType.state && rec.data) commit = decodeHardState(rec.data).commit;
  }
  reader.close();
  const end = reader.end;
  return { snaps: snaps.filter((s) => s.index <= commit), error: end?.kind === 'error' ? end.error : undefined, checkedEnds: end?.kind === 'eof' ? new Map(segments.map((s, i) => [s.name, reader.segmentEnds[i]])) : undefined };
}

export interface StartPoint {
  start: WalSnapshot;
  snap?: LoadedSnap;
  tried: SnapLoadAttempt[];
  /** Why etcd would not start: reading every segment for its snapshot records failed. */
  refused?: CodecError;
  /**
   * When every segment read to its end with every CRC holding: where each
   * segment's records ended then, by name. A later pass may trust the CRCs
   * before those offsets (trustedCrcs).
   */
  crcsChecked?: Map<string, number>;
  /**
   * Chosen with `startOnly` where no .snap file exists: the read of every
   * segment was left to the caller's own scan from index 0, and `refused`
   * is not known until refusalAfterScan.
   */
  refusalDeferred?: true;
}

/**
 * etcd's refusal to start (wal.ValidSnapshotEntries) once `scan` has read
 * `read` from index 0. Where those are every segment and the scan stopped at
 * none of ReadAll's own checks, its reader went where ValidSnapshotEntries'
 * goes, checking the same CRCs, so its end decides and no second read is
 * needed; otherwise that read runs now.
 */
export function refusalAfterScan(paths: DataDirPaths, start: StartPoint, read: Segment[], scan: WalScan): CodecError | undefined {
  if (!start.refusalDeferred) return start.refused;
  const all = listSegments(paths.walDir);
  if (!scan.error && read.length === all.length && read.every((s, i) => s.path === all[i].path)) {
    return scan.end.kind === 'error' ? scan.end.error : undefined;
  }
  return validSnapshotEntries(all).error;
}

/** RecordReaderOptions.trustCrcBefore for `segments`: what chooseStart's read checked of each. */
export function trustedCrcs(start: StartPoint, segments: Segment[]): number[] | undefined {
  const checked = start.crcsChecked;
  return checked && segments.map((s) => checked.get(s.name) ?? 0);
}

/**
 * Where etcd would start reading this data dir. With `startOnly`, a dir with
 * no .snap file starts at index 0 without the read of every segment, whose
 * refusal (and CRC checks) that start does not depend on: for a first screen
 * that a full check follows.
 */
export function chooseStart(paths: DataDirPaths, opts: { startOnly?: boolean } = {}): StartPoint {
  if (!paths.snapDir) return { start: { index: 0n, term: 0n }, tried: [] };
  if (opts.startOnly && listSnapFiles(paths.snapDir).length === 0) return { start: { index: 0n, term: 0n }, tried: [], refusalDeferred: true };
  const { snaps: walSnaps, error: refused, checkedEnds: crcsChecked } = validSnapshotEntries(listSegments(paths.walDir));
  if (refused) return { start: { index: 0n, term: 0n }, tried: [], refused };
  const { loaded, tried } = loadNewestSnap(paths.snapDir, (s) =>
    walSnaps.some((w) => w.index === s.metadata.index && w.term === s.metadata.term),
  );
  if (!loaded) return { start: { index: 0n, term: 0n }, tried, crcsChecked };
  return { start: { index: loaded.snapshot.metadata.index, term: loaded.snapshot.metadata.term }, snap: loaded, tried, crcsChecked };
}

export interface OpenedWal {
  paths: DataDirPaths;
  segments: Segment[];
  scan: WalScan;
}

/** Selects the segments for `start` as etcd does and scans them. */
export function openWal(paths: DataDirPaths, start: WalSnapshot, opts: ScanOptions = {}): OpenedWal {
  const segments = selectSegments(paths.walDir, start.index);
  return { paths, segments, scan: scanWal(segments, start, opts) };
}
