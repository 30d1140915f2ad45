/**
 * Rebuilding a configuration from a ConfState, e.g. from a snapshot or on
 * restart (etcd raft/confchange/restore.go).
 */
import { ConfChangeType, type ConfChangeSingle, type ConfState } from '../../codec/proto/raftpb.js';
import { Changer, type ConfigAndProgress } from './confchange.js';

/**
 * Translates a ConfState into the changes that recreate it from an empty
 * config: `outgoing` builds the outgoing voters as a plain config, then
 * `incoming` (applied as a joint change on top, if there are outgoing voters)
 * removes them again and adds the incoming voters and the learners. For
 * voters=(1 2 3) learners=(5) outgoing=(1 2 4 6) learners_next=(4) that is
 * outgoing = v1 v2 v4 v6, incoming = r1 r2 r4 r6 v1 v2 v3 l5 l4, which yields
 * (1 2 3)&&(1 2 4 6) learners=(5) learners_next=(4).
 */
function toConfChangeSingle(cs: ConfState): { outgoing: ConfChangeSingle[]; incoming: ConfChangeSingle[] } {
  const single = (type: ConfChangeType) => (nodeId: bigint): ConfChangeSingle => ({ type, nodeId });
  const outgoing = cs.votersOutgoing.map(single(ConfChangeType.ConfChangeAddNode));
  const incoming = [
    ...cs.votersOutgoing.map(single(ConfChangeType.ConfChangeRemoveNode)),
    ...cs.voters.map(single(ConfChangeType.ConfChangeAddNode)),
    ...cs.learners.map(single(ConfChangeType.ConfChangeAddLearnerNode)),
    // Staged learners are still outgoing voters; making them learners now stages them again.
    ...cs.learnersNext.map(single(ConfChangeType.ConfChangeAddLearnerNode)),
  ];
  return { outgoing, incoming };
}

/** Applies the changes enacting `cs`, starting from the changer's (empty) configuration. */
export function restore(chg: Changer, cs: ConfState): ConfigAndProgress {
  const { outgoing, incoming } = toConfChangeSingle(cs);
  let cur: ConfigAndProgress = { config: chg.base.config, progress: chg.base.progress };
  const step = (op: (c: Changer) => ConfigAndProgress): void => {
    cur = op(new Changer({ ...chg.base, config: cur.config, progress: cur.progress }, chg.lastIndex));
  };
  if (outgoing.length === 0) {
    // Not joint: add the incoming voters and learners one at a time.
    for (const cc of incoming) step((c) => c.simple([cc]));
  } else {
    // Build the outgoing voters as a plain config, then rotate them into the
    // outgoing half while entering the joint state with the incoming changes.
    for (const cc of outgoing) step((c) => c.simple([cc]));
    step((c) => c.enterJoint(cs.autoLeave, incoming));
  }
  return cur;
}
