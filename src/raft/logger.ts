/**
 * Where raft's log lines go (etcd raft/logger.go). The messages are etcd's,
 * word for word, so that etcd's interaction tests can hold walt to them.
 */
import { ConfChangeTransition, ConfChangeType, type ConfChange, type ConfChangeSingle, type ConfChangeV2, type ConfState } from '../codec/proto/raftpb.js';

export interface Logger {
  debug(msg: string): void;
  info(msg: string): void;
  warn(msg: string): void;
}

// Values as Go's %v prints them in etcd's log lines: a struct's fields in
// declaration order, byte slices as decimal lists. etcd 3.4's generated
// structs end with an XXX_unrecognized byte slice, which prints as "[]".

const goBytes = (b: Uint8Array | undefined): string => `[${[...(b ?? [])].join(' ')}]`;
const goIds = (ids: readonly bigint[]): string => `[${ids.join(' ')}]`;

/** A ConfChange or ConfChangeV2 as etcd's "ignoring conf change %v" prints it. */
export function goConfChange(cc: ConfChange | ConfChangeV2, v34: boolean): string {
  const x = v34 ? ' []' : '';
  if ('changes' in cc) {
    const single = (c: ConfChangeSingle): string => `{${ConfChangeType[c.type]} ${c.nodeId}${x}}`;
    return `{${ConfChangeTransition[cc.transition]} [${cc.changes.map(single).join(' ')}] ${goBytes(cc.context)}${x}}`;
  }
  return `{${ConfChangeType[cc.type]} ${cc.nodeId} ${goBytes(cc.context)} ${cc.id}${x}}`;
}

export const goConfState = (cs: ConfState): string =>
  `{${goIds(cs.voters)} ${goIds(cs.learners)} ${goIds(cs.votersOutgoing)} ${goIds(cs.learnersNext)} ${cs.autoLeave}}`;
