/**
 * What `walt repair-tail` would do, read-only: what etcd's wal.Repair
 * (wal/repair.go) would cut from the last segment, whether walt refuses it
 * (a running etcd, damage a cut does not fix), and what the cut loses.
 * surgery/repair.ts carries it out; verify shows it.
 */
import { statSync } from 'node:fs';
import type { DataDirPaths } from '../codec/data-dir.js';
import { RecordReader } from '../codec/record-reader.js';
import { listSegments } from '../codec/segment-name.js';
import type { Verdict } from './problem.js';
import { verifyDataDir } from './verify.js';
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

export interface RepairOptions {
  /** Plan only (surgery/repair.ts). */
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
