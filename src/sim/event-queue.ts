/**
 * Virtual time: a binary min-heap of events ordered by time and then by the
 * order they were scheduled in, so that events due at the same millisecond
 * run in one reproducible order.
 */

interface Slot<T> {
  time: number;
  seq: number;
  item: T;
}

export class EventQueue<T> {
  private heap: Slot<T>[] = [];
  private seq = 0;
  /** The time of the event being run (or last run). */
  now = 0;

  get size(): number {
    return this.heap.length;
  }

  /** Schedules `item` at virtual time `time` (milliseconds); never in the past. */
  push(time: number, item: T): void {
    const slot: Slot<T> = { time: time < this.now ? this.now : time, seq: this.seq++, item };
    const h = this.heap;
    let i = h.length;
    h.push(slot);
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!before(slot, h[parent])) break;
      h[i] = h[parent];
      i = parent;
    }
    h[i] = slot;
  }

  /** The time of the next event, or undefined when none is due. */
  peekTime(): number | undefined {
    return this.heap.length === 0 ? undefined : this.heap[0].time;
  }

  /** The next event, left in place. */
  peek(): T | undefined {
    return this.heap.length === 0 ? undefined : this.heap[0].item;
  }

  /** Removes the next event and advances `now` to its time. */
  pop(): T | undefined {
    const h = this.heap;
    if (h.length === 0) return undefined;
    const top = h[0];
    const last = h.pop()!;
    if (h.length > 0) {
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        if (l >= h.length) break;
        const r = l + 1;
        const c = r < h.length && before(h[r], h[l]) ? r : l;
        if (!before(h[c], last)) break;
        h[i] = h[c];
        i = c;
      }
      h[i] = last;
    }
    this.now = top.time;
    return top.item;
  }
}

const before = <T>(a: Slot<T>, b: Slot<T>): boolean => a.time < b.time || (a.time === b.time && a.seq < b.seq);
