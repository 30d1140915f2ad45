/**
 * The key space's values, held off the JS heap. A replay writes every value
 * once and keeps it until the key is written again: as JS strings, each one
 * would be copied by the young-generation collector on its way to the old
 * one, and those copies were a quarter of a replay's time. Here a value is
 * copied once into a shared slab, and the heap holds only a small reference.
 *
 * Memory stays proportional to the live values: a slab (other than the one
 * being filled) that drops below half live has its live values moved to the
 * current slab and is let go, so no slab is held by a few survivors, and the
 * slabs hold at most twice the live bytes, plus the slab being filled. A few
 * emptied slabs are kept for reuse: touching fresh memory (a page fault per
 * 4 KB) cost as much as the copies themselves.
 *
 * With a spill directory (restore, which keeps every revision) a full slab is
 * written to an unlinked temporary file there and its memory reused, so the
 * process holds one slab whatever the history; a spilled value reads back
 * from the file, and its bytes stay there when released.
 */
import { closeSync, openSync, readSync, unlinkSync, writeSync } from 'node:fs';
import { join } from 'node:path';

const SLAB_BYTES = 1 << 20;
const SPARE_SLABS = 8;
/** A spilled value read at most this far past the last one read starts a read-ahead window. */
const READ_AHEAD_GAP = 64 << 10;

interface Slab {
  /** Undefined once spilled. */
  bytes: Buffer | undefined;
  /** Where a spilled slab's bytes are. */
  spill?: { file: SpillFile; pos: number };
  used: number;
  live: number;
  /** Every value put in this slab, released ones included until the slab is compacted. */
  refs: ValueRef[];
}

/**
 * One value; its bytes may move between slabs, so it is read through the
 * reference. A holder may extend it (the index's revisions do), so that a
 * value costs no object of its own.
 */
export class ValueRef {
  /** @internal */ slab: Slab | undefined = undefined;
  /** @internal */ off = 0;
  length = 0;
  /** @internal */ live = false;

  /** A view of the bytes, valid until the next put, release, or read of a spilled value in the same ValueSlabs. */
  view(): Buffer {
    const { bytes, spill } = this.slab!;
    return bytes ? bytes.subarray(this.off, this.off + this.length) : spill!.file.read(spill!.pos + this.off, this.length);
  }

  /** The value as a latin1 string, one character per byte, as the state layer compares and indexes them. */
  latin1(): string {
    const bytes = this.slab!.bytes;
    return bytes ? bytes.toString('latin1', this.off, this.off + this.length) : this.view().toString('latin1');
  }
}

/** An unlinked temporary file that slabs are appended to. */
class SpillFile {
  private readonly fd: number;
  private size = 0;
  /** The read-ahead window: `length` bytes of the file from `pos`, in `bytes`; none while length is 0. */
  private readonly window = { pos: 0, length: 0, bytes: Buffer.alloc(0) };
  /** One past the last byte read. */
  private lastEnd = -1;

  constructor(dir: string) {
    const path = join(dir, `.walt-values-${process.pid}-${Date.now()}.tmp`);
    this.fd = openSync(path, 'wx+', 0o600);
    unlinkSync(path);
  }

  append(bytes: Uint8Array): number {
    const pos = this.size;
    for (let done = 0; done < bytes.length; ) done += writeSync(this.fd, bytes, done, bytes.length - done, pos + done);
    this.size += bytes.length;
    return pos;
  }

  /**
   * The bytes at `pos`, valid until the next read. A read that follows the
   * last one (a restore writing every revision in order) fills a window of a
   * slab ahead, one buffer reused (fresh memory would cost a page fault per
   * 4 KB), and the next such reads are views of it; others (a txn reading an
   * old value during the replay) read just their bytes.
   */
  read(pos: number, length: number): Buffer {
    const w = this.window;
    if (w.length > 0 && pos >= w.pos && pos + length <= w.pos + w.length) {
      this.lastEnd = pos + length;
      return w.bytes.subarray(pos - w.pos, pos - w.pos + length);
    }
    const ahead = pos >= this.lastEnd && pos - this.lastEnd < READ_AHEAD_GAP;
    let into: Buffer;
    if (ahead) {
      const want = Math.min(Math.max(length, SLAB_BYTES), this.size - pos);
      if (w.bytes.length < want) w.bytes = Buffer.allocUnsafeSlow(want);
      into = w.bytes.subarray(0, want);
    } else into = Buffer.allocUnsafe(length);
    for (let done = 0; done < into.length; ) {
      const n = readSync(this.fd, into, done, into.length - done, pos + done);
      if (n === 0) throw new Error(`value spill file: ${length} bytes at ${pos} past its end`);
      done += n;
    }
    this.lastEnd = pos + length;
    if (ahead) Object.assign(w, { pos, length: into.length });
    return into.subarray(0, length);
  }

