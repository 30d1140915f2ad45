/** `walt repair-tail DATA_DIR`: options → repairTail → what was (or would be) cut, for people or as JSON. */
import { Command } from 'commander';
import chalk from 'chalk';
import type { RepairResult } from '../surgery/repair.js';
import type { DroppedRecord } from '../report/torn-tail.js';
import { EXIT_OK, EXIT_PROBLEM, runAction } from './errors.js';
import { renderRefusal } from './refusal.js';
import { toJSON } from '../util/json.js';
import { addWriteOut } from './options.js';

interface RepairTailOptions {
  walDir?: string;
  backupDir?: string;
  dryRun?: boolean;
  writeOut: 'simple' | 'json';
}

export function repairTailCommand(): Command {
  return addWriteOut(
    new Command('repair-tail').description("cut a torn tail off the last WAL segment, as etcd's wal.Repair does, keeping the original; exit 0 done or nothing to do, 1 refused, 2 usage"),
    { formats: ['simple', 'json'], default: 'simple' },
  )
    .argument('<data-dir>', 'an etcd data dir (with member/wal), a member dir, or a WAL dir')
    .option('--wal-dir <dir>', 'the WAL segments are in this dir instead of DATA_DIR/member/wal')
    .option('--backup-dir <dir>', 'keep the original segment here instead of beside it')
    .option('--dry-run', 'print what would be cut and lost, and change nothing')
    .addHelpText(
      'after',
      `
A crash in the middle of a write can leave the last record of the last
segment cut short, or with a sector of zeros (a torn tail). etcd repairs that
at start by truncating the segment after the last good record; repair-tail
does the same, with the same resulting bytes, and first:
  - refuses while a running etcd holds the WAL (its segment locks);
  - reads the whole log as walt verify does, and refuses damage that is not a
    torn tail (a CRC mismatch mid-log, a missing segment, ...): cutting the
    tail would not fix that;
  - keeps the original segment whole as <segment>.broken (.broken.1, ... if
    that exists), or in --backup-dir;
  - replaces the segment atomically (temp file, fsync, rename, fsync dir).
It says what the dropped bytes held, and whether any of it was committed
(acknowledged to clients) or only entries above the commit index.
A healthy WAL is left untouched; running it twice is the same as once.

Examples:
  walt repair-tail --dry-run /var/lib/etcd
  walt repair-tail /var/lib/etcd
  walt repair-tail --backup-dir /root/wal-backups -w json /var/lib/etcd`,
    )
    .action((dir: string, opts: RepairTailOptions) =>
      runAction(async () => {
        // The readers and writers load once the flags are good: `--help` needs none of them.
        const [{ resolveDataDir }, { repairTail }] = await Promise.all([import('../codec/data-dir.js'), import('../surgery/repair.js')]);
        const result = repairTail(resolveDataDir(dir, opts.walDir), { dryRun: opts.dryRun, backupDir: opts.backupDir, dataDirLabel: dir });
        if (opts.writeOut === 'json') process.stdout.write(toJSON(result, 2) + '\n');
        else if (result.refusal) process.stderr.write(renderRefusal(result.refusal));
        else process.stdout.write(renderRepair(result));
        return result.action === 'refused' ? EXIT_PROBLEM : EXIT_OK;
      }),
    );
}

function renderRepair(r: RepairResult): string {
  if (r.action === 'none') return `${r.walDir}: ${chalk.green('healthy')}, nothing to repair (${r.segment.name} ends cleanly); no changes made\n`;
  const lines: string[] = [];
  const doing = r.action === 'repaired';
  lines.push(`${chalk.yellow.bold('TORN TAIL')} in ${r.segment.path} at byte ${r.torn!.offset}: ${r.torn!.reason}`);
  lines.push(`${doing ? 'Cut' : 'Would cut'} at byte ${r.cutOffset} (the end of the last valid record), dropping ${r.droppedBytes} of ${r.segment.size} bytes.`);
  if (r.droppedRecords.length) {
    lines.push(`Records in the dropped bytes (CRCs not checked):`);
    for (const d of r.droppedRecords) lines.push(`  at byte ${d.offset}: ${describeDropped(d)}`);
  }
  lines.push(`What remains: entries up to index ${r.lastIndex}, commit index ${r.commit ?? 'none (no hard state)'}.`);
  lines.push(r.committedLost ? chalk.red.bold('Committed data is lost: ') + lossReason(r) : 'No acknowledged data is lost: nothing dropped is at or below the commit index.');
  lines.push(doing ? `The original segment is kept whole as ${r.backup}.` : 'Dry run: nothing was changed.');
  return lines.join('\n') + '\n';
}

function lossReason(r: RepairResult): string {
  const why =
    r.droppedCommit !== undefined && r.droppedCommit > r.lastIndex
      ? `a dropped hard state commits up to index ${r.droppedCommit}, past the last entry that remains (${r.lastIndex})`
      : `dropped entries are at or below the commit index`;
  return `${why}. Clients may have been told those writes succeeded; if the rest of the cluster has them, removing this member and adding it back restores them.`;
}

function describeDropped(d: DroppedRecord): string {
  const what = d.entry
    ? `entry ${d.entry.index} (term ${d.entry.term}, ${d.entry.type})`
    : d.hardState
      ? `hard state (term ${d.hardState.term}, vote ${d.hardState.vote}, commit ${d.hardState.commit})`
      : d.snapshot
        ? `snapshot record (index ${d.snapshot.index}, term ${d.snapshot.term})`
        : (d.type ?? 'unreadable record');
  return `${what}, ${d.bytes} bytes${d.note ? ` — ${d.note}` : ''}`;
}
