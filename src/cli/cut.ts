/** `walt cut DATA_DIR`: options → cutWal → the segments written (or planned), for people or as JSON. */
import { Command, InvalidArgumentError } from 'commander';
import chalk from 'chalk';
import type { CutMode, CutResult } from '../surgery/cut.js';
import { EXIT_OK, EXIT_PROBLEM, UsageError, runAction } from './errors.js';
import { addWriteOut, parseIndex } from './options.js';
import { toJSON } from '../util/json.js';
import { renderRefusal } from './refusal.js';

interface CutCliOptions {
  walDir?: string;
  atIndex?: bigint;
  segmentBytes?: number;
  dropAfter?: bigint;
  force?: boolean;
  out?: string;
  inPlace?: boolean;
  backupDir?: string;
  dryRun?: boolean;
  writeOut: 'simple' | 'json';
}

/** Below this, segments would hold a record or two each: almost surely a typo. */
const MIN_SEGMENT_BYTES = 1024;

const UNITS: Record<string, number> = { '': 1, k: 1024, kib: 1024, m: 1024 ** 2, mib: 1024 ** 2, g: 1024 ** 3, gib: 1024 ** 3, kb: 1000, mb: 1000 ** 2, gb: 1000 ** 3 };

/** "4096", "16K" (KiB), "1M" (MiB), "64MB" (10^6: etcd's own 64,000,000-byte segments). */
export function parseSize(value: string): number {
  const m = /^(\d+)\s*([a-z]*)$/i.exec(value.trim());
  const unit = m ? UNITS[m[2].toLowerCase()] : undefined;
  if (!m || unit === undefined) throw new InvalidArgumentError(`expected a size such as 4096, 16K, 1M or 64MB, got "${value}"`);
  const n = Number(m[1]) * unit;
  if (n < MIN_SEGMENT_BYTES) throw new InvalidArgumentError(`${value} is below the smallest segment size walt writes (${MIN_SEGMENT_BYTES} bytes)`);
  if (!Number.isSafeInteger(n)) throw new InvalidArgumentError(`${value} is too large`);
  return n;
}

export function cutCommand(): Command {
  return addWriteOut(
    new Command('cut').description('rewrite a WAL with new segment boundaries, or without its tail, as etcd would have written it; exit 0 done, 1 refused, 2 usage'),
    { formats: ['simple', 'json'], default: 'simple' },
  )
    .argument('<data-dir>', 'an etcd data dir (with member/wal), a member dir, or a WAL dir')
    .option('--at-index <n>', 'start a new segment after entry N, as etcd does when a segment is full', parseIndex)
    .option('--segment-bytes <size>', 'rewrite into segments of at most SIZE bytes: 4096, 16K or 1M (powers of 1024), 64MB (of 1000, as etcd counts)', parseSize)
    .option('--drop-after <n>', 'drop every record after entry N', parseIndex)
    .option('--force', 'with --drop-after: drop committed entries too, lowering the commit index to N')
    .option('--out <dir>', 'write a new data dir (DIR/member/wal, with member/snap copied); DIR must be new or empty')
    .option('--in-place', 'replace the WAL, keeping the old one as member/wal.walt-backup-<time>')
    .option('--backup-dir <dir>', 'with --in-place: keep the old WAL under this dir instead')
    .option('--wal-dir <dir>', 'the WAL segments are in this dir instead of DATA_DIR/member/wal')
    .option('--dry-run', 'print the segments that would be written, and change nothing')
    .addHelpText(
      'after',
      `
The log's content stays the same: the same entries, hard states and snapshot
records, in the same order, each with the same data; the CRC chain is rebuilt
and each new segment opens as etcd's cut() opens one (a crc record, the
metadata, the last hard state), named %016x-%016x.wal by sequence number and
first index. etcd's ReadAll returns the same entries and hard state after.
--drop-after is the exception: it removes the entries after N. It refuses to
drop committed entries (acknowledged to clients) unless --force, which then
writes a hard state with the commit index lowered to N (term and vote kept).

walt cut refuses while a running etcd holds the WAL, and when walt verify
finds any problem (run walt repair-tail first for a torn tail).
The new WAL is built complete beside its destination, fsynced, then renamed in.

Examples:
  walt cut --at-index 1200 --dry-run --out /tmp/etcd-new /var/lib/etcd
  walt cut --segment-bytes 16M --out /tmp/etcd-new /var/lib/etcd
  walt cut --drop-after 5000 --in-place /var/lib/etcd
  walt cut --drop-after 5000 --force --in-place --backup-dir /root/wal-old /var/lib/etcd`,
    )
    .action((dir: string, opts: CutCliOptions) =>
      runAction(async () => {
        // The readers and writers load once the flags are good: `--help` needs none of them.
        const [{ resolveDataDir }, { cutWal }] = await Promise.all([import('../codec/data-dir.js'), import('../surgery/cut.js')]);
        const result = cutWal(resolveDataDir(dir, opts.walDir), {
          mode: modeOf(opts),
          out: opts.out,
          inPlace: opts.inPlace,
          backupDir: opts.backupDir,
          dryRun: opts.dryRun,
          dataDirLabel: dir,
        });
        if (opts.writeOut === 'json') process.stdout.write(toJSON(result, 2) + '\n');
        else if (result.refusal) process.stderr.write(renderRefusal(result.refusal));
        else process.stdout.write(renderCut(result));
        return result.action === 'refused' ? EXIT_PROBLEM : EXIT_OK;
      }),
    );
}

