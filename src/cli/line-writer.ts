/**
 * Buffered line output: a dump prints millions of lines, and a write per line
 * would dominate its time. Lines are encoded straight into one reused buffer,
 * which goes to a sink when full: a file descriptor (fdSink), or whatever a
 * caller does with the bytes (dump-parts.ts holds some back).
 */
import { writeSync } from 'node:fs';

export interface LineWriter {
  line(s: string): void;
  /** One line given as bytes (json.ts JsonOut's ASCII): copied as they are, valid only during the call. */
  lineBytes(bytes: Uint8Array): void;
  end(): void;
}

/** Takes bytes that are only valid during the call (the writer reuses its buffer). */
export type Sink = (bytes: Uint8Array) => void;

const NEWLINE = new Uint8Array([10]);

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

/** Lines to a stream's file descriptor, or to `sink`. */
export function createLineWriter(stream: NodeJS.WriteStream | Sink): LineWriter {
  const sink = typeof stream === 'function' ? stream : fdSink((stream as unknown as { fd?: number }).fd ?? 1);
  const buf = Buffer.allocUnsafe(BUFFER_BYTES);
  let used = 0;
  const flush = () => {
    if (used > 0) sink(buf.subarray(0, used));
    used = 0;
  };
  /** Makes room for a line of `bytes`; false when it can never fit in the buffer, and goes out on its own. */
  const room = (bytes: number): boolean => {
    if (used + bytes > BUFFER_BYTES) flush();
    return bytes <= BUFFER_BYTES;
  };
  return {
    line(s: string) {
      // UTF-8 takes at most 3 bytes per UTF-16 code unit.
      if (!room(s.length * 3 + 1)) return sink(Buffer.from(s + '\n', 'utf8'));
      used += buf.write(s, used, 'utf8');
      buf[used++] = 10;
    },
    lineBytes(bytes: Uint8Array) {
      if (!room(bytes.length + 1)) {
        sink(bytes);
        return sink(NEWLINE);
      }
      buf.set(bytes, used);
      used += bytes.length;
      buf[used++] = 10;
    },
    end: flush,
  };
}
