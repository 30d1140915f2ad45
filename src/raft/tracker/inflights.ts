/**
 * A sliding window of MsgApps sent to a follower but not yet acknowledged, each
 * recorded by its last entry index and payload bytes (etcd raft/tracker/inflights.go,
 * with raft 3.6's byte budget). The window is full when it holds `size` messages
 * or at least `maxBytes` bytes, whichever comes first.
 */
export class Inflights {
  private start = 0;
  private count = 0;
  private bytes = 0;
  /** Grown on demand up to `size` so idle groups stay small. */
  private indexes: bigint[] = [];
  private sizes: number[] = [];

  /**
   * @param size the maximum number of messages in flight (> 0)
   * @param maxBytes the byte budget; 0 means unlimited
   */
  constructor(
    readonly size: number,
    readonly maxBytes = 0,
  ) {}

  /** Records a message whose last entry is `index`; indexes must be added in increasing order. */
  add(index: bigint, bytes: number): void {
    if (this.full()) throw new Error('cannot add into a full inflights');
    let next = this.start + this.count;
    if (next >= this.size) next -= this.size;
    if (next >= this.indexes.length) {
      this.indexes.push(index);
      this.sizes.push(bytes);
    } else {
      this.indexes[next] = index;
      this.sizes[next] = bytes;
    }
    this.count++;
    this.bytes += bytes;
  }

  /** Frees every message whose last index is <= to. */
  freeLE(to: bigint): void {
    if (this.count === 0 || to < this.indexes[this.start]) return;
    let idx = this.start;
    let i = 0;
    let freed = 0;
    for (; i < this.count; i++) {
      if (to < this.indexes[idx]) break;
      freed += this.sizes[idx];
      if (++idx >= this.size) idx -= this.size;
    }
    this.count -= i;
    this.bytes -= freed;
    // Restart at 0 when empty so the buffer does not grow needlessly.
    this.start = this.count === 0 ? 0 : idx;
  }

  freeFirstOne(): void {
    if (this.count > 0) this.freeLE(this.indexes[this.start]);
  }

  full(): boolean {
    return this.count === this.size || (this.maxBytes !== 0 && this.bytes >= this.maxBytes);
  }

  countMsgs(): number {
    return this.count;
  }

  countBytes(): number {
    return this.bytes;
  }

  reset(): void {
    this.count = 0;
    this.bytes = 0;
    this.start = 0;
  }
}
