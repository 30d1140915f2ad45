/**
 * Buffered line output: a dump prints millions of lines, and a write per line
 * would dominate its time. Stops quietly when the reader goes away (`| head`).
 */
import { writeSync } from 'node:fs';

export interface LineWriter {
  line(s: string): void;
  end(): void;
}

const FLUSH_BYTES = 1 << 16;

export function createLineWriter(stream: NodeJS.WriteStream): LineWriter {
  const fd = (stream as unknown as { fd?: number }).fd ?? 1;
  let parts: string[] = [];
  let size = 0;
  const flush = () => {
    if (parts.length === 0) return;
    const buf = Buffer.from(parts.join(''), 'utf8');
    parts = [];
    size = 0;
    let off = 0;
    while (off < buf.length) {
      try {
        off += writeSync(fd, buf, off, buf.length - off);
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        if (code === 'EPIPE') process.exit(0);
        if (code !== 'EAGAIN') throw e;
        // A non-blocking pipe is full: give the reader a moment, then carry on.
        Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 5);
      }
    }
  };
  return {
    line(s: string) {
      parts.push(s, '\n');
      size += s.length + 1;
      if (size >= FLUSH_BYTES) flush();
    },
    end: flush,
  };
}
