/** `walt verify DATA_DIR`: options → verifyDataDir → a verdict for people or JSON for CI. */
import { Command } from 'commander';
import chalk from 'chalk';
import type { AfterDamage, RepairPreview, VerdictReport } from '../report/verdict.js';
import type { CompareReport } from '../report/compare.js';
import { EXIT_OK, EXIT_PROBLEM, EXIT_TORN, EXIT_USAGE, UsageError, exitCodeFor, messageFor, runAction, worstExit } from './errors.js';
import { toJSON } from '../util/json.js';
import { addWriteOut } from './options.js';
import { SCHEMA } from '../report/schema-version.js';

interface VerifyOptions {
  walDir?: string;
  writeOut: 'simple' | 'json';
  compare?: boolean;
}

export function verifyCommand(): Command {
  return addWriteOut(
    new Command('verify')
      .description('check a data dir the way etcd checks it at start, and more; exit 0 healthy (warnings allowed), 1 corruption, 2 usage error, 3 a torn tail walt repair-tail can cut off')
      .argument('<data-dir...>', 'an etcd data dir (with member/wal), a member dir, or a WAL dir; several are checked each on its own (exit: the worst), or compared with --compare'),
    { formats: ['simple', 'json'], default: 'simple' },
  )
    .option('--wal-dir <dir>', 'read WAL segments from this dir instead of DATA_DIR/member/wal')
    .option('--compare', 'compare the logs of members of one cluster entry by entry; exit 0 consistent, 1 diverged or corrupt')
    .addHelpText(
      'after',
      `
Checks: segment names and sequence, the CRC chain across every segment, metadata
in every segment, the snapshot record etcd starts from, entry index continuity
and terms, the hard state's commit against the log, every .snap file's CRC,
records hidden behind the end of the log (a zero length field in the middle of
the last segment, past which etcd reads nothing and which it zeroes at start),
and the backend etcd opens (member/snap/db, or the .snap.db it swaps in): its
meta pages, bbolt's page check, etcd's buckets, and its consistent index
against the snapshot etcd loads and the log. What etcd refuses to start on is
an error; what it survives is a warning.

A torn tail (a write cut short by a crash, in the last segment) is told apart
from corruption in the middle of the log: only the first is repairable.

Several data dirs are checked each on its own, one report after another
(-w json: an array of reports, each with its "dir"); the exit status is the
worst: corruption, then a dir that cannot be read, then a torn tail.

Exit status: 0 healthy (warnings allowed), 1 corruption (or a torn tail whose
cut would drop committed entries), 2 usage, 3 a torn tail and nothing worse:
run walt repair-tail. -w json prints a report for CI: "ok", "verdict"
(healthy, torn-tail, corrupt, as the exit status says) and "problems".

--compare DIR1 DIR2 [DIR3...] reads each member's log from the first entry its
WAL holds and compares the members index by index: their IDs, hard states and
index ranges, the first index where two logs differ, which members are behind,
and whether a difference is legal (above a holder's commit index: an
uncommitted tail a new leader overwrites) or corruption (committed entries, or
the same index and term, that differ). Members of different clusters: exit 2.

Examples:
  walt verify /var/lib/etcd
  walt verify -w json /var/lib/etcd | jq .problems
  walt verify --wal-dir /mnt/wal /var/lib/etcd
  walt verify /backup/m1 /backup/m2 /backup/m3
  walt verify --compare /backup/m1 /backup/m2 /backup/m3
  walt verify --compare -w json m1 m2 m3 | jq .pairs`,
    )
    .action((dirs: string[], opts: VerifyOptions) =>
      runAction(async () => {
        // The readers load once the flags are good: `walt verify --help` needs none of them.
        const { resolveDataDir } = await import('../codec/data-dir.js');
        if (opts.compare) {
          if (dirs.length < 2) throw new UsageError('--compare needs two or more data dirs');
          if (opts.walDir) throw new UsageError('--wal-dir names one WAL dir; --compare reads each data dir\'s own');
          const { compareMembers } = await import('../report/compare.js');
          const report = compareMembers(dirs.map((d) => resolveDataDir(d)));
          process.stdout.write(opts.writeOut === 'json' ? toJSON({ schema: SCHEMA.verify, ...report }, 2) + '\n' : renderCompare(report));
          return report.verdict === 'different-clusters' ? EXIT_USAGE : report.ok ? EXIT_OK : EXIT_PROBLEM;
        }
        const { verifyWithVerdict } = await import('../report/verdict.js');
        const verifyDir = (dir: string, walDir?: string) => verifyWithVerdict(resolveDataDir(dir, walDir));
        if (dirs.length === 1) {
          const report = await verifyDir(dirs[0], opts.walDir);
          process.stdout.write(opts.writeOut === 'json' ? toJSON({ schema: SCHEMA.verify, ...report }, 2) + '\n' : renderVerify(report));
          return exitFor(report);
        }
        if (opts.walDir) throw new UsageError('--wal-dir names one WAL dir; with several data dirs each is read from its own');
        return verifyEach(dirs, opts.writeOut === 'json', verifyDir);
      }),
    );
}

const exitFor = (r: VerdictReport) => (r.verdict === 'healthy' ? EXIT_OK : r.verdict === 'torn-tail' ? EXIT_TORN : EXIT_PROBLEM);

