/**
 * verify's one-screen verdict, beyond the list of problems: for a torn tail,
 * what `walt repair-tail` would drop and whether any of it was acknowledged
 * (at or below the commit index); for corruption mid-log, where it is and
 * what still reads after it.
 */
import type { DataDirPaths } from '../codec/data-dir.js';
import { listSegments } from '../codec/segment-name.js';
import { RecordReader } from '../codec/record-reader.js';
import { RecordType } from '../codec/proto/walpb.js';
import { decodeEntry } from '../codec/proto/raftpb.js';
import { verifyDataDirThreaded, type VerifyReport } from './verify.js';
import { planRepair } from './repair-plan.js';
import { nextStep } from './next-step.js';

export interface RepairPreview {
  cutOffset?: number;
  droppedBytes?: number;
  /** Entries framed in the dropped bytes (CRCs not checked). */
  droppedEntries: Array<{ index: bigint; term: bigint }>;
  /** Something dropped was committed: acknowledged to clients. */
  committedLost: boolean;
  commit?: bigint;
}

export interface AfterDamage {
  file: string;
  offset: number;
  /** Records after the first bad one that still pass their CRC (the chain carried on from stored values). */
  recordsAfter: number;
  badRecords: number;
  entriesAfter?: { first: bigint; last: bigint; count: number };
}

export interface VerdictReport extends VerifyReport {
  repair?: RepairPreview;
  afterDamage?: AfterDamage;
}

export async function verifyWithVerdict(paths: DataDirPaths): Promise<VerdictReport> {
  const report: VerdictReport = await verifyDataDirThreaded(paths);
  if (report.verdict === 'torn-tail') {
    const plan = planRepair(paths);
    report.repair = {
      cutOffset: plan.cutOffset,
      droppedBytes: plan.droppedBytes,
      droppedEntries: plan.droppedRecords.flatMap((r) => (r.entry ? [{ index: r.entry.index, term: r.entry.term }] : [])),
      committedLost: plan.committedLost,
      commit: plan.commit,
    };
    // A crash tears only what was not yet synced, and raft commits only what was: a cut that drops
    // committed entries is damage etcd's torn-write rule mistakes for a crash (wal/decoder.go isTornEntry).
    if (plan.committedLost) {
      const lostCommit = plan.droppedCommit ?? plan.commit;
      const dropped = report.repair.droppedEntries.filter((e) => lostCommit !== undefined && e.index <= lostCommit);
      const torn = report.problems.find((p) => p.code === 'TORN_TAIL');
      // Not the repair it would otherwise advise.
      if (torn) torn.message = torn.message.replace(`; ${nextStep('TORN_TAIL')}`, '');
      report.problems.push({
        severity: 'error',
        code: 'COMMITTED_IN_TORN_TAIL',
        message: `the torn record ends the log early: a repair (etcd's own at start, or walt repair-tail) would drop ${dropped.length ? `committed entries ${dropped[0].index}..${dropped[dropped.length - 1].index}` : 'what a dropped hard state says was committed'}; copy the data dir before etcd starts on it, and see what follows with \`walt dump --raw\``,
        file: torn?.file,
        offset: torn?.offset,
      });
      report.verdict = 'corrupt';
      report.ok = false;
    }
  }
  // The first bad record of the WAL: backend problems have their own files and are not records.
  const first = report.problems.find((p) => p.severity === 'error' && !p.repairable && p.file?.endsWith('.wal') && p.offset !== undefined && p.code !== 'HIDDEN_RECORDS');
  if (report.verdict === 'corrupt' && first) report.afterDamage = whatFollows(paths.walDir, first.file!, first.offset!);
  return report;
}

/** Reads on past the first bad record, as `dump --raw` does, and sums up what is there. */
function whatFollows(walDir: string, file: string, offset: number): AfterDamage {
  const out: AfterDamage = { file, offset, recordsAfter: 0, badRecords: 0 };
  const reader = new RecordReader(listSegments(walDir), { continueOnCrcError: true });
  let past = false;
  for (let rec = reader.next(); rec; rec = reader.next()) {
    if (!past) {
      past = rec.segment.path === file && rec.offset >= offset;
      if (!past) continue;
      if (rec.offset === offset) continue;
    }
    if (!rec.crcOk) {
      out.badRecords++;
      continue;
    }
    out.recordsAfter++;
    if (rec.type === RecordType.entry && rec.data) {
      const { index } = decodeEntry(rec.data);
      const e = (out.entriesAfter ??= { first: index, last: index, count: 0 });
      e.last = index;
      e.count++;
    }
  }
  reader.close();
  return out;
}
