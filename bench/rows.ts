/**
 * What the bench compares: each row is a walt command as users run it and
 * the anchor it is judged against, with the targets of issue 15.
 */
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { type Run, runProcess } from './measure.js';
import { timeEtcdReplay } from './etcd-replay.js';
import { scriptSkip, timeBrowseFirstScreen } from './browse.js';
import type { DataSet } from './data.js';
import { waltBin } from './paths.js';

export interface Target {
  /** ratios: walt's median over the anchor's; seconds and MB: walt's median wall time and peak RSS. */
  of: 'time ratio' | 'RSS ratio' | 'RSS MB' | 'seconds';
  max: number;
}

export interface Row {
  walt: string;
  anchor: string;
  runWalt: () => Run | Promise<Run>;
  /** None where etcd has no such tool: the target is then walt's own figure. */
  runAnchor?: () => Promise<Run>;
  targets: Target[];
}

const walt = (...args: string[]) => () => runProcess(waltBin, args);
const bareNode = async () => runProcess(process.execPath, ['-e', '0']);

export const COMMANDS = ['dump', 'verify', 'repair-tail', 'cut', 'snap', 'replay-to-state', 'browse', 'simulate-cluster'];

/** Start-up alone: no data. */
export function startupRows(): Row[] {
  const t: Target[] = [{ of: 'time ratio', max: 2 }];
  return [
    { walt: 'walt --version', anchor: 'node -e 0', runWalt: walt('--version'), runAnchor: bareNode, targets: t },
    ...COMMANDS.map((c) => ({ walt: `walt ${c} --help`, anchor: 'node -e 0', runWalt: walt(c, '--help'), runAnchor: bareNode, targets: t })),
  ];
}

/** An etcd binary and its version, to start on the data. */
export interface EtcdServer {
  bin: string;
  version: string;
}

/** On a data set: etcd's wal package (the anchor program) and etcd itself (3.4, and 3.5 where fetched). */
export function dataRows(d: DataSet, anchorBin: string, etcds: EtcdServer[], workDir: string): Row[] {
  const goAnchor = (cmd: string) => async () => runProcess(anchorBin, [cmd, d.dir]);
  const replay = walt('replay-to-state', '--from', 'wal', '--no-progress', d.dir);
  const rows: Row[] = [
    {
      walt: 'walt verify',
      anchor: "wal.Verify (Go, etcd 3.4's wal package)",
      runWalt: walt('verify', d.dir),
      runAnchor: goAnchor('verify'),
      targets: [
        { of: 'time ratio', max: 0.67 },
        { of: 'RSS MB', max: 100 },
      ],
    },
    {
      walt: 'walt dump --format ndjson',
      anchor: 'wal.ReadAll + encoding/json of each entry and its decoded request (Go)',
      runWalt: walt('dump', '--format', 'ndjson', d.dir),
      runAnchor: goAnchor('readall'),
      targets: [
        { of: 'time ratio', max: 0.2 },
        { of: 'RSS MB', max: 150 },
      ],
    },
    {
      walt: 'walt browse, to the first screen',
      anchor: '—',
      runWalt: () => timeBrowseFirstScreen(d.dir),
      targets: [{ of: 'seconds', max: 0.5 }],
    },
    ...etcds.map((e) => ({
      walt: 'walt replay-to-state --from wal',
      anchor: `etcd ${e.version} starting without its backend, until it serves the last write`,
      runWalt: replay,
      runAnchor: () => timeEtcdReplay(e.bin, d.dir, workDir, { key: d.sentinelKey, value: d.sentinelValue }),
      targets: [
        { of: 'time ratio', max: 0.5 },
        { of: 'RSS ratio', max: 0.75 },
      ] as Target[],
    })),
    ...etcds.map((e) => ({
      walt: 'walt restore --out FILE.db (at the commit index)',
      anchor: `etcd ${e.version} restarting on the data dir (its backend kept), until it serves the last write`,
      runWalt: () => {
        const out = join(workDir, 'restore.db');
        rmSync(out, { force: true });
        try {
          return runProcess(waltBin, ['restore', '--out', out, d.dir]);
        } finally {
          rmSync(out, { force: true });
        }
      },
      runAnchor: () => timeEtcdReplay(e.bin, d.dir, workDir, { key: d.sentinelKey, value: d.sentinelValue }, { keepBackend: true }),
      targets: [
        { of: 'time ratio', max: 1 },
        { of: 'RSS MB', max: 300 },
      ] as Target[],
    })),
  ];
  const skip = scriptSkip();
  if (skip) console.log(`walt browse row skipped: ${skip}`);
  return skip ? rows.filter((r) => !r.walt.startsWith('walt browse')) : rows;
}
