/**
 * A member removed while its proposals are in flight. raft 3.5 forwards a
 * proposal with its author's From (raft.go send), so a follower can pass the
 * removed member's proposal on to a leader that has already applied the
 * removal. etcd refuses that message (EtcdServer.Process) and the follower
 * stays up; the simulation used to take m.from for the sender and stop the
 * follower as removed, leaving the cluster without a quorum (the seeds test
 * failed so at 5 nodes, seed 840005).
 *
 * The schedule: node 3's removal and a leader transfer (node 1 to node 2) at
 * the same tick, while clients write through node 3; with messages delayed,
 * node 3's proposal reaches node 1 after it handed over and node 1's forward
 * reaches node 2 after node 2 applied the removal. The seed was found by
 * searching; the test checks that the run still takes that path.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { defaultOptions } from '../../src/sim/options.js';
import { simulate } from '../../src/sim/simulate.js';
import { parseScenario } from '../../src/sim/scenario.js';
import { removeDir, scratch } from './helpers.js';

const dirs: string[] = [];
after(() => dirs.forEach(removeDir));

test("a follower that forwards a removed member's proposal stays up", () => {
  const dir = scratch('removal');
  dirs.push(dir);
  const scenario = parseScenario('{"steps": [{"at": 30, "remove": 3}, {"at": 30, "transferLeader": "any"}]}');
  const r = simulate({
    ...defaultOptions(),
    seed: 145n,
    nodes: 3,
    ticks: 40,
    rate: 60,
    rates: { drop: 0, delay: 0.2, duplicate: 0, reorder: 0 },
    scenario,
    shrinkRuns: 0,
    outDir: dir,
  });
  const texts = r.events.map((e) => `${e.node ?? '-'}: ${e.text}`);
  assert.ok(
    texts.includes('2: refused a MsgProp of removed node 3 forwarded by node 1'),
    `the run no longer forwards node 3's proposal after its removal:\n${texts.join('\n')}`,
  );
  assert.ok(r.ok, `${r.violation?.check}: ${r.violation?.message}`);
  assert.deepEqual(
    r.finals.map((f) => [f.node, f.status]),
    [
      [1, 'up'],
      [2, 'up'],
      [3, 'removed'],
    ],
  );
});
