/**
 * The backend (`member/snap/db`) as etcd 3.4 finds it at start, judged by
 * what etcd does with it: what makes etcd refuse to start is an error, the
 * rest a warning. The rules, from etcd 3.4's source:
 *
 * - bbolt's Open (go.etcd.io/bbolt db.go): a file with no valid meta page is
 *   ErrInvalid, and etcd panics ("cannot open database", mvcc/backend/backend.go
 *   newBackend); one bad meta page is survived, bbolt uses the other (DB.meta).
 * - etcd 3.4 on Linux opens bbolt with NoFreelistSync (mvcc/backend/config_linux.go),
 *   so Open rebuilds the freelist by walking every bucket (db.go freepages, with
 *   tx.go checkBucket) and panics on any page out of bounds, reached twice or of
 *   an invalid type. Pages nothing reaches are simply free to it.
 * - etcdserver/backend.go recoverSnapshotBackend: when the backend's
 *   consistent_index is below the snapshot etcd loads, etcd swaps in
 *   `snap/%016x.snap.db` for that snapshot's index (a backend a leader sent) and
 *   panics when there is none; etcdserver/server.go then refuses a backend
 *   still behind the snapshot ("database file ... does not match with
 *   snapshot") unless its index is 0 (never saved: a warning). A deleted
 *   backend reads as a new one at index 0, so with a snapshot it is fatal too.
 * - etcd creates any of its buckets that is missing (mvcc, lease, membership,
 *   auth and alarm stores each create theirs at start): a warning, though a
 *   missing `key` bucket means a member that starts with no keys.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { BboltFile, checkBbolt, type CheckKind } from '../codec/bbolt/index.js';
import { CodecError } from '../codec/errors.js';
import type { Problem } from './problem.js';
import { RESTORE } from './next-step.js';

/** etcd 3.4's buckets (mvcc/backend, lease, membership, auth, alarm): each is created at start when missing. */
export const ETCD_BUCKETS = ['alarm', 'auth', 'authRoles', 'authUsers', 'cluster', 'key', 'lease', 'members', 'members_removed', 'meta'] as const;

/** What one bbolt file holds, as far as etcd's start-up cares. */
export interface BackendSummary {
  file: string;
  size: number;
  pageSize?: number;
  /** The meta page bbolt uses and its transaction id. */
  metaPage?: number;
  txid?: bigint;
  pages?: number;
  freePages?: number;
  buckets?: string[];
  /** meta/consistent_index: the index of the last entry applied to this backend. */
  consistentIndex?: bigint;
  /** meta/term (etcd 3.5 and later). */
  term?: bigint;
}

export interface BackendInspection {
  summary: BackendSummary;
  problems: Problem[];
  /** The file could be opened as bbolt at all. */
  opened: boolean;
  /** Why it could not: not bbolt, no valid meta page, too short. */
  openError?: CodecError;
}

/** Restoring a backend is the way out of every backend error; etcd 3.5 moved the tool to etcdutl. */
const RESTORE_HINT = RESTORE;

/** Findings of bbolt's check that make etcd 3.4's Open panic (freepages → checkBucket), or freelist.read. */
const FATAL_KINDS: ReadonlySet<CheckKind> = new Set(['out-of-bounds', 'multiple-references', 'invalid-type', 'too-deep', 'bad-freelist']);

const CHECK_CODES: Record<CheckKind, string> = {
  'already-freed': 'BBOLT_DOUBLE_FREE',
  'bad-freelist': 'BBOLT_BAD_FREELIST',
  'out-of-bounds': 'BBOLT_PAGE_OUT_OF_BOUNDS',
  'multiple-references': 'BBOLT_PAGE_SHARED',
  'reachable-freed': 'BBOLT_REACHABLE_FREED',
  'invalid-type': 'BBOLT_BAD_PAGE',
  'too-deep': 'BBOLT_TOO_DEEP',
  'unreachable-unfreed': 'BBOLT_PAGE_LEAKED',
};

