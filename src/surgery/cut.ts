/**
 * `walt cut`: rewrites a WAL with new segment boundaries, or without its tail.
 *  - at-index N: a new segment after entry N, as etcd's cut() makes one;
 *  - segment-bytes S: every segment at most S bytes;
 *  - drop-after N: nothing after entry N, and a hard state that commits no
 *    more than the log holds.
 * The checks first (no running etcd, a healthy WAL, an entry N that stands),
 * then the rewrite (rewrite.ts), then where it goes (wal-output.ts).
 */
import { existsSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { chooseStart, type DataDirPaths } from '../codec/data-dir.js';
import { listSegments, selectSegments, sequenceGap, type Segment } from '../codec/segment-name.js';
import { RecordReader } from '../codec/record-reader.js';
import { RecordType } from '../codec/proto/walpb.js';
import { scanFailure, scanWal, type WalScan } from '../codec/wal-scan.js';
import { standingEntries } from '../codec/wal-entries.js';
import { idHex } from '../codec/proto/metadata.js';
import { decodeEntry, type HardState } from '../codec/proto/raftpb.js';
import { verifyDataDir } from '../report/verify.js';
import { damageRefusal, lockRefusal, restoreAdvice, type Refusal } from '../report/preflight.js';
import { rewriteWal, type RecordRef, type RewritePolicy, type RewriteResult } from './rewrite.js';
import type { OutputSegment } from './segment-builder.js';
import { discard, outDirInUse, publishNew, stage, swapInPlace } from './wal-output.js';

export type CutMode = { kind: 'at-index'; index: bigint } | { kind: 'segment-bytes'; bytes: number } | { kind: 'drop-after'; index: bigint; force?: boolean };

export interface CutOptions {
  mode: CutMode;
  /** A new data dir to write (DIR/member/wal, DIR/member/snap). */
  out?: string;
  /** Replace the WAL where it is, keeping the old one as a backup. */
  inPlace?: boolean;
  backupDir?: string;
  dryRun?: boolean;
  /** The data dir as the user named it, for advice. */
  dataDirLabel?: string;
}

export interface CutResult {
  action: 'written' | 'would-write' | 'none' | 'refused';
  mode: CutMode;
  walDir: string;
  source: Array<{ name: string; bytes: number }>;
  /** The WAL dir written (or that would be). */
  outWalDir?: string;
  segments: OutputSegment[];
  /** For drop-after: the entries dropped, and those the hard state had committed. */
  dropped?: { entries: bigint; first?: bigint; last?: bigint; committed: bigint; committedFirst?: bigint; committedLast?: bigint };
  /** For drop-after: the hard state written at the end, when one was. */
  appendedHardState?: { term: bigint; vote: string; commit: bigint };
  /** Where the old WAL went (--in-place). */
  backup?: string;
  /** .snap files not copied to --out (snapshots after the cut). */
  snapFilesLeftOut?: string[];
  notes: string[];
  refusal?: Refusal;
}

export function cutWal(paths: DataDirPaths, opts: CutOptions): CutResult {
  const source = listSegments(paths.walDir);
  const result: CutResult = {
    action: 'refused',
    mode: opts.mode,
    walDir: paths.walDir,
    source: source.map((s) => ({ name: s.name, bytes: statSync(s.path).size })),
    segments: [],
    notes: [],
  };
  const refuse = (refusal: Refusal): CutResult => ({ ...result, refusal });
  const locked = lockRefusal(paths.walDir);
  if (locked) return refuse(locked);
  const label = opts.dataDirLabel ?? paths.dataDir ?? paths.walDir;
  // The log alone: a backend problem is not the WAL's to fix, and must not stop a cut of the log.
  const report = verifyDataDir(paths, { backend: false });
  const damaged = damageRefusal(
    report,
    () => false,
    report.verdict === 'torn-tail' ? [`Repair the torn tail first: walt repair-tail ${label}`] : restoreAdvice(label),
  );
  if (damaged) return refuse({ ...damaged, message: `walt cut rewrites only a healthy WAL: ${damaged.message}` });
  const gap = sequenceGap(source);
  if (gap >= 0) {
    return refuse({ code: 'SEGMENT_SEQUENCE', message: `segment sequence jumps from ${source[gap - 1].name} to ${source[gap].name}`, file: source[gap].path, advice: ['etcd does not read the segments before the gap: move them out of the WAL dir, then run this again.'] });
  }
  if (opts.out && outDirInUse(opts.out)) {
    return refuse({ code: 'OUTPUT_EXISTS', message: 'exists and is not empty: --out writes a new data dir', file: opts.out, advice: ['Name a new or empty directory.'] });
  }

  const log = readableLog(paths, source);
  const unreadable = scanFailure(log.scan);
  if (unreadable) return refuse({ code: unreadable.code, message: unreadable.message, file: unreadable.file, offset: unreadable.offset, advice: restoreAdvice(label) });
  const planned = plan(opts.mode, log.scan, log.segments, result);
  if ('code' in planned) return refuse(planned);
  if (planned.nothingToDo) return { ...result, action: 'none', notes: [...result.notes, planned.nothingToDo] };
  const metadata = log.scan.metadataBytes!;
  const outWalDir = opts.out ? join(opts.out, 'member', 'wal') : paths.walDir;

  if (opts.dryRun) return finish(result, 'would-write', outWalDir, rewriteWal(source, metadata, planned.policy));
  if (!opts.out && !opts.inPlace) throw new Error('walt cut writes either a new data dir (out) or in place (inPlace)');
  const outExisted = opts.out !== undefined && existsSync(opts.out);
  const staging = stage(outWalDir, statSync(paths.walDir).mode & 0o7777);
  // Leaves no trace when nothing is published: --out is new or empty again, the temp dir gone.
  const undo = () => {
    discard(staging);
    if (opts.out) rmSync(outExisted ? join(opts.out, 'member') : opts.out, { recursive: true, force: true });
  };
  let rewritten;
  try {
    rewritten = rewriteWal(source, metadata, planned.policy, staging.tempDir);
  } catch (e) {
    undo();
    throw e;
  }
  const done = finish(result, 'written', outWalDir, rewritten);
  if (done.action === 'none') undo();
  else if (opts.out) {
    const dropAfter = opts.mode.kind === 'drop-after' ? opts.mode.index : undefined;
    done.snapFilesLeftOut = publishNew(staging, paths.snapDir, (index) => dropAfter === undefined || index <= dropAfter);
  } else done.backup = swapInPlace(staging, opts.backupDir);
  return done;
}

function finish(result: CutResult, action: 'written' | 'would-write', outWalDir: string, r: RewriteResult): CutResult {
  const mode = result.mode;
  if (r.cutAfter === 'existing' && mode.kind === 'at-index') {
    return { ...result, action: 'none', notes: [...result.notes, `a segment already begins after entry ${mode.index}: nothing to do`] };
  }
  const notes = [...result.notes];
  if (mode.kind === 'segment-bytes') {
    for (const s of r.segments.filter((x) => x.oversize)) {
      notes.push(`${s.name} is ${s.bytes} bytes, over the ${mode.bytes}-byte limit: it holds a single record too large for any segment of that size, so the record gets a segment to itself`);
    }
  }
  return { ...result, action, outWalDir, segments: r.segments, notes, appendedHardState: r.stateAppended ? result.appendedHardState : undefined };
}

/**
 * The log as far back as it reads without a gap, so that a cut can be
 * anywhere in it: from its first entry; or, where a snapshot received from
 * the leader left a gap mid-log, from the snapshot etcd would start from.
 */
function readableLog(paths: DataDirPaths, source: Segment[]): { scan: WalScan; segments: Segment[] } {
  const reader = new RecordReader(source);
  let firstEntry: bigint | undefined;
  for (let rec = reader.next(); rec && firstEntry === undefined; rec = reader.next()) {
    if (rec.type === RecordType.entry && rec.data) firstEntry = decodeEntry(rec.data).index;
  }
  reader.close();
  const whole = scanWal(source, { index: firstEntry && firstEntry > 0n ? firstEntry - 1n : 0n, term: 0n }, { matchSnapshot: false });
  if (!scanFailure(whole)) return { scan: whole, segments: source };
  const start = chooseStart(paths).start;
  const segments = selectSegments(paths.walDir, start.index);
  return { scan: scanWal(segments, start), segments };
}

interface Planned {
  policy: RewritePolicy;
  nothingToDo?: string;
}

function plan(mode: CutMode, scan: WalScan, segments: Segment[], result: CutResult): Planned | Refusal {
  if (mode.kind === 'segment-bytes') return { policy: { keepBoundaries: false, maxBytes: mode.bytes } };
  const ref = findEntry(mode.index, scan, segments);
  if ('code' in ref) return ref;
  if (mode.kind === 'at-index') return { policy: { keepBoundaries: true, cutAfter: ref } };

  const n = mode.index;
  const hs = scan.hardState;
  const commit = hs?.commit ?? 0n;
  if (n === scan.lastIndex) return { policy: { keepBoundaries: true }, nothingToDo: `entry ${n} is the last entry: nothing to drop` };
  result.dropped = { entries: scan.lastIndex - n, first: n + 1n, last: scan.lastIndex, committed: 0n };
  if (commit > n) {
    Object.assign(result.dropped, { committed: commit - n, committedFirst: n + 1n, committedLast: commit });
    if (!mode.force) {
      return {
        code: 'WOULD_DROP_COMMITTED',
        message: `dropping the entries after ${n} drops ${commit - n} committed entries (${n + 1n}–${commit}; the hard state commits ${commit})`,
        file: ref.file,
        offset: ref.offset,
        advice: [
          'Committed entries were acknowledged to clients and may be applied on other members. Only with --force does walt drop them, and then lowers the commit index to match.',
        ],
      };
    }
    result.notes.push(`${commit - n} committed entries dropped (${n + 1n}–${commit}). This member's backend (member/snap/db) has applied them already, and etcd skips entries up to the backend's index: fine for a member that catches up from its leader, but a lone member would leave new writes unapplied until its log passes that index again (walt-cut(1)).`);
  }
  // Keep the last term and vote: forgetting a vote could let this member vote twice in a term.
  const appendState: HardState | undefined = hs && { term: hs.term, vote: hs.vote, commit: commit < n ? commit : n };
  if (appendState) result.appendedHardState = { term: appendState.term, vote: idHex(appendState.vote), commit: appendState.commit };
  return { policy: { keepBoundaries: true, stopAfter: ref, appendState } };
}

/** The record of entry `index` as etcd's ReadAll would return it (the last written, not overwritten). */
function findEntry(index: bigint, scan: WalScan, segments: Segment[]): RecordRef | Refusal {
  if (index <= scan.start.index || index > scan.lastIndex) {
    return {
      code: 'NO_SUCH_ENTRY',
      message: `no entry ${index} to cut at: the WAL holds entries ${scan.start.index + 1n}–${scan.lastIndex}`,
      file: segments[0].path,
      advice: ['Pick an index in that range; walt dump lists the entries.'],
    };
  }
  for (const { entry, record } of standingEntries(segments, scan)) {
    if (entry.index === index) return { file: record.segment.path, offset: record.offset };
  }
  throw new Error(`entry ${index} is within the log but was not found`);
}
