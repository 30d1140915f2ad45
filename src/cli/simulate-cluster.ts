/** `walt simulate-cluster`: options → simulate → a summary and timeline for people, or JSON; exit 0 all checks pass, 1 a violation, 2 usage. */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Command, InvalidArgumentError, Option } from 'commander';
import { defaultOptions, type Progress, type SimOptions } from '../sim/options.js';
import { parseScenario, ScenarioError, type FaultCounts } from '../sim/scenario.js';
import { EXIT_OK, EXIT_PROBLEM, UsageError, runAction } from './errors.js';
import { addWriteOut, choiceOption, parseCount, parseIndex } from './options.js';
import { toJSON } from '../util/json.js';

interface SimulateFlags extends FaultCounts {
  nodes: number;
  peerBasePort?: number;
  learners: number;
  seed: bigint;
  ticks?: number;
  duration?: number;
  tickMs: number;
  ops?: number;
  keys: number;
  rate: number;
  drop: number;
  delay: number;
  duplicate: number;
  reorder: number;
  snapshotCount: number;
  preVote: boolean;
  scenario?: string;
  out?: string;
  writeOut: 'simple' | 'json';
  break?: 'forget-vote';
  shrinkRuns: number;
}

function parseRate(value: string): number {
  const n = Number(value);
  if (!/^\d*\.?\d+$/.test(value) || n > 1) throw new InvalidArgumentError(`expected a probability between 0 and 1, got "${value}"`);
  return n;
}

function parsePositive(value: string): number {
  const n = parseCount(value);
  if (n < 1) throw new InvalidArgumentError(`expected a positive integer, got "${value}"`);
  return n;
}

function parseOpsRate(value: string): number {
  const n = Number(value);
  if (!/^\d*\.?\d+$/.test(value) || n <= 0) throw new InvalidArgumentError(`expected a positive number, got "${value}"`);
  return n;
}

/** "90s", "2m", "1500ms", "1h" → milliseconds. */
function parseDuration(value: string): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h)$/.exec(value);
  if (!m) throw new InvalidArgumentError(`expected a duration such as 90s, 2m or 1500ms, got "${value}"`);
  return Math.round(Number(m[1]) * { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[m[2] as 'ms' | 's' | 'm' | 'h']);
}

export function simulateClusterCommand(): Command {
  const d = defaultOptions();
  return addWriteOut(
    new Command('simulate-cluster').description('run a Raft cluster of in-process nodes under a seeded fault schedule, check it, and leave real etcd data dirs; exit 0 all checks pass, 1 a violation, 2 usage'),
    { formats: ['simple', 'json'], default: 'simple' },
  )
    .option('--nodes <n>', 'voting members at start', parsePositive, d.nodes)
    .option('--learners <n>', 'learners added once the cluster has a leader (etcd allows one)', parseCount, d.learners)
    // A bigint default needs its own description: commander prints defaults with JSON.stringify.
    .addOption(new Option('--seed <s>', 'the seed: the same seed and options give the same run, byte for byte (uint64)').argParser(parseIndex).default(d.seed, String(d.seed)))
    .option('--ticks <t>', `ticks of virtual time to run (default ${d.ticks})`, parsePositive)
    .option('--duration <d>', 'virtual time to run instead of --ticks: 90s, 2m, 1500ms', parseDuration)
    .option('--tick-ms <ms>', 'virtual milliseconds per tick (etcd --heartbeat-interval; the election timeout is 10 ticks)', parsePositive, d.tickMs)
    .option('--ops <n>', 'client operations in all (default: as many as --rate gives)', parseCount)
    .option('--keys <n>', 'keys the clients read and write', parsePositive, d.keys)
    .option('--rate <r>', 'client operations per second of virtual time', parseOpsRate, d.rate)
    .option('--drop <p>', 'probability that a message is lost', parseRate, 0)
    .option('--delay <p>', 'probability that a message is held back up to two election timeouts', parseRate, 0)
    .option('--duplicate <p>', 'probability that a message arrives twice (proposals excepted)', parseRate, 0)
    .option('--reorder <p>', 'probability that a message leaves FIFO order', parseRate, 0)
    .option('--partitions <n>', 'network partitions: into groups, one-way, or isolating the leader', parseCount, 0)
    .option('--crashes <n>', 'crashes with restart from the data dir', parseCount, 0)
    .option('--torn-crashes <n>', 'crashes in the middle of a WAL write, leaving a torn tail that the restart repairs', parseCount, 0)
    .option('--membership-changes <n>', 'membership changes, in turn: add a learner, promote it, remove a member', parseCount, 0)
    .option('--disk-stalls <n>', 'disk stalls: a node stops persisting (and so stops sending) for a while', parseCount, 0)
    .option('--leader-transfers <n>', 'leadership transfers to another voter', parseCount, 0)
    .option('--snapshot-count <n>', 'applied entries between snapshots (etcd --snapshot-count)', parsePositive, d.snapshotCount)
    .option('--no-pre-vote', "campaign without a pre-vote first (etcd 3.4's default; 3.5 turned pre-vote on)")
    .option('--scenario <file>', 'a JSON fault schedule to run instead of a generated one (see the man page)')
    .option('--out <dir>', 'write the data dirs here, as DIR/node-K/member/{wal,snap}, and keep them (default: a temp dir, removed)')
    .option('--peer-base-port <port>', 'peer URLs on loopback, node K at http://127.0.0.1:PORT+K, so that etcd can start on the data dirs (default: http://node-K:2380)', parsePositive)
    .addOption(choiceOption('--break <variant>', 'run a deliberately broken node to see the checks catch it: forget-vote (a restarted node forgets its vote)', ['forget-vote']))
    .option('--shrink-runs <n>', 'on a violation, rerun at most this many times to shrink the fault schedule (0: do not)', parseCount, d.shrinkRuns)
    .addHelpText(
      'after',
      `
Every step is checked: one leader per term, leaders only append, log matching,
leader completeness, no two nodes applying different entries at an index, and
committed entries surviving crashes. At the end every fault is lifted, the
live members must converge to one key space, and the clients' history must
be linearizable. On a violation walt prints the seed, the step, the nodes'
states and the shortest fault schedule it found that still shows it.

Examples:
  walt simulate-cluster --seed 42 --crashes 3 --partitions 2
  walt simulate-cluster --nodes 5 --torn-crashes 4 --drop 0.05 --out /tmp/sim && walt verify /tmp/sim/node-1
  walt simulate-cluster --scenario split.json -w json | jq .stats
  walt simulate-cluster --seed 7 --crashes 2 --peer-base-port 24000 --out /tmp/sim   # then start etcd on each node-K (peer port 24000+K)
  walt simulate-cluster --seed 3 --ticks 60 --no-pre-vote --delay 0.7 --duplicate 0.8 --scenario window.json --break forget-vote
    (a node that forgets its vote on restart, caught; window.json is in walt-simulate-cluster(1))`,
    )
    .action((flags: SimulateFlags) => runAction(() => run(flags)));
}