/** Opens `path` as bbolt and reports its meta pages, bbolt's check, etcd's buckets and the meta bucket's index. */
export function inspectBackend(path: string): BackendInspection {
  const summary: BackendSummary = { file: path, size: 0 };
  const problems: Problem[] = [];
  let db: BboltFile;
  try {
    db = BboltFile.open(path);
  } catch (e) {
    if (!(e instanceof CodecError)) throw e;
    summary.size = typeof e.data.size === 'number' ? e.data.size : 0;
    problems.push({ severity: 'error', code: e.code, message: `${e.message}; etcd refuses to start on it (bbolt: invalid database); ${RESTORE_HINT}`, file: path, offset: e.offset ?? 0 });
    return { summary, problems, opened: false, openError: e };
  }
  try {
    Object.assign(summary, { size: db.size, pageSize: db.pageSize, metaPage: db.meta.page, txid: db.meta.txid });
    for (const m of db.metas) {
      if (m.problem === undefined) continue;
      const newer = m.meta !== undefined && m.meta.txid > db.meta.txid;
      problems.push({
        severity: 'warning',
        code: 'BBOLT_BAD_META',
        message: `meta page ${m.page} is refused (${m.problem}); bbolt and etcd use meta page ${db.meta.page} (txid ${db.meta.txid})${newer ? `, so the last commit (txid ${m.meta!.txid}) is lost and etcd applies it again from the WAL` : ''}`,
        file: path,
        offset: m.page * db.pageSize,
      });
    }
    const check = checkBbolt(db);
    summary.pages = check.pages;
    summary.freePages = check.free;
    for (const f of check.findings) {
      const fatal = FATAL_KINDS.has(f.kind);
      problems.push({
        severity: fatal ? 'error' : 'warning',
        code: CHECK_CODES[f.kind],
        message: fatal ? `${f.message}; etcd 3.4 panics opening it (bbolt rebuilds its freelist by walking every page); ${RESTORE_HINT}` : `${f.message} (bbolt check reports it; etcd starts)`,
        file: path,
        offset: f.offset,
      });
    }
    if (problems.some((p) => p.severity === 'error')) return { summary, problems, opened: true };
    readEtcdBuckets(db, summary, problems);
  } catch (e) {
    if (!(e instanceof CodecError)) throw e;
    problems.push({ severity: 'error', code: e.code, message: `${e.message}; ${RESTORE_HINT}`, file: e.file ?? path, offset: e.offset });
  } finally {
    db.close();
  }
  return { summary, problems, opened: true };
}

function readEtcdBuckets(db: BboltFile, summary: BackendSummary, problems: Problem[]): void {
  const root = db.root();
  summary.buckets = [...root.entries()].filter((e) => e.isBucket).map((e) => e.key.toString('latin1'));
  for (const name of ETCD_BUCKETS) {
    if (summary.buckets.includes(name)) continue;
    const lost = name === 'key' ? ': etcd starts with no keys' : name === 'meta' ? ': etcd reads its consistent index as 0' : '';
    problems.push({ severity: 'warning', code: 'BACKEND_NO_BUCKET', message: `no \`${name}\` bucket; etcd creates it empty at start${lost}`, file: db.path });
  }
  const meta = root.bucket(Buffer.from('meta'));
  const u64 = (key: string): bigint | undefined => {
    const v = meta?.get(Buffer.from(key));
    return v && v.length === 8 ? v.readBigUInt64BE(0) : undefined;
  };
  summary.consistentIndex = u64('consistent_index');
  summary.term = u64('term');
}

/** An inspection of `db` as it crosses from a thread: without openError, which nothing past inspectBackend reads. */
export type InspectedBackend = Omit<BackendInspection, 'openError'>;

export interface StartContext {
  snapDir: string;
  /** `db` already inspected (on another thread); otherwise it is inspected here. */
  inspectedDb?: InspectedBackend;
  /** The snapshot etcd loads at start (index 0: none; etcd reads the WAL from its start). */
  snapshot: { index: bigint; term: bigint; file?: string };
  /** The last entry index of the log etcd reads; without it the backend is not compared with the log. */
  lastIndex?: bigint;
}

export interface DataDirBackend {
  /** The file etcd opens: `db`, or the `.snap.db` it swaps in. */
  backend?: BackendSummary;
  /** The `.snap.db` etcd renames to `db` at start, when it does. */
  replacedBy?: string;
  problems: Problem[];
}

const snapDbName = (index: bigint) => `${index.toString(16).padStart(16, '0')}.snap.db`;

