/**
 * Seeded randomness for the simulation. splitmix64 turns the seed into 64-bit
 * values (node and cluster IDs, stream seeds); xoshiro128** is the fast
 * generator each concern draws from. Every concern (network, workload, each
 * node's election timer, the fault schedule) has its own named stream, so
 * that removing one fault while shrinking does not reshuffle the others.
 * Only integer arithmetic: no Math.random, no transcendental functions whose
 * last bits could differ between engines.
 */

const MASK64 = (1n << 64n) - 1n;

/** splitmix64's output for position `n` of the stream seeded with `seed`. */
export function mix64(seed: bigint, n: bigint): bigint {
  let z = (seed + (n + 1n) * 0x9e3779b97f4a7c15n) & MASK64;
  z = ((z ^ (z >> 30n)) * 0xbf58476d1ce4e5b9n) & MASK64;
  z = ((z ^ (z >> 27n)) * 0x94d049bb133111ebn) & MASK64;
  return z ^ (z >> 31n);
}

/** FNV-1a 64 of a label, to derive one stream per concern from one seed. */
function labelHash(label: string): bigint {
  let h = 0xcbf29ce484222325n;
  for (let i = 0; i < label.length; i++) h = ((h ^ BigInt(label.charCodeAt(i))) * 0x100000001b3n) & MASK64;
  return h;
}

/** A nonzero 64-bit value for `label` under `seed`: node IDs, the cluster ID, request ID prefixes. */
export function deriveId(seed: bigint, label: string): bigint {
  for (let n = 0n; ; n++) {
    const v = mix64(seed ^ labelHash(label), n);
    if (v !== 0n) return v;
  }
}

const rotl = (x: number, k: number): number => (x << k) | (x >>> (32 - k));

/** xoshiro128**: four 32-bit words of state, period 2^128 − 1. */
export class Prng {
  private s0: number;
  private s1: number;
  private s2: number;
  private s3: number;

  constructor(seed: bigint, stream: string) {
    const a = mix64(seed ^ labelHash(stream), 0n);
    const b = mix64(seed ^ labelHash(stream), 1n);
    this.s0 = Number(a & 0xffffffffn) | 0;
    this.s1 = Number(a >> 32n) | 0;
    this.s2 = Number(b & 0xffffffffn) | 0;
    this.s3 = Number(b >> 32n) | 0;
    // The all-zero state is the one state xoshiro cannot leave.
    if ((this.s0 | this.s1 | this.s2 | this.s3) === 0) this.s0 = 1;
  }

  /** A uniform 32-bit unsigned integer. */
  u32(): number {
    const result = Math.imul(rotl(Math.imul(this.s1, 5), 7), 9) >>> 0;
    const t = this.s1 << 9;
    this.s2 ^= this.s0;
    this.s3 ^= this.s1;
    this.s1 ^= this.s2;
    this.s0 ^= this.s3;
    this.s2 ^= t;
    this.s3 = rotl(this.s3, 11);
    return result;
  }

  /** Uniform in [0, 1). */
  float(): number {
    return this.u32() / 4294967296;
  }

  /** Uniform integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.float() * n);
  }

  /** Uniform integer in [lo, hi]. */
  range(lo: number, hi: number): number {
    return lo + this.int(hi - lo + 1);
  }

  /** True with probability p; draws nothing when p is 0, so a zero rate leaves the stream as it was. */
  chance(p: number): boolean {
    return p > 0 && this.float() < p;
  }

  pick<T>(xs: readonly T[]): T {
    return xs[this.int(xs.length)];
  }

  /** A seed for Config.rand (seededRand takes a 32-bit number). */
  seed32(): number {
    return this.u32();
  }
}
