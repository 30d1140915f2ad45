/**
 * mvccpb (etcd mvcc/mvccpb/kv.proto, api/mvccpb/kv.proto from 3.5; proto3):
 * the value of every revision in the backend's `key` bucket, and watch events.
 * Revisions and leases are int64, hence bigint.
 */
import { fields, type MessageSpec } from './schema.js';

export const eventTypeNames: Record<number, string> = { 0: 'PUT', 1: 'DELETE' };

export const KeyValueSpec: MessageSpec = {
  name: 'mvccpb.KeyValue',
  fields: fields(
    [1, 'key', 'bytes'],
    [2, 'create_revision', 'int64'],
    [3, 'mod_revision', 'int64'],
    [4, 'version', 'int64'],
    [5, 'value', 'bytes'],
    [6, 'lease', 'int64'],
  ),
};

export const EventSpec: MessageSpec = {
  name: 'mvccpb.Event',
  fields: fields(
    [1, 'type', 'enum', { enumNames: eventTypeNames }],
    [2, 'kv', 'message', { msg: () => KeyValueSpec }],
    [3, 'prev_kv', 'message', { msg: () => KeyValueSpec }],
  ),
};
