/**
 * simulate-cluster's data dirs judged by etcd: a simulated cluster of three
 * with crashes and many snapshots, its peer URLs on loopback
 * (--peer-base-port); each node's dir holds the backend its state machine
 * stands for (member/snap/db), so etcd 3.4 and 3.5, started on every node's
 * dir, form the cluster again and serve the key space, revision by revision,
 * that the simulation ended with.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync } from 'node:fs';
import { join } from 'node:path';
import { defaultOptions } from '../../src/sim/options.js';
import { simulate } from '../../src/sim/simulate.js';
import { Scratch } from '../helpers/fixtures.js';
import { ETCD, ETCDCTL, Etcd, etcdSkip, type MemberSpec } from '../helpers/etcd.js';
import { etcd35Bin, etcd35Skip } from '../helpers/etcd35.js';
import { parseBigJson } from '../state/helpers.js';

const scratch = new Scratch();
after(() => scratch.remove());

const PEER_BASE = 24100;
const CLIENT_BASE = 24150;
const NODES = 3;

const out = scratch.fresh('sim');
const result = simulate({ ...defaultOptions(), seed: 7n, crashes: 2, snapshotCount: 50, ticks: 2000, peerBasePort: PEER_BASE, outDir: out, shrinkRuns: 0 });

const initialCluster = Array.from({ length: NODES }, (_, i) => `node-${i + 1}=http://127.0.0.1:${PEER_BASE + i + 1}`).join(',');
const spec = (k: number, etcd: string, etcdctl: string): MemberSpec => ({ name: `node-${k}`, clientPort: CLIENT_BASE + k, peerPort: PEER_BASE + k, initialCluster, token: 'walt-sim', flags: [], etcd, etcdctl });

const RELEASES = [
  { name: 'etcd 3.4', skip: etcdSkip, etcd: ETCD, etcdctl: ETCDCTL },
  { name: 'etcd 3.5', skip: etcd35Skip, etcd: join(etcd35Bin, 'etcd'), etcdctl: join(etcd35Bin, 'etcdctl') },
];

for (const rel of RELEASES) {
  test(`${rel.name} starts on every node of a simulated cluster (crashes, snapshots) and serves the key space it ended with`, { skip: etcdSkip() || rel.skip() }, async () => {
    assert.ok(result.ok, 'the simulation passed its checks');
    const final = result.finals.find((f) => f.node === 1)!;
    assert.ok(final.revision > 100n, 'a workload ran');
    const dir = scratch.fresh('cluster');
    cpSync(out, dir, { recursive: true });
    const members = await Promise.all(Array.from({ length: NODES }, (_, i) => Etcd.start(join(dir, `node-${i + 1}`), spec(i + 1, rel.etcd, rel.etcdctl), 30_000)));
    try {
      const got = parseBigJson(await members[0].getAll());
      assert.equal(BigInt(got.header.revision), final.revision);
      const want = final.keySpace.map((kv) => ({ key: Buffer.from(kv.key).toString('base64'), create_revision: Number(kv.createRevision), mod_revision: Number(kv.modRevision), version: Number(kv.version), value: Buffer.from(kv.value).toString('base64') }));
      assert.deepEqual(got.kvs ?? [], want);
      const listed = parseBigJson(await members[0].etcdctl('member', 'list', '-w', 'json')).members.map((m: { name: string }) => m.name).sort();
      assert.deepEqual(listed, ['node-1', 'node-2', 'node-3']);
    } finally {
      await Promise.all(members.map((m) => m.stop()));
    }
  });
}
