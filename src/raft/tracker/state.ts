/** How the leader replicates to a follower (etcd raft/tracker/state.go). */
export enum ProgressStateType {
  /** The follower's last index is unknown: send one append per heartbeat interval to find it. */
  StateProbe = 0,
  /** Steady state: stream appends optimistically, bounded by the inflight window. */
  StateReplicate = 1,
  /** The follower needs entries the leader compacted: a snapshot is on its way, appends are paused. */
  StateSnapshot = 2,
}
