/** bbolt's file format, read and written: the backend of etcd v3 (`member/snap/db`, `*.snap.db`). */
export { BboltFile, DEFAULT_MAX_DEPTH, type BboltOptions, type MetaPage } from './file.js';
export { Bucket, type BucketEntry } from './bucket.js';
export { BBOLT_MAGIC, BBOLT_VERSION, fnv64a, type Meta } from './meta.js';
export { NO_FREELIST, parseFreelist, type Freelist } from './freelist.js';
export { checkBbolt, MAX_FINDINGS_PER_KIND, type CheckFinding, type CheckKind, type CheckResult } from './check.js';
export { describeNonBbolt } from './not-bbolt.js';
export { BboltWriter, DEFAULT_PAGE_SIZE } from './writer.js';
export type { ValueWriter } from './tree-writer.js';
