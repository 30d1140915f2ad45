/**
 * The lockstep comparison: schedules go to the Go program on etcd 3.4's raft
 * (test/oracle/raft-lockstep) in one process, and each schedule's lines from
 * Go are compared, line for line, with what walt's raft prints for it
 * (driver.ts).
 */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { repoRoot } from '../../helpers/fixtures.js';
import { goProgram } from '../../helpers/oracle.js';
import { Driver } from './driver.js';
import { makeSchedule, type Schedule } from './schedule.js';

const ETCD34_RAFT = '/usr/share/gocode/src/go.etcd.io/etcd/raft';

export const lockstepBinary = goProgram('raft-lockstep', ETCD34_RAFT, (out) =>
  execFileSync(join(repoRoot, 'test', 'oracle', 'build.sh'), [out, join(repoRoot, 'test', 'oracle', 'raft-lockstep')], { stdio: 'ignore' }),
);

export const lockstepSkip = (): string | false =>
  lockstepBinary() ? false : `needs Go and etcd 3.4's raft source (${ETCD34_RAFT}, package golang-etcd-server-dev) to build test/oracle/raft-lockstep`;

export interface Difference {
  seed: number;
  /** The schedule step whose lines differ (from whichever side got there). */
  step: number;
  /** The first differing line; undefined where that side had no more lines. */
  go: string | undefined;
  walt: string | undefined;
}

/** Each schedule's lines as etcd's raft printed them, by seed. */
export function runGo(bin: string, schedules: readonly Schedule[]): Map<number, string[]> {
  const input = schedules.map((s) => JSON.stringify(s)).join('\n') + '\n';
  const out = execFileSync(bin, { input, encoding: 'utf8', maxBuffer: 1 << 30 });
  const bySeed = new Map<number, string[]>();
  let lines: string[] = [];
  for (const l of out.split('\n')) {
    if (l.startsWith('{"end":')) {
      bySeed.set(Number(JSON.parse(l).end), lines);
      lines = [];
    } else if (l !== '') {
      lines.push(l);
    }
  }
  return bySeed;
}

/** Two panics at the same step agree: their messages are each language's own. */
const panicStep = (l: string): string | undefined => /^\{"s":(\d+),"panic":/.exec(l)?.[1];

const stepOf = (l: string | undefined): number => (l === undefined ? -1 : Number(/^\{"s":(\d+)/.exec(l)?.[1] ?? -1));

/** The first line where walt's run of `s` differs from etcd's `goLines`, or undefined. */
export function compare(s: Schedule, goLines: readonly string[]): Difference | undefined {
  const walt = new Driver(s).run();
  const n = Math.max(walt.length, goLines.length);
  for (let i = 0; i < n; i++) {
    const g = goLines[i];
    const w = walt[i];
    if (g === w) continue;
    if (g !== undefined && w !== undefined && panicStep(g) !== undefined && panicStep(g) === panicStep(w)) continue;
    return { seed: s.seed, step: Math.max(stepOf(g), stepOf(w)), go: g, walt: w };
  }
  return undefined;
}

/** Runs seeds [from, from+count) in batches; the first difference, or undefined. */
export function runSeeds(bin: string, from: number, count: number, batch = 500, onBatch?: (done: number) => void): Difference | undefined {
  for (let start = from; start < from + count; start += batch) {
    const schedules: Schedule[] = [];
    for (let seed = start; seed < Math.min(from + count, start + batch); seed++) schedules.push(makeSchedule(seed));
    const go = runGo(bin, schedules);
    for (const s of schedules) {
      const d = compare(s, go.get(s.seed) ?? []);
      if (d !== undefined) return d;
    }
    onBatch?.(Math.min(from + count, start + batch) - from);
  }
  return undefined;
}

export function describe(d: Difference): string {
  return (
    `seed ${d.seed}, step ${d.step}: walt's raft and etcd 3.4's differ\n` +
    `  etcd: ${d.go ?? '(no more lines)'}\n` +
    `  walt: ${d.walt ?? '(no more lines)'}\n` +
    `  (rerun: scripts/raft-differential.sh --from ${d.seed} --seeds 1 --verbose)`
  );
}
