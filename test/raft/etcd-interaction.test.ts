/**
 * etcd's raft interaction tests (raft/testdata/*.txt, etcd's
 * interaction_test.go) run against walt's raft through a port of
 * rafttest.InteractionEnv: every directive's output (Readies, messages and
 * raft's own log lines) must equal the file's, byte for byte. Each etcd
 * version's files run against walt's raft in that version's behaviour.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { asActual, readTestData } from './rafttest/datadriven.js';
import { etcdRaftSources, testFiles } from './rafttest/etcd-sources.js';
import { handle } from './rafttest/handle.js';
import { InteractionEnv } from './rafttest/interaction-env.js';

for (const src of etcdRaftSources()) {
  describe(`etcd ${src.version} raft/testdata`, () => {
    if (src.dir === undefined) {
      test('testdata', (t) => t.skip(src.skip || ''));
      return;
    }
    for (const file of testFiles(src.dir, 'testdata')) {
      test(file.slice(src.dir.length + 1), () => {
        const directives = readTestData(file);
        assert.ok(directives.length > 0, `${file} has no directives`);
        const env = new InteractionEnv((c) => {
          c.etcdVersion = src.version;
        });
        for (const d of directives) assert.equal(asActual(handle(env, d)), d.expected, `${d.pos}: ${d.cmd}`);
      });
    }
  });
}
