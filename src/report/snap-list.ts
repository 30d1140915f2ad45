/**
 * `walt snap list`: every file etcd keeps in member/snap, each `.snap` checked
 * as etcd's snap.Read checks it (etcdserver/api/snap/snapshotter.go), and the
 * snapshot etcd would load at start under two rules: etcd 3.4.23's (the newest
 * `.snap` that has a WAL snapshot record at or below the committed index:
 * Snapshotter.LoadNewestAvailable with wal.ValidSnapshotEntries, etcd PR
 * #11888) and older etcd's (the newest whose CRC holds: Snapshotter.Load).
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { CodecError } from '../codec/errors.js';
import { chooseStart, type DataDirPaths } from '../codec/data-dir.js';
import { fileSize, listSnapFiles, loadNewestSnap, readSnapFile, type LoadedSnap, type SnapFileKind } from '../codec/snap-file.js';
import { idHex } from '../codec/proto/metadata.js';
import { hex32 } from '../codec/record-reader.js';
import type { ConfState } from '../codec/proto/raftpb.js';
import { checkDataDirBackend } from './backend.js';
import type { Problem, Severity } from './problem.js';

/**
 * How bad a .snap that does not read is, for `verify` and `snap list` alike:
 * etcd renames it `.broken` and loads the next one named in the WAL
 * (Snapshotter.LoadNewestAvailable), so while some snapshot still loads it
 * starts (a warning); with none left it is an error.
 */
export const brokenSnapSeverity = (loaded: string | undefined | null): Severity => (loaded ? 'warning' : 'error');

/** snap.Read's outcomes: ErrEmptySnapshot, ErrCRCMismatch, an unmarshal error, or a snapshot. */
export type SnapStatus = 'ok' | 'mismatch' | 'empty' | 'undecodable';

export interface SnapCheck {
  status: SnapStatus;
  reason?: string;
  /** The CRC-32C the envelope stores, and the one its data computes (when the envelope decodes), in hex. */
  storedCrc?: string;
  computedCrc?: string;
  loaded?: LoadedSnap;
}

/** snap.Read's verdict on one file, as a status rather than an exception. */
export function checkSnapFile(path: string): SnapCheck {
  try {
    const loaded = readSnapFile(path);
    return { status: 'ok', storedCrc: hex32(loaded.crc), computedCrc: hex32(loaded.crc), loaded };
  } catch (e) {
    if (!(e instanceof CodecError)) throw e;
    switch (e.code) {
      case 'SNAP_CRC_MISMATCH':
        return { status: 'mismatch', reason: e.message, storedCrc: hex32(e.data.expected as number), computedCrc: hex32(e.data.actual as number) };
      case 'SNAP_EMPTY':
        return { status: 'empty', reason: e.message };
      case 'BAD_PROTO':
        return { status: 'undecodable', reason: e.message };
      default:
        throw e;
    }
  }
}

/** A ConfState with member IDs as etcd prints them (types.ID: lowercase hex). */
export interface ConfStateView {
  voters: string[];
  learners: string[];
  votersOutgoing: string[];
  learnersNext: string[];
  autoLeave: boolean;
}

export const confStateView = (cs: ConfState): ConfStateView => ({
  voters: cs.voters.map(idHex),
  learners: cs.learners.map(idHex),
  votersOutgoing: cs.votersOutgoing.map(idHex),
  learnersNext: cs.learnersNext.map(idHex),
  autoLeave: cs.autoLeave,
});

/** The file names used in reports: `.snap`, `.snap.broken`, `.snap.db`, and the backend `db`. */
export type SnapListKind = 'snap' | 'snap.broken' | 'snap.db' | 'db';

const KIND: Record<SnapFileKind, SnapListKind> = { snap: 'snap', broken: 'snap.broken', db: 'snap.db' };

export interface SnapListFile {
  name: string;
  path: string;
  kind: SnapListKind;
  size: number;
  /** From the metadata inside when the file reads, else from its name. */
  term?: bigint;
  index?: bigint;
  /** For .snap and .snap.broken files. */
  crc?: { status: SnapStatus; reason?: string; stored?: string; computed?: string };
  confState?: ConfStateView;
  /** The name says another term or index than the metadata inside. */
  nameMismatch?: string;
}

export interface SnapList {
  snapDir: string;
  files: SnapListFile[];
  /** The .snap each rule loads (null: none; etcd then reads the WAL from its start). */
  loads: { etcd3423: string | null; newestValid: string | null };
  /** The backend etcd opens at start, judged as verify judges it (report/backend.ts). */
  backendProblems: Problem[];
  /** etcd would start on these files: a broken .snap is survived while another loads, and the backend opens. */
  ok: boolean;
}

export function listSnapshots(paths: DataDirPaths): SnapList {
  const snapDir = paths.snapDir;
  if (!snapDir) throw new CodecError('NOT_A_DATA_DIR', 'no member/snap dir beside the WAL', { file: paths.dataDir ?? paths.walDir });
  const files: SnapListFile[] = listSnapFiles(snapDir).map((f) => {
    const out: SnapListFile = { name: f.name, path: f.path, kind: KIND[f.kind], size: fileSize(f.path), term: f.term, index: f.index };
    if (f.kind === 'db') return out;
    const c = checkSnapFile(f.path);
    out.crc = { status: c.status, reason: c.reason, stored: c.storedCrc, computed: c.computedCrc };
    const meta = c.loaded?.snapshot.metadata;
    if (meta) {
      if (meta.term !== f.term || meta.index !== f.index) out.nameMismatch = `the name says term ${f.term} index ${f.index}; the metadata inside says term ${meta.term} index ${meta.index}`;
      out.term = meta.term;
      out.index = meta.index;
      out.confState = confStateView(meta.confState);
    }
    return out;
  });
  // The live backend: always current, never named by index (etcdserver/api/snap/db.go DBFilePath).
  const db = join(snapDir, 'db');
  if (existsSync(db)) files.push({ name: 'db', path: db, kind: 'db', size: fileSize(db) });
  const start = chooseStart(paths);
  const etcd3423 = start.snap?.file.name ?? null;
  const backendProblems = checkDataDirBackend({ snapDir, snapshot: { index: start.start.index, term: start.start.term, file: start.snap?.file.name } }).problems;
  const brokenSnaps = files.some((f) => f.kind === 'snap' && f.crc?.status !== 'ok');
  return {
    snapDir,
    files,
    loads: { etcd3423, newestValid: loadNewestSnap(snapDir).loaded?.file.name ?? null },
    backendProblems,
    ok: !(brokenSnaps && brokenSnapSeverity(etcd3423) === 'error') && !backendProblems.some((p) => p.severity === 'error'),
  };
}
