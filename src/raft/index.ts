/** walt's in-process Raft node, in the style of etcd's raft library. */
export { RawNode, SnapshotStatus, ErrStepLocalMsg, ErrStepPeerNotFound, type Peer, type Ready } from './rawnode.js';
export { Raft, StateType, ErrProposalDropped, type Config, type Logger, type SoftState } from './raft.js';
export {
  MemoryStorage,
  ErrCompacted,
  ErrSnapOutOfDate,
  ErrUnavailable,
  ErrSnapshotTemporarilyUnavailable,
  isEmptySnap,
  emptySnapshot,
  type Storage,
  type InitialState,
} from './storage.js';
export { ReadOnlyOption, type ReadState } from './read_only.js';
export type { Status, BasicStatus, ProgressStatus } from './status.js';
export { ProgressStateType } from './tracker/state.js';
export { TrackerConfig } from './tracker/tracker.js';
export { ErrConfChange, asV2, enterJoint, leaveJoint } from './confchange/confchange.js';
export {
  NONE,
  RaftError,
  type RaftErrorCode,
  isLocalMsg,
  isResponseMsg,
  voteRespMsgType,
  limitSize,
  entrySize,
  payloadSize,
  seededRand,
} from './util.js';
