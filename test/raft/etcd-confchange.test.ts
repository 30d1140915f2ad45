/**
 * etcd's configuration-change tests as data (raft/confchange/testdata/*.txt),
 * run through walt's Changer by a port of etcd's driver
 * (confchange/datadriven_test.go): every directive's output must equal the
 * file's, byte for byte.
 */
import assert from 'node:assert/strict';
import { Changer, ErrConfChange, type ConfigAndProgress } from '../../src/raft/confchange/confchange.js';
import { ProgressTracker } from '../../src/raft/tracker/tracker.js';
import { asActual } from './rafttest/datadriven.js';
import { confChangesFromString, describeProgressMap } from './rafttest/describe.js';
import { eachTestDataFile } from './rafttest/etcd-sources.js';

eachTestDataFile('confchange/testdata', (directives) => {
  const tracker = new ProgressTracker(10, 0);
  // The driver counts commands as the last index, from 0 (new members' next is lastIndex+1).
  let lastIndex = 0n;
  for (const d of directives) {
    const out = ((): string => {
      let parsed;
      try {
        parsed = confChangesFromString(d.input);
      } catch (e) {
        return (e as Error).message;
      }
      const c = new Changer(tracker, lastIndex);
      let next: ConfigAndProgress;
      try {
        switch (d.cmd) {
          case 'simple':
            next = c.simple(parsed);
            break;
          case 'enter-joint': {
            const arg = d.cmdArgs.find((a) => a.key === 'autoleave');
            next = c.enterJoint(arg?.vals[0] === 'true', parsed);
            break;
          }
          case 'leave-joint':
            if (parsed.length > 0) return 'this command takes no input\n';
            next = c.leaveJoint();
            break;
          default:
            return 'unknown command';
        }
      } catch (e) {
        if (e instanceof ErrConfChange) return `${e.message}\n`;
        throw e;
      }
      tracker.setConfig(next.config, next.progress);
      return `${tracker.config}\n${describeProgressMap(tracker.progress)}`;
    })();
    lastIndex++;
    assert.equal(asActual(out), d.expected, `${d.pos}: ${d.cmd}`);
  }
});
