/**
 * The election-timeout random source the two sides share. The Go program
 * replaces raft's globalRand with math/rand over a splitmix64 source
 * (test/oracle/raft-lockstep/main.go); every node draws
 * `electionTimeout + globalRand.Intn(electionTimeout)` from it, in the order
 * the nodes reset. Here the same numbers go through walt's Config.rand, which
 * raft.ts turns into `electionTimeout + floor(rand() * electionTimeout)`.
 * All nodes of a schedule share one source, as all Go nodes share globalRand:
 * a node resetting at a different moment shifts every later draw, so a
 * divergence there shows in the Readies.
 */

const MASK = (1n << 64n) - 1n;

/** splitmix64, as the Go program's source (its Int63 is Uint64() >> 1). */
function splitmix64(seed: bigint): () => bigint {
  let s = seed & MASK;
  return () => {
    s = (s + 0x9e3779b97f4a7c15n) & MASK;
    let z = s;
    z = ((z ^ (z >> 30n)) * 0xbf58476d1ce4e5b9n) & MASK;
    z = ((z ^ (z >> 27n)) * 0x94d049bb133111ebn) & MASK;
    return z ^ (z >> 31n);
  };
}

/** Go's math/rand Rand.Intn(n) for 0 < n < 2^31 (Int31n over Int31 = Int63 >> 32). */
function goIntn(next: () => bigint, n: number): number {
  const int31 = (): number => Number((next() >> 1n) >> 32n);
  if ((n & (n - 1)) === 0) return int31() & (n - 1);
  const max = 2 ** 31 - 1 - (2 ** 31 % n);
  let v = int31();
  while (v > max) v = int31();
  return v % n;
}

/**
 * Config.rand for nodes whose electionTick is `electionTick`: each call
 * yields Intn(electionTick) as a float whose floor after scaling by
 * electionTick is exactly that integer ((v + 0.5) / n keeps clear of
 * rounding at the integer boundary).
 */
export function electionRand(seed: bigint, electionTick: number): () => number {
  const next = splitmix64(seed);
  return () => (goIntn(next, electionTick) + 0.5) / electionTick;
}
