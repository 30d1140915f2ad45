/** Types shared by majority and joint quorums (etcd raft/quorum/quorum.go). */

/** The outcome of a vote: not yet decided, lost by a quorum of "no", or won by a quorum of "yes". */
export enum VoteResult {
  VotePending = 1,
  VoteLost = 2,
  VoteWon = 3,
}

/** Looks up the log index a voter has acknowledged, if any. */
export interface AckedIndexer {
  ackedIndex(voterId: bigint): bigint | undefined;
}

/** The committed index of an empty majority: the neutral element of min() in a joint config. */
export const MAX_INDEX = 0xffff_ffff_ffff_ffffn;
