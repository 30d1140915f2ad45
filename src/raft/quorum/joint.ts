/**
 * Joint quorums: two majority configs that must both agree (etcd
 * raft/quorum/joint.go), the C_old,new of Raft thesis §4.3. The outgoing half
 * is empty outside a joint configuration.
 */
import { MajorityConfig } from './majority.js';
import { VoteResult, type AckedIndexer } from './quorum.js';

export class JointConfig {
  constructor(
    readonly incoming: MajorityConfig = new MajorityConfig(),
    readonly outgoing: MajorityConfig = new MajorityConfig(),
  ) {}

  clone(): JointConfig {
    return new JointConfig(new MajorityConfig(this.incoming), new MajorityConfig(this.outgoing));
  }

  isJoint(): boolean {
    return this.outgoing.size > 0;
  }

  /** Every voter of either half. */
  ids(): Set<bigint> {
    const s = new Set<bigint>(this.incoming);
    for (const id of this.outgoing) s.add(id);
    return s;
  }

  toString(): string {
    return this.isJoint() ? `${this.incoming}&&${this.outgoing}` : this.incoming.toString();
  }

  /** An index is jointly committed once both halves have committed it. */
  committedIndex(l: AckedIndexer): bigint {
    const a = this.incoming.committedIndex(l);
    const b = this.outgoing.committedIndex(l);
    return a < b ? a : b;
  }

  /** Both halves must win; either losing loses. */
  voteResult(votes: ReadonlyMap<bigint, boolean>): VoteResult {
    const r1 = this.incoming.voteResult(votes);
    const r2 = this.outgoing.voteResult(votes);
    if (r1 === r2) return r1;
    if (r1 === VoteResult.VoteLost || r2 === VoteResult.VoteLost) return VoteResult.VoteLost;
    return VoteResult.VotePending;
  }
}
