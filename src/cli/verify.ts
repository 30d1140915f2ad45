/** `walt verify DATA_DIR`: options → verifyDataDir → a verdict for people or JSON for CI. */
import { Command } from 'commander';
import chalk from 'chalk';
import { resolveDataDir } from '../codec/data-dir.js';
import { verifyDataDir, type VerifyReport } from '../report/verify.js';
import { EXIT_OK, EXIT_PROBLEM, runAction } from './errors.js';
import { toJSON } from '../util/json.js';

interface VerifyOptions {
  walDir?: string;
  json?: boolean;
}

export function verifyCommand(): Command {
  return new Command('verify')
    .description('check a data dir the way etcd checks it at start, and more; exit 0 healthy, 1 problem found, 2 usage error')
    .argument('<data-dir>', 'an etcd data dir (with member/wal), a member dir, or a WAL dir')
    .option('--wal-dir <dir>', 'read WAL segments from this dir instead of DATA_DIR/member/wal')
    .option('--json', 'print a report with "ok", "verdict" and a list of "problems", for CI')
    .addHelpText(
      'after',
      `
Checks: segment names and sequence, the CRC chain across every segment, metadata
in every segment, the snapshot record etcd starts from, entry index continuity
and terms, the hard state's commit against the log, and every .snap file's CRC.
A torn tail (a write cut short by a crash, in the last segment) is told apart
from corruption in the middle of the log: only the first is repairable.

Examples:
  walt verify /var/lib/etcd
  walt verify --json /var/lib/etcd | jq .problems
  walt verify --wal-dir /mnt/wal /var/lib/etcd`,
    )
    .action((dir: string, opts: VerifyOptions) =>
      runAction(() => {
        const report = verifyDataDir(resolveDataDir(dir, opts.walDir));
        process.stdout.write(opts.json ? toJSON(report, 2) + '\n' : renderVerify(report));
        return report.ok ? EXIT_OK : EXIT_PROBLEM;
      }),
    );
}

function renderVerify(r: VerifyReport): string {
  const lines: string[] = [];
  const who = r.nodeID ? `member ${r.nodeID} of cluster ${r.clusterID}` : 'no metadata read';
  lines.push(`${chalk.bold('WAL')} ${r.walDir}`);
  lines.push(`  ${who} · ${r.segments.length} segment(s) · ${r.entries} entries after index ${r.start.index}, last index ${r.lastIndex}`);
  if (r.hardState) lines.push(`  hard state: term ${r.hardState.term}, vote ${r.hardState.vote}, commit ${r.hardState.commit}`);
  lines.push(r.start.snapFile ? `  starts from snapshot ${r.start.snapFile} (index ${r.start.index}, term ${r.start.term}), as etcd would` : '  starts from the beginning of the log (no snapshot loads)');
  const bad = r.snapFiles.filter((s) => !s.ok).length;
  if (r.snapFiles.length) lines.push(`  ${r.snapFiles.length} .snap file(s)${bad ? `, ${bad} broken` : ', all CRCs good'}`);
  lines.push('');
  const verdict =
    r.verdict === 'healthy'
      ? chalk.green.bold('HEALTHY')
      : r.verdict === 'torn-tail'
        ? chalk.yellow.bold('TORN TAIL') + ' — repairable: walt repair-tail ' + (r.walDir.replace(/\/member\/wal$/, '') || r.walDir)
        : chalk.red.bold('CORRUPT') + ' — not repairable by truncating the tail';
  lines.push(verdict);
  for (const p of r.problems) {
    const where = p.file ? `${p.file}${p.offset !== undefined ? ` at byte ${p.offset}` : ''}: ` : '';
    const tag = p.severity === 'error' ? chalk.red('error') : chalk.yellow('warning');
    lines.push(`  ${tag} ${p.code}: ${where}${p.message}`);
  }
  return lines.join('\n') + '\n';
}
