/**
 * Membership as etcd 3.4 writes it (etcdserver/api/membership): the member
 * JSON a ConfChange carries as its context. (The v2 store document that holds
 * it under /0/members, a .snap file's data, is state/v2store-save.ts.)
 */

export interface MemberSpec {
  id: bigint;
  peerURLs: string[];
  name?: string;
  isLearner?: boolean;
}

const enc = new TextEncoder();

/**
 * A simulated member's peer URL: stable, and distinct per node; on loopback,
 * port `basePort` + k, when real etcd is to start on the data dirs.
 */
export const peerURL = (k: number, basePort?: number): string => (basePort === undefined ? `http://node-${k}:2380` : `http://127.0.0.1:${basePort + k}`);

/**
 * membership.Member as json.Marshal writes it: uint64 ID as a bare number,
 * then RaftAttributes (isLearner omitted when false), then Attributes (name
 * omitted when empty). JSON cannot carry a uint64 through a JS number, hence by hand.
 */
export function memberContext(m: MemberSpec): Uint8Array {
  let s = `{"id":${m.id},"peerURLs":${JSON.stringify(m.peerURLs)}`;
  if (m.isLearner) s += ',"isLearner":true';
  if (m.name) s += `,"name":${JSON.stringify(m.name)}`;
  return enc.encode(s + '}');
}

/** ConfigChangeContext of `member promote`: the member with nil peerURLs, and isPromote. */
export const promoteContext = (id: bigint): Uint8Array => enc.encode(`{"id":${id},"peerURLs":null,"isPromote":true}`);