/** The backend of a data dir under etcd 3.4's start-up rules (see the head of this file). */
export function checkDataDirBackend(ctx: StartContext): DataDirBackend {
  const db = join(ctx.snapDir, 'db');
  const S = ctx.snapshot.index;
  const snapDb = join(ctx.snapDir, snapDbName(S));
  const haveSnapDb = S > 0n && existsSync(snapDb);
  const problems: Problem[] = [];
  const from = ctx.snapshot.file ? `the snapshot etcd loads (${ctx.snapshot.file}, index ${S})` : `the snapshot at index ${S}`;

  if (!existsSync(db)) {
    if (S === 0n) {
      problems.push({ severity: 'warning', code: 'BACKEND_MISSING', message: 'no backend (member/snap/db); with no snapshot to load, etcd 3.4 builds a new one by applying the WAL from its start', file: db });
      return { problems };
    }
    if (!haveSnapDb) {
      problems.push({ severity: 'error', code: 'BACKEND_MISSING', message: `no backend (member/snap/db) and no ${snapDbName(S)} for ${from}: etcd refuses to start (failed to find database snapshot file); ${RESTORE_HINT}`, file: db });
      return { problems };
    }
    problems.push({ severity: 'warning', code: 'BACKEND_FROM_SNAP_DB', message: `no backend (member/snap/db): etcd renames ${snapDbName(S)} to db at start, for ${from}`, file: snapDb });
    return { ...judgeIndex(inspectBackend(snapDb), ctx, problems, from), replacedBy: snapDb };
  }

  const current = ctx.inspectedDb ?? inspectBackend(db);
  problems.push(...current.problems);
  if (!current.opened || current.problems.some((p) => p.severity === 'error')) return { backend: current.summary, problems };
  const ci = current.summary.consistentIndex ?? 0n;
  if (ci >= S) return judgeIndex(current, ctx, problems, from, true);
  if (!haveSnapDb) {
    problems.push({ severity: 'error', code: 'BACKEND_BEHIND_SNAPSHOT', message: `the backend's consistent index ${ci} is below ${from}, and there is no ${snapDbName(S)} to replace it: etcd refuses to start; ${RESTORE_HINT}`, file: db });
    return { backend: current.summary, problems };
  }
  problems.push({ severity: 'warning', code: 'BACKEND_FROM_SNAP_DB', message: `the backend's consistent index ${ci} is below ${from}: etcd replaces db with ${snapDbName(S)} at start`, file: snapDb });
  return { ...judgeIndex(inspectBackend(snapDb), ctx, problems, from), replacedBy: snapDb };
}

/** The consistent index of the backend etcd ends up with, against the snapshot and the log. */
function judgeIndex(b: InspectedBackend, ctx: StartContext, problems: Problem[], from: string, added = false): DataDirBackend {
  if (!added) problems.push(...b.problems);
  const out: DataDirBackend = { backend: b.summary, problems };
  if (!b.opened || b.problems.some((p) => p.severity === 'error')) return out;
  const ci = b.summary.consistentIndex ?? 0n;
  const S = ctx.snapshot.index;
  const file = b.summary.file;
  if (ci < S) {
    // server.go: kvindex < snapshot index is fatal unless kvindex is 0 ("consistent index never saved").
    if (ci === 0n) problems.push({ severity: 'warning', code: 'BACKEND_INDEX_NEVER_SAVED', message: `the backend has no consistent index (below ${from}); etcd 3.4 starts and warns "consistent index never saved"`, file });
    else problems.push({ severity: 'error', code: 'BACKEND_BEHIND_SNAPSHOT', message: `the backend's consistent index ${ci} is below ${from}: etcd refuses to start ("does not match with snapshot"); ${RESTORE_HINT}`, file });
    return out;
  }
  if (ctx.lastIndex !== undefined && ci > ctx.lastIndex) {
    problems.push({ severity: 'warning', code: 'BACKEND_AHEAD_OF_WAL', message: `the backend has applied entries up to index ${ci} but the log etcd reads ends at ${ctx.lastIndex}: entries ${ctx.lastIndex + 1n}..${ci} are in the key space but not in the WAL; etcd 3.4 starts, and the indexes it writes next repeat them`, file });
  }
  if (ci === S && S > 0n && b.summary.term !== undefined && b.summary.term !== ctx.snapshot.term) {
    problems.push({ severity: 'warning', code: 'BACKEND_TERM_MISMATCH', message: `the backend's term ${b.summary.term} at index ${ci} differs from the term ${ctx.snapshot.term} of ${from}`, file });
  }
  return out;
}
