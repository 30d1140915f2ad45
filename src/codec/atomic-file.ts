/**
 * Durable, atomic file replacement: write a temp file beside the target,
 * fsync it, rename it over the target, fsync the directory. A crash leaves
 * either the old file or the new one, never a mix.
 */
import { closeSync, copyFileSync, fchmodSync, fchownSync, fsyncSync, linkSync, openSync, readSync, renameSync, unlinkSync, writeSync, constants } from 'node:fs';
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
 * A file written in place of `path` (beside it, as a temp file) and swapped in
 * by commit(): positioned writes for formats whose head is known last (bbolt's
 * meta pages), reads back for a checksum over the whole. `exclusive` commits
 * refuse a `path` that exists by then (link, not rename), so nothing is replaced.
 */
/** Writes that continue one another are gathered up to this many bytes into one write call. */
const STAGE_BYTES = 1 << 20;

export class AtomicFileWriter {
  private readonly tmp: string;
  private fd: number | undefined;
  /** One past the highest byte written. */
  size = 0;
  /** Bytes written but not yet handed to the file: `staged` of them, for position `stagedAt` on. */
  private stage: Buffer | undefined;
  private stagedAt = 0;
  private staged = 0;

  constructor(
    readonly path: string,
    mode = 0o600,
    owner?: { uid: number; gid: number },
  ) {
    this.tmp = join(dirname(path), `.${basename(path)}.${process.pid}.tmp-walt`);
    const fd = openSync(this.tmp, 'w+', mode);
    this.fd = fd;
    try {
      fchmodSync(fd, mode);
      if (owner) fchownSync(fd, owner.uid, owner.gid);
    } catch (e) {
      this.abort();
      throw e;
    }
  }

  /** Writes `c` at `position` (default: the end); `c` may be reused once this returns. */
  write(c: Uint8Array, position = this.size): void {
    if (this.staged > 0 && (position !== this.stagedAt + this.staged || this.staged + c.length > STAGE_BYTES)) this.flushStage();
    if (c.length >= STAGE_BYTES) this.writeAt(c, position);
    else {
      this.stage ??= Buffer.allocUnsafe(STAGE_BYTES);
      if (this.staged === 0) this.stagedAt = position;
      this.stage.set(c, this.staged);
      this.staged += c.length;
    }
    this.size = Math.max(this.size, position + c.length);
  }

  private flushStage(): void {
    const n = this.staged;
    this.staged = 0;
    if (n > 0) this.writeAt(this.stage!.subarray(0, n), this.stagedAt);
  }

  private writeAt(c: Uint8Array, position: number): void {
    let off = 0;
    while (off < c.length) off += writeSync(this.openFd(), c, off, c.length - off, position + off);
  }

  /** Up to `length` bytes written at `position`, read into `into` when given (a pass over the whole file reuses one buffer). */
  read(position: number, length: number, into = Buffer.allocUnsafe(length)): Buffer {
    this.flushStage();
    const n = readSync(this.openFd(), into, 0, length, position);
    return into.subarray(0, n);
  }

  /** fsync, then rename (or link, when exclusive) over `path`, then fsync the directory. */
  commit(exclusive = false): void {
    this.flushStage();
    const fd = this.openFd();
    fsyncSync(fd);
    closeSync(fd);
    this.fd = undefined;
    try {
      if (exclusive) {
        linkSync(this.tmp, this.path);
        unlinkSync(this.tmp);
      } else {
        renameSync(this.tmp, this.path);
      }
    } catch (e) {
      unlinkSync(this.tmp);
      throw e;
    }
    fsyncDir(dirname(this.path));
  }

  /** Closes and removes the temp file; `path` is untouched. */
  abort(): void {
    this.staged = 0;
    if (this.fd === undefined) return;
    closeSync(this.fd);
    this.fd = undefined;
    unlinkSync(this.tmp);
  }

  private openFd(): number {
    if (this.fd === undefined) throw new Error(`${this.tmp} is closed`);
    return this.fd;
  }
}

/**
 * Writes `chunks` to `path` atomically, with exactly `mode` (the umask does not
 * narrow it) and, when given, `owner` (to replace a file in place as it was).
 */
export function writeFileAtomic(path: string, chunks: Iterable<Uint8Array>, mode = 0o600, owner?: { uid: number; gid: number }): void {
  const out = new AtomicFileWriter(path, mode, owner);
  try {
    for (const c of chunks) out.write(c);
  } catch (e) {
    out.abort();
    throw e;
  }
  out.commit();
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
