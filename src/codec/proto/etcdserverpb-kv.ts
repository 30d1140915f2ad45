/**
 * The key-value requests of etcdserverpb (etcdserver/etcdserverpb/rpc.proto,
 * api/etcdserverpb/rpc.proto from 3.5; proto3) as InternalRaftRequest carries
 * them: range, put, delete_range, txn (compares and nested operations), compaction.
 * Keys and values are bytes; revisions, limits and leases are int64.
 */
import { fields, oneof, type MessageSpec } from './schema.js';

export const sortOrderNames: Record<number, string> = { 0: 'NONE', 1: 'ASCEND', 2: 'DESCEND' };
export const sortTargetNames: Record<number, string> = { 0: 'KEY', 1: 'VERSION', 2: 'CREATE', 3: 'MOD', 4: 'VALUE' };
export const compareResultNames: Record<number, string> = { 0: 'EQUAL', 1: 'GREATER', 2: 'LESS', 3: 'NOT_EQUAL' };
export const compareTargetNames: Record<number, string> = { 0: 'VERSION', 1: 'CREATE', 2: 'MOD', 3: 'VALUE', 4: 'LEASE' };

export const RangeRequestSpec: MessageSpec = {
  name: 'etcdserverpb.RangeRequest',
  fields: fields(
    [1, 'key', 'bytes'],
    [2, 'range_end', 'bytes'],
    [3, 'limit', 'int64'],
    [4, 'revision', 'int64'],
    [5, 'sort_order', 'enum', { enumNames: sortOrderNames }],
    [6, 'sort_target', 'enum', { enumNames: sortTargetNames }],
    [7, 'serializable', 'bool'],
    [8, 'keys_only', 'bool'],
    [9, 'count_only', 'bool'],
    [10, 'min_mod_revision', 'int64'],
    [11, 'max_mod_revision', 'int64'],
    [12, 'min_create_revision', 'int64'],
    [13, 'max_create_revision', 'int64'],
  ),
};

export const PutRequestSpec: MessageSpec = {
  name: 'etcdserverpb.PutRequest',
  fields: fields(
    [1, 'key', 'bytes'],
    [2, 'value', 'bytes'],
    [3, 'lease', 'int64'],
    [4, 'prev_kv', 'bool'],
    [5, 'ignore_value', 'bool'],
    [6, 'ignore_lease', 'bool'],
  ),
};

export const DeleteRangeRequestSpec: MessageSpec = {
  name: 'etcdserverpb.DeleteRangeRequest',
  fields: fields([1, 'key', 'bytes'], [2, 'range_end', 'bytes'], [3, 'prev_kv', 'bool']),
};

/** `oneof request`: exactly one of the four is set in a well-formed op. */
export const RequestOpSpec: MessageSpec = oneof(
  {
    name: 'etcdserverpb.RequestOp',
    fields: fields(
      [1, 'request_range', 'message', { msg: () => RangeRequestSpec }],
      [2, 'request_put', 'message', { msg: () => PutRequestSpec }],
      [3, 'request_delete_range', 'message', { msg: () => DeleteRangeRequestSpec }],
      [4, 'request_txn', 'message', { msg: () => TxnRequestSpec }],
    ),
  },
  'request_range',
  'request_put',
  'request_delete_range',
  'request_txn',
);

/**
 * `oneof target_union`: the member matching `target` holds the value compared
 * against, and it is written even when zero (create_revision 0 = "key absent").
 */
export const CompareSpec: MessageSpec = oneof(
  {
    name: 'etcdserverpb.Compare',
    fields: fields(
      [1, 'result', 'enum', { enumNames: compareResultNames }],
      [2, 'target', 'enum', { enumNames: compareTargetNames }],
      [3, 'key', 'bytes'],
      [4, 'version', 'int64'],
      [5, 'create_revision', 'int64'],
      [6, 'mod_revision', 'int64'],
      [7, 'value', 'bytes'],
      [8, 'lease', 'int64'],
      [64, 'range_end', 'bytes'],
    ),
  },
  'version',
  'create_revision',
  'mod_revision',
  'value',
  'lease',
);

export const TxnRequestSpec: MessageSpec = {
  name: 'etcdserverpb.TxnRequest',
  fields: fields(
    [1, 'compare', 'message', { repeated: true, msg: () => CompareSpec }],
    [2, 'success', 'message', { repeated: true, msg: () => RequestOpSpec }],
    [3, 'failure', 'message', { repeated: true, msg: () => RequestOpSpec }],
  ),
};

export const CompactionRequestSpec: MessageSpec = {
  name: 'etcdserverpb.CompactionRequest',
  fields: fields([1, 'revision', 'int64'], [2, 'physical', 'bool']),
};
