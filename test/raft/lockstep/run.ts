/**
 * The long lockstep differential run (scripts/raft-differential.sh):
 *
 *   node dist/test/raft/lockstep/run.js [--seeds N] [--from S] [--verbose]
 *
 * runs seeds S..S+N-1 (default 0..99999) through walt's raft and etcd 3.4's
 * and stops at the first difference, printing the seed, the step and the two
 * lines (with --verbose, also the schedule and both runs up to there). Exit
 * status: 0 no difference, 1 a difference, 2 the Go program cannot be built.
 */
import { parseArgs } from 'node:util';
import { Driver } from './driver.js';
import { describe, lockstepBinary, lockstepSkip, runGo, runSeeds } from './compare.js';
import { makeSchedule } from './schedule.js';

const { values } = parseArgs({
  options: {
    seeds: { type: 'string', default: '100000' },
    from: { type: 'string', default: '0' },
    verbose: { type: 'boolean', default: false },
  },
});
const count = Number(values.seeds);
const from = Number(values.from);
const bin = lockstepBinary();
if (bin === undefined) {
  console.error(`raft-differential: ${lockstepSkip()}`);
  process.exit(2);
}
const started = Date.now();
const d = runSeeds(bin, from, count, 500, (done) => {
  if (done % 5000 === 0 || done === count) process.stderr.write(`${done} seeds, ${((Date.now() - started) / 1000).toFixed(0)} s\n`);
});
if (d === undefined) {
  console.log(`raft-differential: seeds ${from}..${from + count - 1}: no difference between walt's raft and etcd 3.4's`);
  process.exit(0);
}
console.log(describe(d));
if (values.verbose) {
  const s = makeSchedule(d.seed);
  const go = runGo(bin, [s]).get(s.seed) ?? [];
  const walt = new Driver(s).run();
  console.log(`schedule: ${JSON.stringify(s)}`);
  const upTo = (ls: string[]) => ls.filter((l) => Number(/^\{"s":(\d+)/.exec(l)?.[1]) <= d.step);
  console.log(`etcd:\n${upTo(go).join('\n')}\nwalt:\n${upTo(walt).join('\n')}`);
}
process.exit(1);
