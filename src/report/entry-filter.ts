/**
 * `--entry-type`: which entries to print, by the names etcd-dump-logs takes
 * (tools/etcd-dump-logs/main.go, 3.4, evaluateEntrytypeFlag) and walt's own.
 * A comma-separated list, taken as a union.
 *
 * etcd's names mean exactly what its pass* functions test:
 * - ConfigChange: an EntryConfChange (never an EntryConfChangeV2);
 * - InternalRaftRequest: a normal entry whose data unmarshals as one (an
 *   empty entry does: it is the empty message);
 * - Request: a normal entry that is a v2 Request and not an InternalRaftRequest;
 * - Normal: every normal entry, those that decode as neither included;
 * - IRRPut, IRRTxn, …: an InternalRaftRequest with that field set.
 * walt adds ConfigChangeV2, an IRR name for every other operation
 * (IRRAlarm, IRRAuthUserAdd, IRRClusterVersionSet, …) and IRRAuth for all of
 * the auth ones.
 */
import { EntryType, type Entry } from '../codec/proto/raftpb.js';
import { internalRaftOps, type InternalRaftOp, type InternalRaftRequest } from '../codec/proto/etcdserverpb.js';
import { decodeNormalEntry, type DecodedRequest } from '../codec/request.js';

type Test = (e: Entry, d: () => DecodedRequest) => boolean;

const isNormal = (e: Entry) => e.type === EntryType.EntryNormal;

/** Whether etcd's InternalRaftRequest.Unmarshal accepts the data (empty data included). */
export const isInternalRaftRequest = (d: DecodedRequest): boolean => d.kind === 'empty' || d.wire === 'InternalRaftRequest';

const withOp =
  (ops: readonly InternalRaftOp[]): Test =>
  (e, d) =>
    isNormal(e) && isInternalRaftRequest(d()) && ops.some((op) => (d().message as InternalRaftRequest | undefined)?.[op] !== undefined);

/** delete_range → DeleteRange: etcd's IRR names are the Go field names. */
const goName = (op: string) => op.replace(/(^|_)([a-z0-9])/g, (_, __, c: string) => c.toUpperCase());

/** The operations etcd-dump-logs 3.4 has names for, in the order its usage text lists them. */
const etcdOps: readonly InternalRaftOp[] = ['range', 'put', 'delete_range', 'txn', 'compaction', 'lease_grant', 'lease_revoke', 'lease_checkpoint'];
const authOps = internalRaftOps.filter((op) => op.startsWith('auth'));

const etcdTypes: ReadonlyArray<[string, Test]> = [
  ['ConfigChange', (e) => e.type === EntryType.EntryConfChange],
  ['Normal', isNormal],
  ['Request', (e, d) => isNormal(e) && d().wire === 'Request'],
  ['InternalRaftRequest', (e, d) => isNormal(e) && isInternalRaftRequest(d())],
  ...etcdOps.map((op): [string, Test] => [`IRR${goName(op)}`, withOp([op])]),
];

const waltTypes: ReadonlyArray<[string, Test]> = [
  ['ConfigChangeV2', (e) => e.type === EntryType.EntryConfChangeV2],
  ...internalRaftOps.filter((op) => !etcdOps.includes(op)).map((op): [string, Test] => [`IRR${goName(op)}`, withOp([op])]),
  ['IRRAuth', withOp(authOps)],
];

const tests = new Map<string, Test>([...etcdTypes, ...waltTypes]);

/** etcd-dump-logs' names, then walt's. */
export const entryTypeNames: readonly string[] = [...tests.keys()];

export class EntryTypeError extends Error {
  readonly code = 'UNKNOWN_ENTRY_TYPE';
  constructor(readonly data: { unknown: string[]; valid: readonly string[] }) {
    super(`unknown entry type${data.unknown.length > 1 ? 's' : ''} ${data.unknown.map((n) => `"${n}"`).join(', ')}; valid: ${data.valid.join(', ')}`);
    this.name = 'EntryTypeError';
  }
}

export interface EntryFilter {
  /** The list as given (etcd-dump-logs prints it back in its count line). */
  spec: string;
  /** `request` is the normal entry's decoded data, decoded here when not given. */
  accepts(entry: Entry, request?: DecodedRequest): boolean;
}

/** Parses a comma-separated list of names; throws EntryTypeError naming any it does not know. */
export function parseEntryTypes(spec: string): EntryFilter {
  const names = spec.split(',');
  const unknown = names.filter((n) => !tests.has(n));
  if (unknown.length > 0) throw new EntryTypeError({ unknown, valid: entryTypeNames });
  const chosen = names.map((n) => tests.get(n)!);
  return {
    spec,
    accepts(entry, request) {
      let decoded = request;
      const d = () => (decoded ??= decodeNormalEntry(entry.data));
      return chosen.some((t) => t(entry, d));
    },
  };
}

/** What etcd-dump-logs prints without --entry-type: every normal entry and every EntryConfChange. */
export const etcdDefaultFilter: EntryFilter = { spec: '', accepts: (e) => isNormal(e) || e.type === EntryType.EntryConfChange };