/** Each data dir checked on its own, in turn; one that cannot be read is named and the rest still checked. */
async function verifyEach(dirs: string[], json: boolean, verifyDir: (dir: string) => Promise<VerdictReport>): Promise<number> {
  const codes: number[] = [];
  const reports: unknown[] = [];
  for (const dir of dirs) {
    try {
      const report = await verifyDir(dir);
      codes.push(exitFor(report));
      if (json) reports.push({ schema: SCHEMA.verify, dir, ...report });
      else process.stdout.write((codes.length > 1 ? '\n' : '') + renderVerify(report));
    } catch (e) {
      codes.push(exitCodeFor(e));
      if (json) reports.push({ schema: SCHEMA.verify, dir, ok: false, verdict: 'unreadable', error: messageFor(e) });
      else process.stderr.write(`walt: ${messageFor(e)}\n`);
    }
  }
  if (json) process.stdout.write(toJSON(reports, 2) + '\n');
  return worstExit(codes);
}

function renderVerify(r: VerdictReport): string {
  const lines: string[] = [];
  const who = r.nodeID ? `member ${r.nodeID} of cluster ${r.clusterID}` : 'no metadata read';
  lines.push(`${chalk.bold('WAL')} ${r.walDir}`);
  lines.push(`  ${who} · ${r.segments.length} segment(s) · ${r.entries} entries after index ${r.start.index}, last index ${r.lastIndex}`);
  if (r.hardState) lines.push(`  hard state: term ${r.hardState.term}, vote ${r.hardState.vote}, commit ${r.hardState.commit}`);
  lines.push(r.start.snapFile ? `  starts from snapshot ${r.start.snapFile} (index ${r.start.index}, term ${r.start.term}), as etcd would` : '  starts from the beginning of the log (no snapshot loads)');
  const bad = r.snapFiles.filter((s) => !s.ok).length;
  if (r.snapFiles.length) lines.push(`  ${r.snapFiles.length} .snap file(s)${bad ? `, ${bad} broken` : ', all CRCs good'}`);
  const b = r.backend;
  if (b?.txid !== undefined) {
    const ci = b.consistentIndex === undefined ? 'no consistent index' : `consistent index ${b.consistentIndex}${b.term !== undefined ? `, term ${b.term}` : ''}`;
    lines.push(`  backend ${b.replacedBy ?? b.file}: ${b.pages} pages of ${b.pageSize} bytes (${b.freePages} free), meta page ${b.metaPage} at txid ${b.txid}, ${ci}`);
  }
  lines.push('');
  const verdict =
    r.verdict === 'healthy'
      ? chalk.green.bold('HEALTHY')
      : r.verdict === 'torn-tail'
        ? chalk.yellow.bold('TORN TAIL') + ' — repairable: walt repair-tail ' + (r.walDir.replace(/\/member\/wal$/, '') || r.walDir)
        : chalk.red.bold('CORRUPT') + ' — not repairable by truncating the tail';
  lines.push(verdict);
  if (r.repair) lines.push(...repairLines(r.repair));
  if (r.afterDamage) lines.push(...afterLines(r.afterDamage));
  for (const p of r.problems) {
    const where = p.file ? `${p.file}${p.offset !== undefined ? ` at byte ${p.offset}` : ''}: ` : '';
    const tag = p.severity === 'error' ? chalk.red('error') : chalk.yellow('warning');
    lines.push(`  ${tag} ${p.code}: ${where}${p.message}`);
  }
  return lines.join('\n') + '\n';
}

function repairLines(p: RepairPreview): string[] {
  const entries = p.droppedEntries;
  const what = entries.length ? `, with entries ${entries[0].index}${entries.length > 1 ? `..${entries[entries.length - 1].index}` : ''}` : ', holding no whole entry';
  return [
    `  a repair cuts at byte ${p.cutOffset} and drops ${p.droppedBytes} bytes${what}`,
    p.committedLost
      ? chalk.red.bold(`  ACKNOWLEDGED DATA IS LOST: something dropped is at or below the commit index${p.commit !== undefined ? ` ${p.commit}` : ''}`)
      : `  nothing dropped is at or below the commit index${p.commit !== undefined ? ` ${p.commit}` : ''}: no acknowledged write is lost`,
  ];
}

function afterLines(a: AfterDamage): string[] {
  const entries = a.entriesAfter ? `, entries ${a.entriesAfter.first}..${a.entriesAfter.last} (${a.entriesAfter.count})` : '';
  return [
    `  first bad record: ${a.file} at byte ${a.offset}`,
    a.recordsAfter
      ? `  after it, ${a.recordsAfter} records still pass their CRC${entries}${a.badRecords ? `, ${a.badRecords} more fail` : ''}: see them with walt dump --raw`
      : '  nothing after it can be read',
  ];
}

function renderCompare(r: CompareReport): string {
  const lines = [`${chalk.bold('Members')}${r.clusterID ? ` of cluster ${r.clusterID}` : ''}`];
  for (const m of r.members) {
    const hs = m.hardState ? `term ${m.hardState.term}, vote ${m.hardState.vote}, commit ${m.hardState.commit}` : 'no hard state';
    const range = m.firstIndex === undefined ? 'no entries' : `entries ${m.firstIndex}–${m.lastIndex}`;
    lines.push(`  ${m.nodeID ?? '?'} ${m.dir}: ${hs}; ${range}${m.behind > 0n ? chalk.yellow(`, behind by ${m.behind}`) : ''}${m.end === 'torn' ? ', torn tail' : ''}`);
  }
  const mark = { identical: '=', disjoint: chalk.dim('-'), legal: chalk.yellow('≠'), corruption: chalk.red('✗') };
  for (const p of r.pairs) lines.push(`  ${mark[p.verdict]} ${p.message}`);
  const verdict = { consistent: chalk.green.bold('CONSISTENT'), diverged: chalk.yellow.bold('DIVERGED') + ' — legal: uncommitted tails differ', corrupt: chalk.red.bold('CORRUPT'), 'different-clusters': chalk.red.bold('NOT ONE CLUSTER') };
  lines.push('', verdict[r.verdict], ...r.problems.map((p) => `  ${chalk.red('error')} ${p}`));
  return lines.join('\n') + '\n';
}
