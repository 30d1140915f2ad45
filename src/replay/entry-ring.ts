/**
 * Committed entries handed from the thread that reads the WAL and runs raft
 * to the thread that applies them: a ring in shared memory with one writer
 * and one reader, and a slot by which the reader answers a conf change (raft
 * must know whether membership refused it before it goes on).
 *
 * An item is an entry, 8-byte aligned: its length (a 32-bit word, then one
 * unused), index and term (64 bits each), type and data length (32 bits
 * each), then the data. An item that does not fit before the end of the ring
 * leaves a wrap mark and starts again at 0. The writer never catches up with
 * the reader, so equal positions mean empty.
 */
import type { Entry } from '../codec/proto/raftpb.js';

// Int32 slots of the header.
const WRITE = 0;
const READ = 1;
const VERDICTS = 2;
const VERDICT = 3;
const STATE = 4;
const CANCELLED = 5;
const HEARTBEAT = 6;
// BigUint64 slots of the header, after the Int32 ones.
const SUMMARY_AT = 4;
const HEADER_BYTES = 128;

const WRAP = 0xffffffff;
const ITEM_HEAD = 32;

/** How the writer ended. */
export const RingState = { RUNNING: 0, DONE: 1, GAVE_UP: 2 } as const;

export function newRing(dataBytes: number): SharedArrayBuffer {
  return new SharedArrayBuffer(HEADER_BYTES + dataBytes);
}

/** A wait slice: long waits are made of these, so that a cancel or a dead peer is noticed. */
const WAIT_MS = 50;

class RingView {
  protected readonly ints: Int32Array;
  protected readonly summary: BigUint64Array;
  protected readonly bytes: Uint8Array;
  protected readonly words: Uint32Array;
  protected readonly longs: BigUint64Array;
  protected readonly size: number;

  constructor(shared: SharedArrayBuffer) {
    this.ints = new Int32Array(shared, 0, SUMMARY_AT * 2);
    this.summary = new BigUint64Array(shared, SUMMARY_AT * 8, (HEADER_BYTES - SUMMARY_AT * 8) / 8);
    this.size = shared.byteLength - HEADER_BYTES;
    this.bytes = new Uint8Array(shared, HEADER_BYTES, this.size);
    this.words = new Uint32Array(shared, HEADER_BYTES, this.size / 4);
    this.longs = new BigUint64Array(shared, HEADER_BYTES, this.size / 8);
  }

  get cancelled(): boolean {
    return Atomics.load(this.ints, CANCELLED) !== 0;
  }
}

export class RingWriter extends RingView {
  private w = 0;
  private verdictsSeen = 0;

  /** The largest entry data the ring takes. */
  get maxData(): number {
    return this.size / 2 - ITEM_HEAD;
  }

  /** Queues a committed entry; for a conf change, waits for the reader to apply it and returns whether membership refused it. False when the reader cancelled. */
  entry(e: Entry): boolean {
    const data = e.data ?? new Uint8Array(0);
    const n = align8(ITEM_HEAD + data.length);
    const at = this.reserve(n);
    if (at < 0) return false;
    this.words[at / 4] = n;
    this.longs[at / 8 + 1] = e.index;
    this.longs[at / 8 + 2] = e.term;
    this.words[at / 4 + 6] = e.type;
    this.words[at / 4 + 7] = data.length;
    this.bytes.set(data, at + ITEM_HEAD);
    this.w = (at + n) % this.size;
    Atomics.store(this.ints, WRITE, this.w);
    Atomics.notify(this.ints, WRITE);
    if (e.type === 0) return false;
    this.verdictsSeen++;
    while (Atomics.load(this.ints, VERDICTS) < this.verdictsSeen) {
      if (this.cancelled) return false;
      Atomics.wait(this.ints, VERDICTS, this.verdictsSeen - 1, WAIT_MS);
    }
    return Atomics.load(this.ints, VERDICT) === 1;
  }

  /** Says the writer is alive while it reads without committing anything (past --at-index, say). */
  beat(): void {
    Atomics.add(this.ints, HEARTBEAT, 1);
  }

  /** Ends the stream: DONE with the summary (up to 12 numbers), or GAVE_UP (the reader then replays the ordinary way). */
  finish(state: number, summary: bigint[] = []): void {
    summary.forEach((v, i) => (this.summary[i] = v));
    Atomics.store(this.ints, STATE, state);
    Atomics.notify(this.ints, WRITE);
  }

  /** The offset where `n` contiguous bytes can be written, waiting for the reader to make room; -1 when it cancelled. */
  private reserve(n: number): number {
    for (;;) {
      if (this.cancelled) return -1;
      const r = Atomics.load(this.ints, READ);
      const w = this.w;
      if (w >= r) {
        // Room up to the end (keeping a word for a wrap mark), or else from 0 up to the reader.
        if (w + n + 8 <= this.size) return w;
        if (n < r) {
          this.words[w / 4] = WRAP;
          this.w = 0;
          continue;
        }
      } else if (w + n < r) {
        return w;
      }
      Atomics.wait(this.ints, READ, r, WAIT_MS);
    }
  }
}

export interface RingEnd {
  state: number;
  summary: bigint[];
}

export class RingReader extends RingView {
  private r = 0;

  /**
   * Calls `onEntry` for each entry as it arrives (its data is a view into the
   * ring, valid during the call), and for a conf change passes its answer
   * back; returns how the writer ended. `stalled` is asked after each wait in
   * which the writer neither wrote nor beat whether to give up (a writer that
   * died says nothing).
   */
  drain(onEntry: (e: Entry) => boolean, stalled: (quietMs: number) => boolean): RingEnd {
    let quiet = 0;
    let beats = 0;
    for (;;) {
      const w = Atomics.load(this.ints, WRITE);
      if (this.r === w) {
        const state = Atomics.load(this.ints, STATE);
        // The writer publishes its last item before its state, so a final look at WRITE settles it.
        if (state !== RingState.RUNNING && Atomics.load(this.ints, WRITE) === this.r) return { state, summary: [...this.summary] };
        if (Atomics.wait(this.ints, WRITE, w, WAIT_MS) === 'timed-out') {
          const now = Atomics.load(this.ints, HEARTBEAT);
          quiet = now === beats ? quiet + WAIT_MS : 0;
          beats = now;
          if (stalled(quiet)) return { state: RingState.GAVE_UP, summary: [] };
        }
        continue;
      }
      quiet = 0;
      while (this.r !== w) {
        const at = this.r;
        const n = this.words[at / 4];
        if (n === WRAP) {
          this.r = 0;
          continue;
        }
        const length = this.words[at / 4 + 7];
        const e: Entry = { index: this.longs[at / 8 + 1], term: this.longs[at / 8 + 2], type: this.words[at / 4 + 6], data: length ? this.bytes.subarray(at + ITEM_HEAD, at + ITEM_HEAD + length) : undefined };
        const refused = onEntry(e);
        if (e.type !== 0) {
          Atomics.store(this.ints, VERDICT, refused ? 1 : 0);
          Atomics.add(this.ints, VERDICTS, 1);
          Atomics.notify(this.ints, VERDICTS);
        }
        this.r = (at + n) % this.size;
      }
      Atomics.store(this.ints, READ, this.r);
      Atomics.notify(this.ints, READ);
    }
  }

  /** Tells the writer to stop (the reader failed or gave up). */
  cancel(): void {
    Atomics.store(this.ints, CANCELLED, 1);
    Atomics.notify(this.ints, READ);
    Atomics.notify(this.ints, VERDICTS);
  }
}

const align8 = (n: number) => (n + 7) & ~7;
