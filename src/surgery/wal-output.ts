/**
 * Where a rewritten WAL goes. It is always built complete in a temp dir
 * beside its destination and fsynced, then moved in with renames and a dir
 * fsync, so that etcd never sees half a WAL: a new data dir (--out: the WAL,
 * and member/snap copied so that etcd can start on it), or in place of the old
 * WAL, which is moved aside whole as the backup.
 */
import { chownSync, existsSync, mkdirSync, readdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { copyFileDurable, fsyncDir } from '../codec/atomic-file.js';
import { parseSnapName } from '../codec/snap-file.js';

export interface Staging {
  /** Where the new segments are written. */
  tempDir: string;
  /** Where they end up. */
  walDir: string;
}

/** A dir that exists and holds anything: --out refuses it rather than mixing two data dirs. */
export function outDirInUse(out: string): boolean {
  return existsSync(out) && (!statSync(out).isDirectory() || readdirSync(out).length > 0);
}

/** A fresh temp dir beside `walDir`, with the source WAL dir's mode (etcd makes it 0700). */
export function stage(walDir: string, mode: number): Staging {
  const parent = dirname(walDir);
  mkdirSync(parent, { recursive: true, mode: 0o700 });
  const tempDir = join(parent, `.${basename(walDir)}.walt-new-${process.pid}`);
  rmSync(tempDir, { recursive: true, force: true }); // left by an earlier run of ours that crashed
  mkdirSync(tempDir, { mode });
  return { tempDir, walDir };
}

export function discard(s: Staging): void {
  rmSync(s.tempDir, { recursive: true, force: true });
}

/**
 * --out: moves the new WAL in and copies the snapshot dir beside it, leaving
 * out .snap files that `keepSnap` refuses (those after a --drop-after cut,
 * which the WAL no longer has records of). Returns the files left out.
 */
export function publishNew(s: Staging, snapDir: string | undefined, keepSnap: (index: bigint) => boolean): string[] {
  renameSync(s.tempDir, s.walDir);
  fsyncDir(dirname(s.walDir));
  if (!snapDir) return [];
  const dest = join(dirname(s.walDir), 'snap');
  mkdirSync(dest, { mode: statSync(snapDir).mode & 0o7777 });
  const left: string[] = [];
  for (const name of readdirSync(snapDir)) {
    const src = join(snapDir, name);
    if (!statSync(src).isFile()) continue;
    const snap = parseSnapName(name);
    if (snap?.kind === 'snap' && snap.index !== undefined && !keepSnap(snap.index)) {
      left.push(name);
      continue;
    }
    copyFileDurable(src, join(dest, name));
  }
  fsyncDir(dirname(dest));
  return left;
}

/**
 * --in-place: the old WAL dir becomes the backup (`wal.walt-backup-<time>`
 * beside it, or a copy under `backupDir`) and the new one takes its name.
 * Between the two renames there is no WAL dir; a crash there leaves both the
 * backup and the new dir, named, to be renamed back by hand.
 */
export function swapInPlace(s: Staging, backupDir?: string): string {
  const parent = dirname(s.walDir);
  const base = basename(s.walDir);
  // Run as root on a WAL etcd's own user owns, the new one must be that user's too, or etcd cannot open it.
  const { uid, gid } = statSync(s.walDir);
  if (process.getuid?.() === 0 && uid !== 0) {
    for (const name of readdirSync(s.tempDir)) chownSync(join(s.tempDir, name), uid, gid);
    chownSync(s.tempDir, uid, gid);
  }
  if (!backupDir) {
    const backup = freeName(join(parent, `${base}.walt-backup-${stamp()}`));
    renameSync(s.walDir, backup);
    renameSync(s.tempDir, s.walDir);
    fsyncDir(parent);
    return backup;
  }
  // Another file system, maybe: copy the old WAL there first, durably, then swap and drop it here.
  const backup = freeName(join(backupDir, `${base}.walt-backup-${stamp()}`));
  mkdirSync(backup, { recursive: true, mode: 0o700 });
  for (const name of readdirSync(s.walDir)) {
    if (statSync(join(s.walDir, name)).isFile()) copyFileDurable(join(s.walDir, name), join(backup, name));
  }
  const old = join(parent, `.${base}.walt-old-${process.pid}`);
  renameSync(s.walDir, old);
  renameSync(s.tempDir, s.walDir);
  fsyncDir(parent);
  rmSync(old, { recursive: true, force: true });
  return backup;
}

const stamp = () => new Date().toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');

function freeName(p: string): string {
  if (!existsSync(p)) return p;
  for (let i = 1; ; i++) if (!existsSync(`${p}.${i}`)) return `${p}.${i}`;
}
