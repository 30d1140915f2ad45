/** A snapshot of a node's state for monitoring and tests (etcd raft/status.go). */
import type { HardState } from '../codec/proto/raftpb.js';
import { StateType, type Raft, type SoftState } from './raft.js';
import type { ProgressStateType } from './tracker/state.js';
import type { TrackerConfig } from './tracker/tracker.js';

/** A copy of a follower's Progress, detached from the live one. */
export interface ProgressStatus {
  match: bigint;
  next: bigint;
  state: ProgressStateType;
  pendingSnapshot: bigint;
  recentActive: boolean;
  probeSent: boolean;
  isLearner: boolean;
  inflightMsgs: number;
  inflightBytes: number;
}

export interface BasicStatus {
  id: bigint;
  hardState: HardState;
  softState: SoftState;
  applied: bigint;
  leadTransferee: bigint;
}

export interface Status extends BasicStatus {
  config: TrackerConfig;
  /** Per-member progress; only the leader tracks it, so empty elsewhere. */
  progress: Map<bigint, ProgressStatus>;
}

export function getBasicStatus(r: Raft): BasicStatus {
  return { id: r.id, hardState: r.hardState(), softState: r.softState(), applied: r.raftLog.applied, leadTransferee: r.leadTransferee };
}

export function getStatus(r: Raft): Status {
  const progress = new Map<bigint, ProgressStatus>();
  if (r.state === StateType.Leader) {
    r.prs.visit((id, pr) =>
      progress.set(id, {
        match: pr.match,
        next: pr.next,
        state: pr.state,
        pendingSnapshot: pr.pendingSnapshot,
        recentActive: pr.recentActive,
        probeSent: pr.probeSent,
        isLearner: pr.isLearner,
        inflightMsgs: pr.inflights.countMsgs(),
        inflightBytes: pr.inflights.countBytes(),
      }),
    );
  }
  return { ...getBasicStatus(r), config: r.prs.config.clone(), progress };
}
