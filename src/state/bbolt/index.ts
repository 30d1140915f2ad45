/** A read-only reader of bbolt files, the backend of etcd v3 (`member/snap/db`). */
export { BboltFile, DEFAULT_MAX_DEPTH, type BboltOptions } from './file.js';
export { Bucket, type BucketEntry } from './bucket.js';
export { BBOLT_MAGIC, BBOLT_VERSION, fnv64a, type Meta } from './meta.js';
