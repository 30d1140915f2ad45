/**
 * A fuzz campaign: the fixtures etcd wrote, unpacked once, then one case
 * (differential.ts) per seed, a few at a time. Seeds pick the fixture and the
 * mutation, so a failing seed is its own regression fixture: regressions.json
 * lists the seeds that once failed, and every campaign runs them again.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { removeDir, Scratch, waltBin } from '../helpers/fixtures.js';
import { InProcessWalt, runCase, type CaseResult } from './differential.js';

/** Seeds that once failed, kept in the source tree (test/fuzz/regressions.json). */
export const REGRESSIONS = fileURLToPath(new URL('../../../test/fuzz/regressions.json', import.meta.url));

export const regressionSeeds = (): number[] => JSON.parse(readFileSync(REGRESSIONS, 'utf8')).seeds;

export function keepRegressions(failed: number[]): void {
  const seeds = [...new Set([...regressionSeeds(), ...failed])].sort((a, b) => a - b);
  writeFileSync(REGRESSIONS, JSON.stringify({ seeds }, null, 2) + '\n');
}

/** The data dirs a campaign damages: etcd's own, and single in 16 KB segments for the segment mutations. */
function baseDirs(scratch: Scratch): Array<[string, string]> {
  const single = scratch.unpack('single');
  const cluster = scratch.unpack('cluster3');
  const segmented = scratch.fresh('single-segmented');
  execFileSync(process.execPath, [waltBin, 'cut', '--segment-bytes', '16K', '--out', segmented, single], { stdio: 'ignore' });
  return [
    ['single', single],
    ['k8s', scratch.unpack('k8s')],
    ['single in 16K segments', segmented],
    ...['m1', 'm2', 'm3', 'm4'].map((m): [string, string] => [`cluster3/${m}`, join(cluster, m)]),
  ];
}

export interface CampaignOptions {
  seeds: number[];
  oracleBin: string;
  /** Cases run at once (the oracle's processes overlap walt's reading). */
  jobs?: number;
  /** Every how many seeds walt's processes run too (a Node start each); regressions always. */
  processEvery?: number;
  onCase?: (r: CaseResult) => void;
}

export async function runCampaign(opts: CampaignOptions): Promise<CaseResult[]> {
  const scratch = new Scratch();
  const regressions = new Set(regressionSeeds());
  try {
    const bases = baseDirs(scratch);
    const failed: CaseResult[] = [];
    let next = 0;
    const worker = async (walt: InProcessWalt) => {
      while (next < opts.seeds.length) {
        const seed = opts.seeds[next++];
        const [fixture, dir] = bases[seed % bases.length];
        const caseDir = scratch.fresh(`case-${seed}-`);
        mkdirSync(caseDir);
        const r = await runCase(seed, fixture, dir, caseDir, { oracleBin: opts.oracleBin, walt, processes: seed % (opts.processEvery ?? 10) === 0 || regressions.has(seed) });
        removeDir(caseDir);
        if (r.failures.length) failed.push(r);
        opts.onCase?.(r);
      }
    };
    // One reader thread per job: a thread answers one case at a time.
    const walts = Array.from({ length: opts.jobs ?? 2 }, () => new InProcessWalt());
    try {
      await Promise.all(walts.map(worker));
    } finally {
      await Promise.all(walts.map((w) => w.close()));
    }
    return failed.sort((a, b) => a.seed - b.seed);
  } finally {
    scratch.remove();
  }
}
