/** `walt restore`'s work once its flags are read: the restore point, the plan, and the data dir written. */
import type { ReplaySource } from '../replay/replay.js';
import { existsSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, resolve } from 'node:path';
import { resolveDataDir } from '../codec/data-dir.js';
import { goQuote } from '../report/render.js';
import { SCHEMA } from '../report/schema-version.js';
import { base64, toJSON } from '../util/json.js';
import { idHex } from '../codec/proto/metadata.js';
import type { RestorePlan } from '../surgery/restore.js';
import type { BackendWriteSummary } from '../state/backend-writer.js';
import type { RestorePoint } from '../surgery/restore-point.js';
import { EXIT_OK, UsageError } from './errors.js';

export interface RestoreCliOptions {
  out?: string;
  outDataDir?: string;
  name: string;
  initialAdvertisePeerUrls: string;
  initialClusterToken: string;
  atIndex?: bigint;
  atRevision?: bigint;
  beforeDelete?: string;
  beforeDeletePrefix?: string;
  atCommit?: boolean;
  from: ReplaySource;
  walDir?: string;
  dryRun?: boolean;
  allowUncommitted?: boolean;
  etcdVersion?: string;
  minLeaseTtl?: bigint;
  bcryptCost: number;
  writeOut: 'simple' | 'json';
}

export async function run(dir: string, opts: RestoreCliOptions): Promise<number> {
  const point = pointOf(opts);
  if (!opts.dryRun && opts.out === undefined && opts.outDataDir === undefined) throw new UsageError('--out FILE.db or --out-data-dir DIR is required (or --dry-run to see the plan)');
  if (opts.out !== undefined && opts.outDataDir !== undefined) throw new UsageError('choose one of --out and --out-data-dir');
  if (opts.out !== undefined && existsSync(opts.out)) throw new UsageError(`${opts.out} exists; restore writes a new file and replaces nothing: choose another --out or remove it`);
  if (opts.outDataDir !== undefined && existsSync(opts.outDataDir) && readdirSync(opts.outDataDir).length > 0) {
    throw new UsageError(`${opts.outDataDir} is not empty; restore writes a new data dir and replaces nothing: choose another --out-data-dir`);
  }
  const peerURLs = opts.initialAdvertisePeerUrls.split(',').filter(Boolean);
  const paths = resolveDataDir(dir, opts.walDir);
  const [{ replayToPoint, writeSnapshotFile }, { writeDataDir }] = await Promise.all([import('../surgery/restore.js'), import('../surgery/restore-data-dir.js')]);
  // Every revision's value waits in a temporary file beside the output (the disk it goes to), not in memory.
  const beside = opts.out ?? opts.outDataDir;
  const spillDir = beside !== undefined && existsSync(dirname(resolve(beside))) ? dirname(resolve(beside)) : tmpdir();
  const restored = replayToPoint(paths, { point, from: opts.from, allowUncommitted: opts.allowUncommitted, etcdVersion: opts.etcdVersion, minLeaseTTL: opts.minLeaseTtl, spillDir });
  let written: WrittenJson | undefined;
  try {
    if (opts.dryRun) written = undefined;
    else if (opts.out !== undefined) written = { path: opts.out, ...writeSnapshotFile(restored, opts.out, { bcryptCost: opts.bcryptCost }) };
    else {
      const d = writeDataDir(restored, opts.outDataDir!, { name: opts.name, peerURLs, clusterToken: opts.initialClusterToken, bcryptCost: opts.bcryptCost });
      written = { path: opts.outDataDir!, ...d.backend, memberId: idHex(d.memberId), clusterId: idHex(d.clusterId), name: opts.name, peerURLs };
    }
  } finally {
    restored.close();
  }
  if (opts.writeOut === 'json') process.stdout.write(toJSON(planJson(restored.plan, written), 2) + '\n');
  else process.stdout.write(planText(restored.plan) + (written ? writtenText(written) : ''));
  return EXIT_OK;
}

function pointOf(opts: RestoreCliOptions): RestorePoint {
  const points: RestorePoint[] = [];
  if (opts.atCommit) points.push({ kind: 'commit' });
  if (opts.atIndex !== undefined) points.push({ kind: 'index', index: opts.atIndex });
  if (opts.atRevision !== undefined) points.push({ kind: 'revision', revision: opts.atRevision });
  if (opts.beforeDelete !== undefined) points.push({ kind: 'before-delete', key: Buffer.from(opts.beforeDelete, 'utf8') });
  if (opts.beforeDeletePrefix !== undefined) points.push({ kind: 'before-delete-prefix', prefix: Buffer.from(opts.beforeDeletePrefix, 'utf8') });
  if (points.length > 1) throw new UsageError('choose one point: --at-commit, --at-index, --at-revision, --before-delete or --before-delete-prefix');
  return points[0] ?? { kind: 'commit' };
}

/** What was written: the snapshot file, or the data dir with its new member's and cluster's IDs (hex strings). */
type WrittenJson = BackendWriteSummary & { path: string; memberId?: string; clusterId?: string; name?: string; peerURLs?: string[] };

function planJson(plan: RestorePlan, written?: WrittenJson): unknown {
  const before = plan.before && { ...plan.before, keys: plan.before.keys.map(base64) };
  return { schema: SCHEMA.restore, ...plan, before, ...(written ? { written } : {}) };
}

function planText(plan: RestorePlan): string {
  const lines = [`point: ${plan.point}; the state after entry ${plan.index} (term ${plan.term}), at revision ${plan.revision}, replayed from ${plan.source}`];
  const b = plan.before;
  if (b) {
    const keys = b.keys.length === 0 ? '' : ` ${b.keys.slice(0, 3).map((k) => goQuote(k)).join(', ')}${b.keys.length > 3 ? ` and ${b.keys.length - 3} more` : ''}`;
    lines.push(`left out: entry ${b.index} (term ${b.term}, ${b.kind}${keys}) and every entry after it`);
  }
  lines.push(`commit index ${plan.commitIndex}, at revision ${plan.commitRevision}`);
  const u = plan.uncommitted;
  if (u) lines.push(`includes entries ${u.from}..${u.to}, past the last hard state's commit index: no quorum may have had them, and etcd never applies them`);
  const d = plan.differ;
  lines.push(`${plan.keys} keys; against the commit index: ${d.restored} come back, ${d.reverted} go back to an earlier value, ${d.dropped} written since are not there`);
  return lines.join('\n') + '\n';
}

function writtenText(w: WrittenJson): string {
  if (w.memberId !== undefined) {
    return `wrote ${w.path}: member ${w.memberId} (${w.name}, ${w.peerURLs!.join(',')}) of a new cluster ${w.clusterId}; a backend of ${w.size} bytes, ${w.revisions} revisions, ${w.leases} leases
next: etcd --name ${w.name} --data-dir ${w.path} --initial-advertise-peer-urls ${w.peerURLs!.join(',')} --listen-peer-urls … --listen-client-urls … --advertise-client-urls …
`;
  }
  return `wrote ${w.path}: ${w.size} bytes, ${w.revisions} revisions, ${w.leases} leases, SHA-256 ${w.sha256}
next: etcdutl snapshot restore ${w.path} --data-dir NEW_DIR (etcd 3.4: etcdctl snapshot restore), then start etcd on NEW_DIR
`;
}
