/**
 * `walt repair-tail`: what etcd's wal.Repair (wal/repair.go) does, with a
 * backup that is never overwritten, an atomic replacement, and a plan that
 * says first what would be lost. Repair reads the last segment alone, with a
 * fresh decoder (so the chain check of its first crc record is skipped), and
 * on io.ErrUnexpectedEOF truncates the file at the end of the last valid
 * record; every other error is not repairable. etcd itself calls it at start
 * (etcdserver/storage.go readWAL), so the result must be what etcd leaves.
 */

import { mkdirSync, closeSync, existsSync, openSync, readSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import { copyFileDurable, writeFileAtomic } from '../codec/atomic-file.js';
import type { DataDirPaths } from '../codec/data-dir.js';
import { RecordReader } from '../codec/record-reader.js';
import { listSegments, type Segment } from '../codec/segment-name.js';
import { planRepair, type RepairOptions, type RepairPlan } from '../report/repair-plan.js';


export type RepairAction = 'none' | 'repaired' | 'would-repair' | 'refused';

export interface RepairResult extends RepairPlan {
  action: RepairAction;
  /** The whole original segment, kept before the change. */
  backup?: string;
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
