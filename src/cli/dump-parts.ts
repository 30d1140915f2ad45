/**
 * A dump's entries printed in parts by two threads at once (dump-threads.ts
 * starts the second, dump-worker.ts). Each thread takes the next part that
 * nobody has taken and renders its lines; a part's lines are written as soon
 * as every earlier part has been, and those rendered before that wait in
 * memory (one part's worth). The threads agree through a few words of
 * shared memory: the next part to take, and the part whose turn it is.
 */
import type { EntryRange } from '../codec/wal-entries.js';
import type { EntrySource } from '../report/dump.js';
import { selectEntries, type EntrySelection } from '../report/entry-select.js';
import { BUFFER_BYTES, createLineWriter, type LineWriter, type Sink } from './line-writer.js';
import type { EntryPrinter } from './dump-printers.js';

// Int32 slots of the shared state.
const NEXT = 0;
const TURN = 1;
const CLOSED = 2;
const INT_SLOTS = 4;
/** A long wait is made of slices this long, so that a closed output or a failed thread is noticed. */
const WAIT_MS = 50;

export const newTurnState = (): SharedArrayBuffer => new SharedArrayBuffer(INT_SLOTS * 4 + 8);

/** The shared state: which part is next to take, whose turn it is to write, and entries printed so far. */
export class PartTurns {
  private readonly ints: Int32Array;
  private readonly printedBy: BigInt64Array;

  constructor(shared: SharedArrayBuffer) {
    this.ints = new Int32Array(shared, 0, INT_SLOTS);
    this.printedBy = new BigInt64Array(shared, INT_SLOTS * 4, 1);
  }

  /** The next part nobody has taken (at or past the last part when all are taken). */
  take(): number {
    return Atomics.add(this.ints, NEXT, 1);
  }

  /** The part being written now; every part before it is written. */
  get turn(): number {
    return Atomics.load(this.ints, TURN);
  }

  /** Entries printed by all threads in the parts written so far. */
  get printed(): number {
    return Number(Atomics.load(this.printedBy, 0));
  }

  get closed(): boolean {
    return Atomics.load(this.ints, CLOSED) !== 0;
  }

  /** The reader of the output went away: every thread stops. */
  close(): void {
    Atomics.store(this.ints, CLOSED, 1);
    Atomics.notify(this.ints, TURN);
  }

  /** `part` is written with its `printed` entries: the next part's turn. */
  pass(part: number, printed: number): void {
    Atomics.add(this.printedBy, 0, BigInt(printed));
    Atomics.store(this.ints, TURN, part + 1);
    Atomics.notify(this.ints, TURN);
  }

  /** Waits (blocking: for a worker) until every part before `part` is written; false when the output closed. */
  waitSync(part: number): boolean {
    for (let turn = this.turn; turn < part; turn = this.turn) {
      if (this.closed) return false;
      Atomics.wait(this.ints, TURN, turn, WAIT_MS);
    }
    return !this.closed;
  }

  /**
   * Waits without blocking the event loop (on the main thread, which must
   * hear of a worker that died) until every part before `part` is written;
   * false when the output closed. `failure` names why the thread that owes a
   * part will never write it.
   */
  async wait(part: number, failure: () => string | undefined): Promise<boolean> {
    for (let turn = this.turn; turn < part; turn = this.turn) {
      if (this.closed) return false;
      const why = failure();
      if (why !== undefined) throw new Error(why);
      const w = Atomics.waitAsync(this.ints, TURN, turn, WAIT_MS);
      if (w.async) await w.value;
    }
    return !this.closed;
  }
}

/** Renders parts of a dump on one thread, writing each part's lines through `write` once it is that part's turn. */
export class PartPrinter {
  private part = -1;
  private held: Uint8Array[] = [];
  /** Buffers for held lines, used again once written: fresh ones would each cost a page fault per 4 KB. */
  private spare: Uint8Array[] = [];
  private readonly out: LineWriter;
  private readonly printer: EntryPrinter;

  constructor(
    private readonly turns: PartTurns,
    private readonly write: Sink,
    makePrinter: (out: LineWriter) => EntryPrinter,
    private readonly source: EntrySource,
    private readonly sel: EntrySelection,
    private readonly ranges: EntryRange[],
  ) {
    this.out = createLineWriter((b) => this.accept(b));
    this.printer = makePrinter(this.out);
  }

  /** Lines go out at once on the part's turn (after those that waited for it), and wait in copies before it. */
  private accept(b: Uint8Array): void {
    if (this.turns.turn !== this.part) {
      // A copy: `b` is the line buffer, reused.
      const into = b.length <= BUFFER_BYTES ? (this.spare.pop() ?? new Uint8Array(BUFFER_BYTES)) : new Uint8Array(b.length);
      into.set(b);
      this.held.push(into.subarray(0, b.length));
      return;
    }
    this.release();
    this.write(b);
  }

  private release(): void {
    for (const b of this.held) {
      this.write(b);
      if (b.buffer.byteLength === BUFFER_BYTES) this.spare.push(new Uint8Array(b.buffer));
    }
    this.held = [];
  }

  /** Renders `part`; returns how many entries it printed. */
  render(part: number): number {
    this.part = part;
    let n = 0;
    for (const { entry, record } of selectEntries(this.source, this.sel, this.ranges[part])) {
      this.printer.entry(entry, record);
      n++;
    }
    this.out.end();
    return n;
  }

  /** Writes the lines that waited (on the part's turn), and passes the turn on. */
  finish(printed: number): void {
    this.release();
    this.turns.pass(this.part, printed);
  }
}
