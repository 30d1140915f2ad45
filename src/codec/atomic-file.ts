/**
 * Durable, atomic file replacement: write a temp file beside the target,
 * fsync it, rename it over the target, fsync the directory. A crash leaves
 * either the old file or the new one, never a mix.
 */
import { closeSync, copyFileSync, fchmodSync, fchownSync, fsyncSync, openSync, renameSync, unlinkSync, writeSync, constants } from 'node:fs';
import { basename, dirname, join } from 'node:path';

export function fsyncDir(dir: string): void {
  const fd = openSync(dir, constants.O_RDONLY);
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/**
 * Writes `chunks` to `path` atomically, with exactly `mode` (the umask does not
 * narrow it) and, when given, `owner` (to replace a file in place as it was).
 */
export function writeFileAtomic(path: string, chunks: Iterable<Uint8Array>, mode = 0o600, owner?: { uid: number; gid: number }): void {
  const tmp = join(dirname(path), `.${basename(path)}.${process.pid}.tmp-walt`);
  const fd = openSync(tmp, 'w', mode);
  try {
    fchmodSync(fd, mode);
    if (owner) fchownSync(fd, owner.uid, owner.gid);
    for (const c of chunks) {
      let off = 0;
      while (off < c.length) off += writeSync(fd, c, off, c.length - off);
    }
    fsyncSync(fd);
  } catch (e) {
    closeSync(fd);
    unlinkSync(tmp);
    throw e;
  }
  closeSync(fd);
  renameSync(tmp, path);
  fsyncDir(dirname(path));
}

/** Copies `src` to `dst` durably (the backup before any change), refusing to overwrite. */
export function copyFileDurable(src: string, dst: string): void {
  copyFileSync(src, dst, constants.COPYFILE_EXCL);
  const fd = openSync(dst, 'r+');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  fsyncDir(dirname(dst));
}
