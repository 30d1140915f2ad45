/**
 * Where every Kth entry of the log lies, so that `walt browse` can read any
 * screenful of a multi-million-entry WAL by seeking, not by reading from the
 * start. A checkpoint is what RecordReader's `resume` needs (the segment, the
 * byte offset of the record's length field, the running CRC-32C before it)
 * plus the entry record's ordinal, which etcd's overwrite rule is stated in
 * (see wal-scan.ts). Typed arrays keep it at 20 bytes a checkpoint: with the
 * default of one every 64 entries, 2M entries take about 640 KB.
 *
 * Checkpoint k is the entry at index base + 1 + k·every, where base is the
 * index the read starts after. The entries that stand are contiguous from
 * base + 1, so the index of an entry says which checkpoint precedes it.
 */
export const DEFAULT_EVERY = 64;

export interface Checkpoint {
  /** Ordinal of the segment among those the read covers. */
  segment: number;
  /** File offset of the entry record's length field. */
  offset: number;
  /** The running CRC-32C before the record (RecordReader's `resume.crc`). */
  crc: number;
  /** How many entry records come before this one in the segments read. */
  ordinal: number;
  index: bigint;
}

/** A run of checkpoints [from, from + n) and the count they leave, sent from the builder's thread. */
export interface CheckpointBatch {
  from: number;
  count: number;
  segment: Uint32Array;
  offset: Float64Array;
  crc: Uint32Array;
  ordinal: Uint32Array;
}

export class OffsetIndex {
  /** Checkpoints that hold: 0 … count-1. */
  count = 0;
  private segment = new Uint32Array(256);
  private offset = new Float64Array(256);
  private crc = new Uint32Array(256);
  private ordinal = new Uint32Array(256);
  /** The lowest checkpoint changed since the last batch was taken. */
  private dirtyFrom = 0;

  constructor(
    readonly base: bigint,
    readonly every: number = DEFAULT_EVERY,
  ) {}

  /** Checkpoint number of `index` when an entry at that index is one, else -1. */
  slotOf(index: bigint): number {
    const pos = index - this.base - 1n;
    if (pos < 0n || pos % BigInt(this.every) !== 0n) return -1;
    return Number(pos / BigInt(this.every));
  }

  /**
   * Records checkpoint k. Entries after an overwrite are written again from
   * its index on, so setting k also drops every checkpoint above it.
   */
  set(k: number, segment: number, offset: number, crc: number, ordinal: number): void {
    if (k >= this.segment.length) this.grow(Math.max(k + 1, this.segment.length * 2));
    this.segment[k] = segment;
    this.offset[k] = offset;
    this.crc[k] = crc;
    this.ordinal[k] = ordinal;
    this.count = k + 1;
    this.dirtyFrom = Math.min(this.dirtyFrom, k);
  }

  /** Drops the checkpoints at `index` and above (an overwrite there makes them stale). */
  truncateFrom(index: bigint): void {
    const pos = index - this.base - 1n;
    const keep = pos <= 0n ? 0 : Number((pos + BigInt(this.every) - 1n) / BigInt(this.every));
    if (keep < this.count) {
      this.count = keep;
      this.dirtyFrom = Math.min(this.dirtyFrom, keep);
    }
  }

  /** The last checkpoint at or before `index`, or undefined when there is none (read from the first segment's start). */
  nearest(index: bigint): Checkpoint | undefined {
    const pos = index - this.base - 1n;
    if (pos < 0n || this.count === 0) return undefined;
    const k = Math.min(this.count - 1, Number(pos / BigInt(this.every)));
    return this.at(k);
  }

  at(k: number): Checkpoint {
    return {
      segment: this.segment[k],
      offset: this.offset[k],
      crc: this.crc[k],
      ordinal: this.ordinal[k],
      index: this.base + 1n + BigInt(k) * BigInt(this.every),
    };
  }

  /** The checkpoints changed since the last call, copied so they can be transferred to another thread. */
  takeBatch(): CheckpointBatch {
    const from = Math.min(this.dirtyFrom, this.count);
    this.dirtyFrom = this.count;
    return {
      from,
      count: this.count,
      segment: this.segment.slice(from, this.count),
      offset: this.offset.slice(from, this.count),
      crc: this.crc.slice(from, this.count),
      ordinal: this.ordinal.slice(from, this.count),
    };
  }

  applyBatch(b: CheckpointBatch): void {
    for (let i = 0; i < b.segment.length; i++) this.set(b.from + i, b.segment[i], b.offset[i], b.crc[i], b.ordinal[i]);
    this.count = b.count;
  }

  /** Bytes held by the arrays. */
  get byteSize(): number {
    return this.segment.byteLength + this.offset.byteLength + this.crc.byteLength + this.ordinal.byteLength;
  }

  private grow(n: number): void {
    const copy = <T extends Uint32Array | Float64Array>(a: T, b: T): T => (b.set(a), b);
    this.segment = copy(this.segment, new Uint32Array(n));
    this.offset = copy(this.offset, new Float64Array(n));
    this.crc = copy(this.crc, new Uint32Array(n));
    this.ordinal = copy(this.ordinal, new Uint32Array(n));
  }
}
