/** A small cluster of the interaction harness, for tests that pin one behaviour. */
import assert from 'node:assert/strict';
import { StateType, type EtcdRaftVersion } from '../../src/raft/raft.js';
import { InteractionEnv, bootstrapSnapshot } from './rafttest/interaction-env.js';

/** Three voters at index 2 (as etcd's files bootstrap them), node 1 elected, on the given version's rules (default 3.5). */
export function threeNodes(version?: EtcdRaftVersion): InteractionEnv {
  const env = new InteractionEnv((c) => {
    if (version !== undefined) c.etcdVersion = version;
  });
  env.output.level = 5; // quiet
  env.addNodes(3, bootstrapSnapshot([1n, 2n, 3n], [], 2n, undefined));
  env.nodes[0].rawNode.campaign();
  env.stabilize();
  assert.equal(env.nodes[0].rawNode.raft.state, StateType.Leader);
  return env;
}
