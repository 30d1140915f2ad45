/**
 * `npm run profile`: timings inside one process, to find where time goes.
 * They are not claims about walt's speed (`npm run bench` makes those, with
 * whole processes beside etcd's tools): the CRC-32C primitive, the Raft node
 * alone and with three nodes, and the cluster simulator.
 */
import { crc32cImplementation } from '../../src/codec/crc32c.js';
import { benchCrc } from './crc.js';
import { benchRaft } from './raft.js';
import { benchSim } from './sim.js';

console.log(`CRC-32C implementation: ${crc32cImplementation()}`);
for (const [impl, gbs] of Object.entries(benchCrc())) console.log(`  crc32c ${impl}: ${gbs.toFixed(2)} GB/s`);
console.log('Raft node:');
await benchRaft();
await benchSim();
