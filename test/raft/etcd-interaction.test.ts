/**
 * etcd's raft interaction tests (raft/testdata/*.txt, etcd's
 * interaction_test.go) run against walt's raft through a port of
 * rafttest.InteractionEnv: every directive's output (Readies, messages and
 * raft's own log lines) must equal the file's, byte for byte. Each etcd
 * version's files run against walt's raft in that version's behaviour.
 */
import assert from 'node:assert/strict';
import { asActual } from './rafttest/datadriven.js';
import { eachTestDataFile } from './rafttest/etcd-sources.js';
import { handle } from './rafttest/handle.js';
import { InteractionEnv } from './rafttest/interaction-env.js';

eachTestDataFile('testdata', (directives, src) => {
  const env = new InteractionEnv((c) => {
    c.etcdVersion = src.version;
  });
  for (const d of directives) assert.equal(asActual(handle(env, d)), d.expected, `${d.pos}: ${d.cmd}`);
});
