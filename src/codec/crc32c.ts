/**
 * CRC-32C (Castagnoli), the checksum of etcd's WAL records and .snap files
 * (etcd: pkg/crc, wal/wal.go crcTable = crc32.MakeTable(crc32.Castagnoli)).
 *
 * @node-rs/crc32 computes it with SSE4.2/ARM CRC instructions, an order of
 * magnitude faster than table lookups; it is an optional dependency, so the
 * pure-JS crc-32 package is the fallback where the native build is absent.
 */
import { createRequire } from 'node:module';

type Crc32c = (data: Uint8Array, prev: number) => number;

const require = createRequire(import.meta.url);

/**
 * Below this size the native call costs more than the checksum: a WAL's hard
 * state records (about 25 bytes, one per save) are summed in JS.
 */
const NATIVE_MIN_BYTES = 128;

function load(): { fn: Crc32c; impl: string } {
  const pure = require('crc-32/crc32c') as { buf(data: Uint8Array, seed?: number): number };
  const js: Crc32c = (data, prev) => pure.buf(data, prev) >>> 0;
  if (!process.env.WALT_PURE_CRC) {
    try {
      const native = require('@node-rs/crc32') as { crc32c(input: Uint8Array, initial?: number): number };
      return { fn: (data, prev) => (data.length < NATIVE_MIN_BYTES ? js(data, prev) : native.crc32c(data, prev)), impl: '@node-rs/crc32 (hardware)' };
    } catch {
      // optional dependency missing or unbuildable on this platform: fall through
    }
  }
  return { fn: js, impl: 'crc-32 (pure JS)' };
}

/** Loaded at the first checksum, not at import: a command's `--help` loads no native module. */
let loaded: { fn: Crc32c; impl: string } | undefined;

/** Which implementation is in use, for `--version` and benchmarks. */
export const crc32cImplementation = (): string => (loaded ??= load()).impl;

/** Continues a running CRC-32C over `data`; start from 0. Returns an unsigned 32-bit value. */
export function crc32c(data: Uint8Array, prev = 0): number {
  return data.length === 0 ? prev >>> 0 : (loaded ??= load()).fn(data, prev >>> 0);
}
