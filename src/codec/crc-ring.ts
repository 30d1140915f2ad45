/**
 * CRCs checked on a second thread from the scanning thread's own reads: the
 * scanning thread reads the log into a few buffers in shared memory and,
 * each time it moves on from one, hands the records it read there to the
 * checking thread, when a buffer is free to move on to. When none is (the
 * checker is starting or behind), it checks the records itself and reads on
 * in the same buffer. Each handed-over run of records carries the CRC
 * stored before it, so runs are checked in any order, and the log is read
 * from the files once.
 */
import { crc32c } from './crc32c.js';
import { FRAME_HEADER_BYTES, framePadBytes, frameRecordBytes } from './frame.js';
import { decodeRecord, RecordType } from './proto/walpb.js';

/** What both threads share: a control block and the buffers. */
export interface CrcRing {
  control: SharedArrayBuffer;
  slots: SharedArrayBuffer[];
}

const SLOTS = 4;
/** Each buffer, and so each read: the checker gets work every few milliseconds. */
export const SLOT_BYTES = 2 << 20;

// The control block: counters and flags, then [state, from, to, crcBefore] per buffer.
const PUBLISHED = 0;
const END = 1;
const FAILED = 2;
const DONE = 3;
const SLOT_BASE = 4;
const FREE = 0;
const HANDED = 1;

export function newCrcRing(): CrcRing {
  return { control: new SharedArrayBuffer(4 * (SLOT_BASE + 4 * SLOTS)), slots: Array.from({ length: SLOTS }, () => new SharedArrayBuffer(SLOT_BYTES)) };
}

/**
 * Checks the CRCs of the records in buf[from, to), the running CRC before
 * them being `crc`, as RecordReader does (a crc record must match a running
 * value that is not 0); false at the first that fails or does not decode.
 */
export function checkCrcRange(buf: Uint8Array, from: number, to: number, crc: number): boolean {
  let at = from;
  while (at < to) {
    const bodyAt = at + FRAME_HEADER_BYTES;
    const bodyEnd = bodyAt + frameRecordBytes(buf, at);
    if (bodyEnd > to) return false;
    let type: number;
    let stored: number;
    let data: Uint8Array | undefined;
    try {
      ({ type, crc: stored, data } = decodeRecord(buf, bodyAt, bodyEnd));
    } catch {
      return false;
    }
    if (type === RecordType.crc) {
      if (crc !== 0 && crc !== stored) return false;
    } else if ((data ? crc32c(data, crc) : crc) !== stored) {
      return false;
    }
    crc = stored;
    at = bodyEnd + framePadBytes(buf, at);
  }
  return at === to;
}

/** The scanning thread's side: buffers to read into, and runs of records to hand over or check. */
export class RingWriter {
  private readonly control: Int32Array;
  readonly buffers: Uint8Array[];
  ended = false;

  constructor(ring: CrcRing) {
    this.control = new Int32Array(ring.control);
    this.buffers = ring.slots.map((s) => new Uint8Array(s));
  }

  /**
   * Settles the records in buf[from, to) (the running CRC before them `crc`)
   * as the reader moves on from `buf`: hands them over and returns a free
   * buffer to move to, or checks them here and returns undefined (then the
   * reader stays in `buf`).
   */
  settle(buf: Uint8Array, from: number, to: number, crc: number): Uint8Array | undefined {
    const mine = this.buffers.indexOf(buf);
    const next = this.buffers.findIndex((_, i) => i !== mine && Atomics.load(this.control, SLOT_BASE + 4 * i) === FREE);
    if (mine < 0 || next < 0) {
      if (from < to && !checkCrcRange(buf, from, to, crc)) Atomics.store(this.control, FAILED, 1);
      return next < 0 ? undefined : this.buffers[next];
    }
    const c = this.control;
    const at = SLOT_BASE + 4 * mine;
    Atomics.store(c, at + 1, from);
    Atomics.store(c, at + 2, to);
    Atomics.store(c, at + 3, crc | 0);
    Atomics.store(c, at, HANDED);
    Atomics.add(c, PUBLISHED, 1);
    Atomics.notify(c, PUBLISHED);
    return this.buffers[next];
  }

  /** No more runs will come. */
  end(): void {
    this.ended = true;
    Atomics.store(this.control, END, 1);
    Atomics.add(this.control, PUBLISHED, 1);
    Atomics.notify(this.control, PUBLISHED);
  }
}

/**
 * Waits (blocking, at most `timeoutMs`) until the checker has checked every
 * run handed over; true when every CRC held, on both threads.
 */
export function ringHeld(ring: CrcRing, timeoutMs: number): boolean {
  const c = new Int32Array(ring.control);
  const waited = Atomics.wait(c, DONE, 0, timeoutMs);
  return waited !== 'timed-out' && Atomics.load(c, FAILED) === 0;
}

/** The checking thread's side: checks runs as they are handed over until the scanning thread ends. */
export function checkRing(ring: CrcRing): void {
  const c = new Int32Array(ring.control);
  const buffers = ring.slots.map((s) => new Uint8Array(s));
  try {
    for (;;) {
      const seen = Atomics.load(c, PUBLISHED);
      // Read before looking: every run handed over before the end is then in sight.
      const ended = Atomics.load(c, END) === 1;
      let checked = false;
      for (let i = 0; i < buffers.length; i++) {
        const at = SLOT_BASE + 4 * i;
        if (Atomics.load(c, at) !== HANDED) continue;
        if (!checkCrcRange(buffers[i], Atomics.load(c, at + 1), Atomics.load(c, at + 2), Atomics.load(c, at + 3) >>> 0)) Atomics.store(c, FAILED, 1);
        Atomics.store(c, at, FREE);
        checked = true;
      }
      if (checked) continue;
      if (ended) break;
      Atomics.wait(c, PUBLISHED, seen);
    }
  } catch {
    Atomics.store(c, FAILED, 1);
  } finally {
    Atomics.store(c, DONE, 1);
    Atomics.notify(c, DONE);
  }
}
