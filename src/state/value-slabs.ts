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
 */

const SLAB_BYTES = 1 << 20;
const SPARE_SLABS = 8;

interface Slab {
  readonly bytes: Buffer;
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

  /** A view of the bytes, valid until the next put or release in the same ValueSlabs. */
  view(): Buffer {
    return this.slab!.bytes.subarray(this.off, this.off + this.length);
  }

  /** The value as a latin1 string, one character per byte, as the state layer compares and indexes them. */
  latin1(): string {
    return this.slab!.bytes.toString('latin1', this.off, this.off + this.length);
  }
}

export class ValueSlabs {
  private readonly spare: Slab[] = [];
  private current: Slab;
  /** Bytes held in slabs in use, for tests. */
  heldBytes = 0;

  constructor() {
    this.current = this.slab(SLAB_BYTES);
  }

  /** Copies `bytes` in, into `ref` (which must not hold a value yet); the caller may reuse its buffer. */
  put<R extends ValueRef>(bytes: Uint8Array, ref: R): R;
  put(bytes: Uint8Array): ValueRef;
  put(bytes: Uint8Array, ref = new ValueRef()): ValueRef {
    // A value too big to share a slab gets one of its own, which goes when it is released.
    if (bytes.length > SLAB_BYTES / 4) return this.place(this.slab(bytes.length), bytes, ref);
    if (this.current.used + bytes.length > this.current.bytes.length) this.current = this.slab(SLAB_BYTES);
    return this.place(this.current, bytes, ref);
  }

  /** The value is no longer referenced: its bytes may be reclaimed. */
  release(ref: ValueRef): void {
    if (!ref.live) return;
    ref.live = false;
    const slab = ref.slab!;
    slab.live -= ref.length;
    if (slab === this.current) return;
    if (slab.live * 2 < slab.used) this.evacuate(slab);
  }

  private place(slab: Slab, bytes: Uint8Array, ref: ValueRef): ValueRef {
    slab.bytes.set(bytes, slab.used);
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
      if (!ref.live) continue;
      // The reference others hold is kept; it now points where the bytes went.
      this.put(ref.view(), ref);
    }
    slab.refs = [];
    this.heldBytes -= slab.bytes.length;
    if (slab.bytes.length === SLAB_BYTES && this.spare.length < SPARE_SLABS) {
      slab.used = slab.live = 0;
      this.spare.push(slab);
    }
  }

  /** An empty slab of `bytes`, a spare one when it is of the usual size. */
  private slab(bytes: number): Slab {
    this.heldBytes += bytes;
    const spare = bytes === SLAB_BYTES ? this.spare.pop() : undefined;
    return spare ?? { bytes: Buffer.allocUnsafeSlow(bytes), used: 0, live: 0, refs: [] };
  }
}
