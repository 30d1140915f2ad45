/** Majority quorums over a set of voter IDs (etcd raft/quorum/majority.go). */
import { sortBigints } from '../util.js';
import { MAX_INDEX, VoteResult, type AckedIndexer } from './quorum.js';

export class MajorityConfig extends Set<bigint> {
  /** The voter IDs in ascending order. */
  slice(): bigint[] {
    return sortBigints([...this]);
  }

  override toString(): string {
    return `(${this.slice().join(' ')})`;
  }

  /**
   * The largest index acknowledged by a majority: sort the acked indexes (voters
   * that have not reported count as 0) and take the one a quorum is at or past.
   */
  committedIndex(l: AckedIndexer): bigint {
    const n = this.size;
    if (n === 0) return MAX_INDEX; // so that a joint config with an empty half acts like the other half
    const srt = new Array<bigint>(n);
    let i = 0;
    for (const id of this) srt[i++] = l.ackedIndex(id) ?? 0n;
    // Insertion sort: n is tiny and this avoids a comparator closure per call.
    for (let a = 1; a < n; a++) {
      const v = srt[a];
      let b = a - 1;
      while (b >= 0 && srt[b] > v) {
        srt[b + 1] = srt[b];
        b--;
      }
      srt[b + 1] = v;
    }
    return srt[n - ((n >> 1) + 1)];
  }

  /** Tallies yes/no votes; voters missing from `votes` may still swing a pending result. */
  voteResult(votes: ReadonlyMap<bigint, boolean>): VoteResult {
    // By convention an empty config wins, so a half-populated joint config acts like a majority.
    if (this.size === 0) return VoteResult.VoteWon;
    let yes = 0;
    let missing = 0;
    for (const id of this) {
      const v = votes.get(id);
      if (v === undefined) missing++;
      else if (v) yes++;
    }
    const q = (this.size >> 1) + 1;
    if (yes >= q) return VoteResult.VoteWon;
    if (yes + missing >= q) return VoteResult.VotePending;
    return VoteResult.VoteLost;
  }
}
