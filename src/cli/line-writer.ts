/**
 * Buffered line output: a dump prints millions of lines, and a write per line
 * would dominate its time. Lines are encoded straight into one reused buffer,
 * which goes to a sink when full: a file descriptor (fdSink), or whatever a
 * caller does with the bytes.
 */
import { writeSync } from 'node:fs';
import { JsonOut } from '../util/json.js';

export interface LineWriter {
  line(s: string): void;
  /** A JSON line written in place, after the lines before it: build it with the JsonOut given, then end it with `endJsonLine`. */
  jsonLine(): JsonOut;
  endJsonLine(): void;
  end(): void;
}

/** Takes bytes that are only valid during the call (the writer reuses its buffer). */
export type Sink = (bytes: Uint8Array) => void;

/** A writer's buffer: what goes to the sink at a time, but for a line longer than it. */
export const BUFFER_BYTES = 1 << 20;

/**
 * Writes everything to `fd`, waiting out a full non-blocking pipe. When the
 * reader goes away (`| head`), calls `closed` (by default the process ends
 * quietly, as a dump cut short by its reader should).
 */
export function fdSink(fd: number, closed: () => never = () => process.exit(0)): Sink {
  return (b) => {
    let off = 0;
    while (off < b.length) {
      try {
        off += writeSync(fd, b, off, b.length - off);
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        if (code === 'EPIPE') closed();
        if (code !== 'EAGAIN') throw e;
        // A non-blocking pipe is full: give the reader a moment, then carry on.
        Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 5);
      }
    }
  };
}

const sinkOf = (stream: NodeJS.WriteStream | Sink): Sink => (typeof stream === 'function' ? stream : fdSink((stream as unknown as { fd?: number }).fd ?? 1));

/** ASCII text (JSON from util/json.ts) to a stream in writes of BUFFER_BYTES, lines or not: one long document is never held whole. */
export function createTextWriter(stream: NodeJS.WriteStream | Sink): { write(s: string): void; end(): void } {
  const sink = sinkOf(stream);
  const flush = () => {
    if (out.length !== 0) sink(out.bytes());
    out.reset();
  };
  const out = new JsonOut(BUFFER_BYTES, flush);
  return { write: (s) => out.text(s), end: flush };
}

/** Lines to a stream's file descriptor, or to `sink`. */
export function createLineWriter(stream: NodeJS.WriteStream | Sink): LineWriter {
  const sink = sinkOf(stream);
  /** Where the lines that are complete end: a line being built follows them. */
  let done = 0;
  const flush = () => {
    if (done === 0) return;
    sink(out.bytes(0, done));
    out.shift(done);
    done = 0;
  };
  // Full: the complete lines go, and the line being built moves to the front (it grows the buffer only if it alone is too long).
  const out = new JsonOut(BUFFER_BYTES, flush);
  return {
    line(s: string) {
      out.utf8(s);
      out.byte(10);
      done = out.length;
    },
    jsonLine: () => out,
    endJsonLine() {
      out.byte(10);
      done = out.length;
    },
    end: flush,
  };
}
