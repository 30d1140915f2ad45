/**
 * What an etcd raft entry asks for: the request in a normal entry's data, and
 * the member in a conf change's context.
 */
import { ProtoError } from './errors.js';
import { decodeInternalRaftRequest, decodeV2Request, internalRaftOps, type InternalRaftOp, type InternalRaftRequest, type V2Request } from './proto/etcdserverpb.js';
import { decodeConfChange, decodeConfChangeV2, EntryType, type ConfChange, type ConfChangeV2, type Entry } from './proto/raftpb.js';

/** The InternalRaftRequest operation set, 'v2' for a v2 store request, 'empty' for a leader's no-op. */
export type RequestKind = 'empty' | InternalRaftOp | 'unknown';

/** What a normal entry's data decoded as; `wire` says which message `message` is. */
export type DecodedRequest =
  | { kind: RequestKind; wire: 'InternalRaftRequest'; message: InternalRaftRequest; v2?: V2Request; error?: string }
  | { kind: 'v2'; wire: 'Request'; message: V2Request; v2: V2Request; error?: undefined }
  /** 'empty', or 'unknown' with why. */
  | { kind: 'empty' | 'unknown'; wire?: undefined; message?: undefined; v2?: undefined; error?: string };

/**
 * Decodes a normal entry's data as etcd applies it (etcdserver/server.go,
 * applyEntryNormal, 3.4 to 3.6): no data is the no-op a new leader appends;
 * data that parses as an InternalRaftRequest is one, and its `v2` field, when
 * set, wins; data that does not is a bare v2 Request.
 *
 * Could a bare v2 Request parse as an InternalRaftRequest with junk in it? Not
 * with a parser as strict as gogo's (proto/message.ts). The Request's field 2,
 * Method, is always written, and InternalRaftRequest's field 2 is the nested
 * `v2` Request, so the method's letters are read as its tags: "PUT" gives field
 * 10 (Wait) with the end-group wire type, and every method etcd uses (GET, PUT,
 * POST, DELETE, QGET, SYNC, HEAD) fails the same way, so etcd and this decoder
 * fall back to Request. etcd-dump-logs tries the two in the same order.
 */
export function decodeNormalEntry(data: Uint8Array | undefined): DecodedRequest {
  if (data === undefined || data.length === 0) return { kind: 'empty' };
  let irrError: string;
  try {
    const m = decodeInternalRaftRequest(data);
    if (m.v2 !== undefined) return { kind: 'v2', message: m, wire: 'InternalRaftRequest', v2: m.v2 };
    const op = internalRaftOps.find((name) => m[name] !== undefined);
    if (op !== undefined) return { kind: op, message: m, wire: 'InternalRaftRequest' };
    // Parses, but carries no operation walt knows: one from a newer etcd.
    return { kind: 'unknown', message: m, wire: 'InternalRaftRequest', error: 'InternalRaftRequest with no known operation' };
  } catch (e) {
    if (!(e instanceof ProtoError)) throw e;
    irrError = e.message;
  }
  try {
    const r = decodeV2Request(data);
    return { kind: 'v2', message: r, wire: 'Request', v2: r };
  } catch (e) {
    if (!(e instanceof ProtoError)) throw e;
    return { kind: 'unknown', error: `neither an InternalRaftRequest (${irrError}) nor a v2 Request (${e.message})` };
  }
}

/**
 * A conf change's context as etcd writes it (etcdserver/api/membership/member.go,
 * cluster.go ConfigChangeContext): the member as JSON for add, update and
 * promote; nothing for remove.
 */
export interface MemberContext {
  /** types.ID: a uint64, printed as hex by etcd. */
  id: bigint;
  peerURLs: string[];
  name?: string;
  clientURLs?: string[];
  isLearner: boolean;
  /** Set when an AddNode promotes a learner rather than adds a member. */
  isPromote: boolean;
}

export interface DecodedConfChange {
  /** A ConfChange for EntryConfChange, a ConfChangeV2 for EntryConfChangeV2. */
  change?: ConfChange | ConfChangeV2;
  member?: MemberContext;
  error?: string;
}

/**
 * The member's id is a uint64 that JSON.parse would round to a double, so it is
 * read from the text. An unescaped `"` cannot occur inside a JSON string, so the
 * pattern cannot match inside the name or a URL.
 */
const memberIdPattern = /[{,]\s*"id"\s*:\s*(\d+)\s*[,}]/;

export function parseMemberContext(context: Uint8Array | undefined): MemberContext | undefined {
  if (context === undefined || context.length === 0) return undefined;
  const text = Buffer.from(context).toString('utf8');
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return undefined;
  }
  const id = memberIdPattern.exec(text);
  if (json === null || typeof json !== 'object' || Array.isArray(json) || id === null) return undefined;
  const o = json as Record<string, unknown>;
  const strings = (v: unknown): string[] | undefined => (Array.isArray(v) && v.every((s) => typeof s === 'string') ? v : undefined);
  return {
    id: BigInt(id[1]),
    peerURLs: strings(o.peerURLs) ?? [],
    name: typeof o.name === 'string' ? o.name : undefined,
    clientURLs: strings(o.clientURLs),
    isLearner: o.isLearner === true,
    isPromote: o.isPromote === true,
  };
}

export function decodeConfChangeEntry(entry: Entry): DecodedConfChange {
  const data = entry.data ?? new Uint8Array();
  let change: ConfChange | ConfChangeV2;
  try {
    if (entry.type === EntryType.EntryConfChange) change = decodeConfChange(data);
    else if (entry.type === EntryType.EntryConfChangeV2) change = decodeConfChangeV2(data);
    else return { error: `entry type ${entry.type} is not a conf change` };
  } catch (e) {
    if (!(e instanceof ProtoError)) throw e;
    return { error: e.message };
  }
  return { change, member: parseMemberContext(change.context) };
}