  close(): void {
    closeSync(this.fd);
  }
}

export interface ValueSlabsOptions {
  /** Spill full slabs to an unlinked file in this directory. */
  spillDir?: string;
}

export class ValueSlabs {
  private readonly spare: Slab[] = [];
  private current: Slab;
  private readonly spill: SpillFile | undefined;
  /** Bytes held in slabs in use, for tests. */
  heldBytes = 0;

  constructor(opts: ValueSlabsOptions = {}) {
    this.spill = opts.spillDir === undefined ? undefined : new SpillFile(opts.spillDir);
    this.current = this.slab(SLAB_BYTES);
  }

  /** Lets the spill file go; the spilled values cannot be read after. */
  close(): void {
    this.spill?.close();
  }

  /** Copies `bytes` in, into `ref` (which must not hold a value yet); the caller may reuse its buffer. */
  put<R extends ValueRef>(bytes: Uint8Array, ref: R): R;
  put(bytes: Uint8Array): ValueRef;
  put(bytes: Uint8Array, ref = new ValueRef()): ValueRef {
    // A value too big to share a slab gets one of its own, which goes when it is released (or straight to the spill file).
    if (bytes.length > SLAB_BYTES / 4) {
      if (this.spill) return this.place({ bytes: undefined, spill: { file: this.spill, pos: this.spill.append(bytes) }, used: 0, live: 0, refs: [] }, bytes, ref);
      return this.place(this.slab(bytes.length), bytes, ref);
    }
    if (this.current.used + bytes.length > SLAB_BYTES) this.current = this.spill ? this.spillCurrent(this.spill) : this.slab(SLAB_BYTES);
    return this.place(this.current, bytes, ref);
  }

  /** The value is no longer referenced: its bytes may be reclaimed. */
  release(ref: ValueRef): void {
    if (!ref.live) return;
    ref.live = false;
    const slab = ref.slab!;
    slab.live -= ref.length;
    if (slab === this.current || slab.spill) return;
    if (slab.live * 2 < slab.used) this.evacuate(slab);
  }

  private place(slab: Slab, bytes: Uint8Array, ref: ValueRef): ValueRef {
    slab.bytes?.set(bytes, slab.used);
    ref.slab = slab;
    ref.off = slab.used;
    ref.length = bytes.length;
    ref.live = true;
    slab.used += bytes.length;
    slab.live += bytes.length;
    slab.refs.push(ref);
    return ref;
  }

  /** Moves a slab's live values to the current slab and lets the slab go. */
  private evacuate(slab: Slab): void {
    for (const ref of slab.refs) {
      // A released ref may since hold a value elsewhere (a key's revision rewritten in place).
      if (!ref.live || ref.slab !== slab) continue;
      // The reference others hold is kept; it now points where the bytes went.
      this.put(ref.view(), ref);
    }
    slab.refs = [];
    this.heldBytes -= slab.bytes!.length;
    if (slab.bytes!.length === SLAB_BYTES && this.spare.length < SPARE_SLABS) {
      slab.used = slab.live = 0;
      this.spare.push(slab);
    }
  }

  /** Writes the current slab to the spill file, and gives its memory to the next. */
  private spillCurrent(file: SpillFile): Slab {
    const full = this.current;
    const bytes = full.bytes!;
    full.spill = { file, pos: file.append(bytes.subarray(0, full.used)) };
    full.bytes = undefined;
    full.refs = [];
    return { bytes, used: 0, live: 0, refs: [] };
  }

  /** An empty slab of `bytes`, a spare one when it is of the usual size. */
  private slab(bytes: number): Slab {
    this.heldBytes += bytes;
    const spare = bytes === SLAB_BYTES ? this.spare.pop() : undefined;
    return spare ?? { bytes: Buffer.allocUnsafeSlow(bytes), used: 0, live: 0, refs: [] };
  }
}
