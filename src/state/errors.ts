/**
 * Failures of the state layer: etcd's buckets holding what etcd does not
 * write (bbolt's own format errors are the codec's: src/codec/errors.ts),
 * and reads the key space cannot answer. Like CodecError, a LocatedError (a
 * stable `code`, the file and byte offset, a `data` object, `describe()`), so
 * the CLI can map these codes in the same place it maps the codec's.
 *
 * etcd's own request errors (a put with ignore_value on a missing key, a
 * compaction of a future revision, ...) are not exceptions here: an applied
 * entry that etcd answers with an error is still a committed entry, so
 * EtcdState.applyEntry reports them as a result (see etcd-errors.ts).
 */
import { LocatedError } from '../codec/errors.js';

export type StateErrorCode =
  /** One of etcd's buckets holds a key or value in a shape etcd does not write. */
  | 'BACKEND_BAD_RECORD'
  /** The v2 store JSON of a `.snap` file is not what store.Save writes. */
  | 'BAD_V2_SNAPSHOT'
  /** The backend has no `key` bucket: not an etcd v3 backend. */
  | 'BACKEND_NO_KEY_BUCKET'
  /** A read asked for history the store was told not to keep. */
  | 'HISTORY_DROPPED'
  /** An etcd version that is not X.Y.Z (version-rules.ts). */
  | 'BAD_VERSION'
  /** An entry that makes etcd panic (an inconsistency etcd does not survive either). */
  | 'ETCD_PANIC';

export class StateError extends LocatedError<StateErrorCode> {}
