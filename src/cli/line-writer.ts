/**
 * Buffered line output: a dump prints millions of lines, and a write per line
 * would dominate its time. Lines are encoded straight into one reused buffer.
 * Stops quietly when the reader goes away (`| head`).
 */
import { writeSync } from 'node:fs';

export interface LineWriter {
  line(s: string): void;
  /** One line of ASCII text (walt's JSON is) given in parts (json.ts toJSONParts): copied as they are, without UTF-8 encoding. */
  lineParts(parts: string[]): void;
  end(): void;
}

const BUFFER_BYTES = 1 << 20;

export function createLineWriter(stream: NodeJS.WriteStream): LineWriter {
  const fd = (stream as unknown as { fd?: number }).fd ?? 1;
  const buf = Buffer.allocUnsafe(BUFFER_BYTES);
  let used = 0;
  const writeAll = (b: Uint8Array) => {
    let off = 0;
    while (off < b.length) {
      try {
        off += writeSync(fd, b, off, b.length - off);
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        if (code === 'EPIPE') process.exit(0);
        if (code !== 'EAGAIN') throw e;
        // A non-blocking pipe is full: give the reader a moment, then carry on.
        Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 5);
      }
    }
  };
  const flush = () => {
    if (used > 0) writeAll(buf.subarray(0, used));
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
      if (!room(s.length * 3 + 1)) return writeAll(Buffer.from(s + '\n', 'utf8'));
      used += buf.write(s, used, 'utf8');
      buf[used++] = 10;
    },
    lineParts(parts: string[]) {
      let length = 1;
      for (const p of parts) length += p.length;
      if (!room(length)) return writeAll(Buffer.from(parts.join('') + '\n', 'latin1'));
      for (const p of parts) used += buf.write(p, used, 'latin1');
      buf[used++] = 10;
    },
    end: flush,
  };
}
