/**
 * The version of each of walt's own JSON outputs, named in its "schema"
 * field and described by schema/<version>.json (test/schema checks every
 * command's output on every fixture against them). A change that a reader of
 * the old version would misread takes a new version.
 */
export const SCHEMA = { dump: 'dump.v1', verify: 'verify.v1', restore: 'restore.v1' } as const;