function modeOf(o: CutCliOptions): CutMode {
  const modes = [o.atIndex !== undefined, o.segmentBytes !== undefined, o.dropAfter !== undefined].filter(Boolean).length;
  if (modes !== 1) throw new UsageError('give exactly one of --at-index, --segment-bytes, --drop-after');
  if (!o.out === !o.inPlace) throw new UsageError('give exactly one of --out DIR, --in-place');
  if (o.force && o.dropAfter === undefined) throw new UsageError('--force goes with --drop-after');
  if (o.backupDir && !o.inPlace) throw new UsageError('--backup-dir goes with --in-place');
  if (o.atIndex !== undefined) return { kind: 'at-index', index: o.atIndex };
  if (o.segmentBytes !== undefined) return { kind: 'segment-bytes', bytes: o.segmentBytes };
  return { kind: 'drop-after', index: o.dropAfter!, force: o.force };
}

function renderCut(r: CutResult): string {
  if (r.action === 'none') return r.notes.map((n) => `${r.walDir}: ${n}; no changes made`).join('\n') + '\n';
  const lines: string[] = [];
  const doing = r.action === 'written';
  lines.push(`${doing ? 'Wrote' : 'Would write'} ${r.segments.length} segment(s) to ${r.outWalDir} (from ${r.source.length}):`);
  for (const s of r.segments) {
    const entries = s.entries ? `entries ${s.firstEntry}–${s.lastEntry}` : 'no entries';
    lines.push(`  ${s.name}  ${String(s.bytes).padStart(10)} bytes  ${String(s.records).padStart(7)} records  ${entries}${s.oversize ? chalk.yellow('  over the limit') : ''}`);
  }
  const d = r.dropped;
  if (d) {
    lines.push(`Dropped: entries ${d.first}–${d.last} (${d.entries})${d.committed > 0n ? chalk.red(`, of which ${d.committed} committed (${d.committedFirst}–${d.committedLast})`) : ', none of them committed'}.`);
  }
  const hs = r.appendedHardState;
  if (hs) lines.push(`Hard state at the end: term ${hs.term}, vote ${hs.vote}, commit ${hs.commit}.`);
  for (const n of r.notes) lines.push(`Note: ${n}`);
  if (r.snapFilesLeftOut?.length) lines.push(`Not copied (snapshots after the cut, which the new WAL has no record of): ${r.snapFilesLeftOut.join(', ')}`);
  if (!doing) lines.push('Dry run: nothing was changed.');
  else lines.push(r.backup ? `The old WAL is kept as ${r.backup}.` : `The source data dir is untouched.`);
  return lines.join('\n') + '\n';
}