function options(f: SimulateFlags): SimOptions {
  if (f.ticks !== undefined && f.duration !== undefined) throw new UsageError('give --ticks or --duration, not both');
  if (f.learners > 1) throw new UsageError('etcd allows one learner at a time (membership maxLearners)');
  let scenario;
  if (f.scenario !== undefined) {
    try {
      scenario = parseScenario(readFileSync(f.scenario, 'utf8'));
    } catch (e) {
      if (e instanceof ScenarioError) throw new UsageError(`${f.scenario}: ${e.message}`);
      throw e;
    }
  }
  if (f.out !== undefined && existsSync(join(f.out, 'node-1'))) throw new UsageError(`${f.out}: already holds node-1; give an empty or new directory`);
  const ticks = f.duration !== undefined ? Math.max(1, Math.round(f.duration / f.tickMs)) : (f.ticks ?? defaultOptions().ticks);
  return {
    ...defaultOptions(),
    nodes: f.nodes,
    learners: f.learners,
    seed: f.seed,
    ticks,
    tickMs: f.tickMs,
    ops: f.ops,
    keys: f.keys,
    rate: f.rate,
    rates: { drop: f.drop, delay: f.delay, duplicate: f.duplicate, reorder: f.reorder },
    partitions: f.partitions,
    crashes: f.crashes,
    tornCrashes: f.tornCrashes,
    membershipChanges: f.membershipChanges,
    diskStalls: f.diskStalls,
    leaderTransfers: f.leaderTransfers,
    snapshotCount: f.snapshotCount,
    preVote: f.preVote,
    scenario,
    outDir: f.out,
    peerBasePort: f.peerBasePort,
    break: f.break,
    shrinkRuns: f.shrinkRuns,
  };
}

async function run(flags: SimulateFlags): Promise<number> {
  const opts = options(flags);
  if (process.stderr.isTTY) opts.onProgress = progressLine();
  // The simulator loads here, not for --help.
  const [{ simulate }, { resultJson, summaryTable, timeline, violationReport }] = await Promise.all([import('../sim/simulate.js'), import('../sim/report.js')]);
  const result = simulate(opts);
  if (process.stderr.isTTY) process.stderr.write('\r\x1b[K');
  if (flags.writeOut === 'json') process.stdout.write(toJSON(resultJson(result), 2) + '\n');
  else process.stdout.write(summaryTable(result) + '\n' + timeline(result) + (result.violation ? '\n' + violationReport(result) : ''));
  return result.ok ? EXIT_OK : EXIT_PROBLEM;
}

/** The live line on a terminal: the only place the wall clock is read, and it changes nothing in the run. */
function progressLine(): (p: Progress) => void {
  const start = performance.now();
  return (p) => {
    const secs = (performance.now() - start) / 1000;
    const rate = secs > 0 ? Math.round(p.tick / secs) : 0;
    process.stderr.write(
      `\r\x1b[Ksimulated ${(p.timeMs / 1000).toFixed(1)}s · ${rate} ticks/s · ${p.committed} committed · leader ${p.leader === undefined ? 'none' : `node ${p.leader}`} · ${p.faults} faults`,
    );
  };
}
