/** The CRC-32C primitive alone, native and pure JS, in GB/s. */
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

export function benchCrc(bytes = 64 << 20): Record<string, number> {
  const buf = new Uint8Array(bytes).map((_, i) => i * 31);
  const impls: Record<string, (b: Uint8Array, p: number) => number> = {};
  try {
    const native = require('@node-rs/crc32') as { crc32c(b: Uint8Array, p?: number): number };
    impls['@node-rs/crc32'] = (b, p) => native.crc32c(b, p);
  } catch {
    // not installed: only the fallback is measured
  }
  const pure = require('crc-32/crc32c') as { buf(b: Uint8Array, s?: number): number };
  impls['crc-32'] = (b, p) => pure.buf(b, p);
  const out: Record<string, number> = {};
  for (const [name, fn] of Object.entries(impls)) {
    fn(buf.subarray(0, 1 << 20), 0);
    const t0 = process.hrtime.bigint();
    let crc = 0;
    for (let off = 0; off < bytes; off += 1 << 20) crc = fn(buf.subarray(off, off + (1 << 20)), crc);
    out[name] = bytes / (Number(process.hrtime.bigint() - t0) / 1e9) / 1e9;
  }
  return out;
}
