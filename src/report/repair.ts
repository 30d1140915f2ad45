/**
 * `walt repair-tail`: what etcd's wal.Repair (wal/repair.go) does, with a
 * backup that is never overwritten, an atomic replacement, and a plan that
 * says first what would be lost. Repair reads the last segment alone, with a
 * fresh decoder (so the chain check of its first crc record is skipped), and
 * on io.ErrUnexpectedEOF truncates the file at the end of the last valid
 * record; every other error is not repairable. etcd itself calls it at start
 * (etcdserver/storage.go readWAL), so the result must be what etcd leaves.
 */
import { closeSync, existsSync, mkdirSync, openSync, readSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import { copyFileDurable, writeFileAtomic } from '../codec/atomic-file.js';
import type { DataDirPaths } from '../codec/data-dir.js';
import { RecordReader } from '../codec/record-reader.js';
import { listSegments, type Segment } from '../codec/segment-name.js';
import { verifyDataDir, type Verdict } from './verify.js';
import { damageRefusal, lockRefusal, restoreAdvice, type Refusal } from './preflight.js';
import { readDroppedRecords, type DroppedRecord } from './torn-tail.js';

export interface RepairPlan {
  walDir: string;
  /** What walt verify says of the WAL before any change (not asked while the WAL is locked). */
  verdict?: Verdict;
  /** The last segment, the one Repair reads. */
  segment: { name: string; path: string; size: number };
  /** Where the file is cut: the end of the last valid record (etcd's lastValidOff). */
  cutOffset?: number;
  droppedBytes?: number;
  /** Why the tail is torn, and where the torn record starts. */
  torn?: { offset: number; reason: string };
  /** What can still be framed in the dropped bytes, CRCs not checked. */
  droppedRecords: DroppedRecord[];
  /** The last entry and the commit index that remain. */
  lastIndex: bigint;
  commit?: bigint;
  /** The highest commit index in a dropped hard state that still decodes. */
  droppedCommit?: bigint;
  /** Dropped data that a hard state says was committed: acknowledged to clients. */
  committedLost: boolean;
  refusal?: Refusal;
}

export type RepairAction = 'none' | 'repaired' | 'would-repair' | 'refused';

export interface RepairResult extends RepairPlan {
  action: RepairAction;
  /** The whole original segment, kept before the change. */
  backup?: string;
}

export interface RepairOptions {
  dryRun?: boolean;
  /** Keep the original segment here instead of beside it. */
  backupDir?: string;
  /** The data dir as the user named it, for advice. */
  dataDirLabel?: string;
}

export function planRepair(paths: DataDirPaths, opts: RepairOptions = {}): RepairPlan {
  const segments = listSegments(paths.walDir);
  const last = segments[segments.length - 1];
  const base: RepairPlan = {
    walDir: paths.walDir,
    segment: { name: last.name, path: last.path, size: statSync(last.path).size },
    droppedRecords: [],
    lastIndex: 0n,
    committedLost: false,
  };
  const locked = lockRefusal(paths.walDir);
  if (locked) return { ...base, refusal: locked };

  // etcd repairs whatever the last segment alone says; walt first reads the whole log, so that
  // damage mid-log, which truncating the tail would not fix, is refused instead of hidden.
  // The log alone: a backend problem is not the WAL's to fix, and must not stop a cut of the log.
  const report = verifyDataDir(paths, { backend: false });
  const plan: RepairPlan = { ...base, verdict: report.verdict, lastIndex: report.lastIndex, commit: report.hardState?.commit };
  const refusal = damageRefusal(report, (p) => p.repairable === true, restoreAdvice(opts.dataDirLabel ?? paths.dataDir ?? paths.walDir));
  if (refusal) return { ...plan, refusal: { ...refusal, message: `not a torn tail, so not repairable by truncating: ${refusal.message}` } };
  if (report.verdict === 'healthy') return plan;

  const reader = new RecordReader([last]);
  while (reader.next());
  const end = reader.end;
  if (end?.kind !== 'torn') {
    // verify saw a torn tail in this segment; read alone it must be torn too.
    throw new Error(`${last.path}: read alone, the last segment ends with ${end?.kind === 'error' ? end.error.describe() : 'no torn record'}, unlike the whole log`);
  }
  const cutOffset = reader.lastValidOffset;
  plan.cutOffset = cutOffset;
  plan.droppedBytes = plan.segment.size - cutOffset;
  plan.torn = { offset: end.offset, reason: end.reason };
  plan.droppedRecords = readDroppedRecords(last.path, cutOffset);
  judgeLoss(plan);
  return plan;
}

/**
 * Does the cut lose acknowledged data? etcd saves entries before the hard
 * state that commits them (wal.Save), so a torn tail normally holds only
 * entries above the surviving commit; but a torn sector mid-write can take an
 * entry whose committing hard state was written after it and still reads.
 */
function judgeLoss(plan: RepairPlan): void {
  let droppedCommit: bigint | undefined;
  for (const r of plan.droppedRecords) if (r.hardState && (droppedCommit === undefined || r.hardState.commit > droppedCommit)) droppedCommit = r.hardState.commit;
  plan.droppedCommit = droppedCommit;
  const commit = [plan.commit ?? 0n, droppedCommit ?? 0n].reduce((a, b) => (a > b ? a : b));
  plan.committedLost = commit > plan.lastIndex || plan.droppedRecords.some((r) => r.entry !== undefined && r.entry.index <= commit);
}

/** Plans and, unless a dry run, repairs; a second run finds nothing to do. */
export function repairTail(paths: DataDirPaths, opts: RepairOptions = {}): RepairResult {
  const plan = planRepair(paths, opts);
  if (plan.refusal) return { action: 'refused', ...plan };
  if (plan.cutOffset === undefined) return { action: 'none', ...plan };
  if (opts.dryRun) return { action: 'would-repair', ...plan };

  const seg = plan.segment;
  const st = statSync(seg.path);
  if (opts.backupDir) mkdirSync(opts.backupDir, { recursive: true, mode: 0o700 });
  const backup = freeBackupName(opts.backupDir ?? paths.walDir, seg.name);
  copyFileDurable(seg.path, backup);
  // As root, keep the file etcd's own user owns; otherwise the new file is ours, as the old one was.
  const owner = process.getuid?.() === 0 && st.uid !== 0 ? { uid: st.uid, gid: st.gid } : undefined;
  writeFileAtomic(seg.path, readPrefix(seg.path, plan.cutOffset), st.mode & 0o7777, owner);
  checkRepaired(listSegments(paths.walDir));
  return { action: 'repaired', ...plan, backup };
}

/** `<name>.broken` as etcd names it, else `.broken.1`, `.broken.2`, …: an earlier backup is never overwritten. */
function freeBackupName(dir: string, name: string): string {
  const first = join(dir, `${basename(name)}.broken`);
  if (!existsSync(first)) return first;
  for (let i = 1; ; i++) {
    const p = `${first}.${i}`;
    if (!existsSync(p)) return p;
  }
}

function* readPrefix(path: string, length: number): Generator<Uint8Array> {
  const fd = openSync(path, 'r');
  try {
    const buf = new Uint8Array(Math.min(length, 1 << 20));
    for (let off = 0; off < length; ) {
      const n = readSync(fd, buf, 0, Math.min(buf.length, length - off), off);
      if (n === 0) throw new Error(`${path}: ends at byte ${off}, before ${length}`);
      yield buf.subarray(0, n);
      off += n;
    }
  } finally {
    closeSync(fd);
  }
}

/** The repaired segment, read alone as etcd reads it, now ends cleanly. */
function checkRepaired(segments: Segment[]): void {
  const reader = new RecordReader([segments[segments.length - 1]]);
  while (reader.next());
  if (reader.end?.kind !== 'eof') throw new Error(`${segments[segments.length - 1].path}: still not clean after the repair`);
}
