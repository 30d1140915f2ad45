/**
 * `npm run fuzz -- --seeds N [--from S] [--jobs J] [--process-every K]`: a differential fuzz
 * campaign against etcd's own reader (campaign.ts), with progress on stderr.
 * Failing seeds are printed and kept in test/fuzz/regressions.json; the exit
 * status is 1 when any case failed.
 */
import { parseArgs } from 'node:util';
import { oracleBinary } from '../helpers/oracle.js';
import { keepRegressions, runCampaign } from './campaign.js';

const { values } = parseArgs({ options: { seeds: { type: 'string', default: '10000' }, from: { type: 'string', default: '1' }, jobs: { type: 'string', default: '2' }, 'process-every': { type: 'string', default: '10' } } });
const count = Number(values.seeds);
const from = Number(values.from);
const oracleBin = oracleBinary();
if (!oracleBin) {
  process.stderr.write('fuzz: needs Go and golang-etcd-server-dev to build the etcd oracle (.ci/run installs them)\n');
  process.exit(2);
}
const started = Date.now();
let done = 0;
const failed = await runCampaign({
  seeds: Array.from({ length: count }, (_, i) => from + i),
  oracleBin,
  jobs: Number(values.jobs),
  processEvery: Number(values['process-every']),
  onCase: (r) => {
    done++;
    if (r.failures.length) process.stderr.write(`\nseed ${r.seed} (${r.fixture}, ${r.mutation.kind} ${r.mutation.file}${r.mutation.offset !== undefined ? ' @' + r.mutation.offset : ''}): ${r.failures.join('; ')}\n`);
    if (process.stderr.isTTY || done % 100 === 0) process.stderr.write(`\rfuzz: ${done}/${count} cases, ${Math.round((Date.now() - started) / 1000)} s`);
  },
});
process.stderr.write('\n');
if (failed.length) keepRegressions(failed.map((r) => r.seed));
process.stdout.write(`${count} seeds from ${from}: ${failed.length} failed${failed.length ? ` (${failed.map((r) => r.seed).join(', ')}; kept in test/fuzz/regressions.json)` : ''}, ${Math.round((Date.now() - started) / 1000)} s\n`);
process.exit(failed.length ? 1 : 0);
