/**
 * `f` in browse: the rows are then only the entries a filter keeps, by the
 * entry-type and request-kind names of `dump --entry-type`
 * (report/entry-filter.ts). The matching entries are found by one streaming
 * pass in slices and kept as positions in a typed array (4 bytes each), so
 * the list can be scrolled while it grows.
 */
import type { Entry } from '../codec/proto/raftpb.js';
import type { EntryFilter } from '../report/entry-filter.js';
import { runInSlices, type SliceJob } from './slices.js';

export type RowLookup = number | 'pending' | 'never';

const CHECK_EVERY = 256;

export class FilterRows {
  /** Rows found so far. */
  count = 0;
  done = false;
  /** The last index the pass has read. */
  reached: bigint;
  /** Position of each kept entry after the base: index - base - 1. */
  private positions = new Uint32Array(1024);
  private readonly job: SliceJob;

  constructor(
    readonly filter: EntryFilter,
    private readonly base: bigint,
    entries: Generator<Entry>,
    onChange: () => void,
  ) {
    this.reached = base;
    this.job = runInSlices(
      (deadline) => {
        for (let n = 1; ; n++) {
          const r = entries.next();
          if (r.done) return true;
          this.reached = r.value.index;
          if (filter.accepts(r.value)) this.push(Number(r.value.index - base - 1n));
          if (n % CHECK_EVERY === 0 && Date.now() >= deadline) {
            onChange();
            return false;
          }
        }
      },
      () => {
        this.done = true;
        entries.return(undefined);
        onChange();
      },
      () => entries.return(undefined),
    );
  }

  indexAt(row: number): bigint {
    return this.base + 1n + BigInt(this.positions[row]);
  }

  /** The row of the first kept entry at or after `index`. */
  rowAtOrAfter(index: bigint): RowLookup {
    const pos = index <= this.base ? 0 : Number(index - this.base - 1n);
    let lo = 0;
    let hi = this.count;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.positions[mid] < pos) lo = mid + 1;
      else hi = mid;
    }
    // Found rows are complete up to the last one: the pass reads in order.
    if (lo < this.count) return lo;
    return this.done ? 'never' : 'pending';
  }

  cancel(): void {
    this.job.cancel();
  }

  private push(pos: number): void {
    if (this.count === this.positions.length) {
      const bigger = new Uint32Array(this.positions.length * 2);
      bigger.set(this.positions);
      this.positions = bigger;
    }
    this.positions[this.count++] = pos;
  }
}
