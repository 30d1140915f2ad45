/**
 * etcd 3.4's raft log tests (raft/log_test.go), ported with their exact cases
 * and assertions. Go's (value, ok) pairs are walt's value or undefined; a Go
 * panic is a throw; Go's nil slice of entries is an empty array.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Entry, Snapshot } from '../../src/codec/proto/raftpb.js';
import { MemoryStorage } from '../../src/raft/index.js';
import { ErrCompacted } from '../../src/raft/storage.js';
import { entrySize } from '../../src/raft/util.js';
import { RaftLog } from '../../src/raft/log.js';
import { entry } from './etcd-unit.js';

const e = (index: bigint, term: bigint): Entry => entry({ index, term });
const snapAt = (index: bigint, term: bigint): Snapshot => ({
  data: undefined,
  metadata: { index, term, confState: { voters: [], learners: [], votersOutgoing: [], learnersNext: [], autoLeave: false } },
});
const newLog = (storage = new MemoryStorage()) => new RaftLog(storage);

describe("etcd's log_test.go", () => {
  test('TestFindConflict', () => {
    const previousEnts = [e(1n, 1n), e(2n, 2n), e(3n, 3n)];
    const cases: Array<[Entry[], bigint]> = [
      // no conflict, empty ent
      [[], 0n],
      // no conflict
      [[e(1n, 1n), e(2n, 2n), e(3n, 3n)], 0n],
      [[e(2n, 2n), e(3n, 3n)], 0n],
      [[e(3n, 3n)], 0n],
      // no conflict, but has new entries
      [[e(1n, 1n), e(2n, 2n), e(3n, 3n), e(4n, 4n), e(5n, 4n)], 4n],
      [[e(2n, 2n), e(3n, 3n), e(4n, 4n), e(5n, 4n)], 4n],
      [[e(3n, 3n), e(4n, 4n), e(5n, 4n)], 4n],
      [[e(4n, 4n), e(5n, 4n)], 4n],
      // conflicts with existing entries
      [[e(1n, 4n), e(2n, 4n)], 1n],
      [[e(2n, 1n), e(3n, 4n), e(4n, 4n)], 2n],
      [[e(3n, 1n), e(4n, 2n), e(5n, 4n), e(6n, 4n)], 3n],
    ];
    cases.forEach(([ents, wconflict], i) => {
      const raftLog = newLog();
      raftLog.append(previousEnts);
      assert.equal(raftLog.findConflict(ents), wconflict, `#${i}: conflict`);
    });
  });

  test('TestIsUpToDate', () => {
    const raftLog = newLog();
    raftLog.append([e(1n, 1n), e(2n, 2n), e(3n, 3n)]);
    const li = raftLog.lastIndex();
    const cases: Array<[bigint, bigint, boolean]> = [
      // greater term, ignore lastIndex
      [li - 1n, 4n, true],
      [li, 4n, true],
      [li + 1n, 4n, true],
      // smaller term, ignore lastIndex
      [li - 1n, 2n, false],
      [li, 2n, false],
      [li + 1n, 2n, false],
      // equal term, equal or larger lastIndex wins
      [li - 1n, 3n, false],
      [li, 3n, true],
      [li + 1n, 3n, true],
    ];
    cases.forEach(([lastIndex, term, want], i) => assert.equal(raftLog.isUpToDate(lastIndex, term), want, `#${i}: uptodate`));
  });

  test('TestAppend', () => {
    const previousEnts = [e(1n, 1n), e(2n, 2n)];
    const cases: Array<[Entry[], bigint, Entry[], bigint]> = [
      [[], 2n, [e(1n, 1n), e(2n, 2n)], 3n],
      [[e(3n, 2n)], 3n, [e(1n, 1n), e(2n, 2n), e(3n, 2n)], 3n],
      // conflicts with index 1
      [[e(1n, 2n)], 1n, [e(1n, 2n)], 1n],
      // conflicts with index 2
      [[e(2n, 3n), e(3n, 3n)], 3n, [e(1n, 1n), e(2n, 3n), e(3n, 3n)], 2n],
    ];
    cases.forEach(([ents, windex, wents, wunstable], i) => {
      const storage = new MemoryStorage();
      storage.append(previousEnts);
      const raftLog = newLog(storage);
      assert.equal(raftLog.append(ents), windex, `#${i}: lastIndex`);
      assert.deepEqual(raftLog.entries(1n, Infinity), wents, `#${i}: logEnts`);
      assert.equal(raftLog.unstable.offset, wunstable, `#${i}: unstable`);
    });
  });

  test('TestLogMaybeAppend', () => {
    const previousEnts = [e(1n, 1n), e(2n, 2n), e(3n, 3n)];
    const lastindex = 3n;
    const lastterm = 3n;
    const commit = 1n;
    // logTerm, index, committed, ents, wlasti, wappend, wcommit, wpanic
    const cases: Array<[bigint, bigint, bigint, Entry[], bigint, boolean, bigint, boolean]> = [
      // not match: term is different
      [lastterm - 1n, lastindex, lastindex, [e(lastindex + 1n, 4n)], 0n, false, commit, false],
      // not match: index out of bound
      [lastterm, lastindex + 1n, lastindex, [e(lastindex + 2n, 4n)], 0n, false, commit, false],
      // match with the last existing entry
      [lastterm, lastindex, lastindex, [], lastindex, true, lastindex, false],
      [lastterm, lastindex, lastindex + 1n, [], lastindex, true, lastindex, false], // do not increase commit higher than lastnewi
      [lastterm, lastindex, lastindex - 1n, [], lastindex, true, lastindex - 1n, false], // commit up to the commit in the message
      [lastterm, lastindex, 0n, [], lastindex, true, commit, false], // commit do not decrease
      [0n, 0n, lastindex, [], 0n, true, commit, false], // commit do not decrease
      [lastterm, lastindex, lastindex, [e(lastindex + 1n, 4n)], lastindex + 1n, true, lastindex, false],
      [lastterm, lastindex, lastindex + 1n, [e(lastindex + 1n, 4n)], lastindex + 1n, true, lastindex + 1n, false],
      [lastterm, lastindex, lastindex + 2n, [e(lastindex + 1n, 4n)], lastindex + 1n, true, lastindex + 1n, false], // do not increase commit higher than lastnewi
      [lastterm, lastindex, lastindex + 2n, [e(lastindex + 1n, 4n), e(lastindex + 2n, 4n)], lastindex + 2n, true, lastindex + 2n, false],
      // match with the entry in the middle
      [lastterm - 1n, lastindex - 1n, lastindex, [e(lastindex, 4n)], lastindex, true, lastindex, false],
      [lastterm - 2n, lastindex - 2n, lastindex, [e(lastindex - 1n, 4n)], lastindex - 1n, true, lastindex - 1n, false],
      [lastterm - 3n, lastindex - 3n, lastindex, [e(lastindex - 2n, 4n)], lastindex - 2n, true, lastindex - 2n, true], // conflict with existing committed entry
      [lastterm - 2n, lastindex - 2n, lastindex, [e(lastindex - 1n, 4n), e(lastindex, 4n)], lastindex, true, lastindex, false],
    ];
    cases.forEach(([logTerm, index, committed, ents, wlasti, wappend, wcommit, wpanic], i) => {
      const raftLog = newLog();
      raftLog.append(previousEnts);
      raftLog.committed = commit;
      if (wpanic) {
        assert.throws(() => raftLog.maybeAppend(index, logTerm, committed, ents), Error, `#${i}: panic`);
        return;
      }
      const glasti = raftLog.maybeAppend(index, logTerm, committed, ents);
      assert.equal(glasti ?? 0n, wlasti, `#${i}: lastindex`);
      assert.equal(glasti !== undefined, wappend, `#${i}: append`);
      assert.equal(raftLog.committed, wcommit, `#${i}: committed`);
      if (glasti !== undefined && ents.length !== 0) {
        assert.deepEqual(raftLog.slice(raftLog.lastIndex() - BigInt(ents.length) + 1n, raftLog.lastIndex() + 1n, Infinity), ents, `#${i}: appended entries`);
      }
    });
  });

  // Everything about the log still works after its storage is compacted.
  test('TestCompactionSideEffects', () => {
    const lastIndex = 1000n;
    const unstableIndex = 750n;
    const lastTerm = lastIndex;
    const storage = new MemoryStorage();
    for (let i = 1n; i <= unstableIndex; i++) storage.append([e(i, i)]);
    const raftLog = newLog(storage);
    for (let i = unstableIndex; i < lastIndex; i++) raftLog.append([e(i + 1n, i + 1n)]);
    assert.ok(raftLog.maybeCommit(lastIndex, lastTerm), 'maybeCommit');
    raftLog.appliedTo(raftLog.committed);
    const offset = 500n;
    storage.compact(offset);
    assert.equal(raftLog.lastIndex(), lastIndex);
    for (let j = offset; j <= raftLog.lastIndex(); j++) assert.equal(raftLog.term(j), j, `term(${j})`);
    for (let j = offset; j <= raftLog.lastIndex(); j++) assert.ok(raftLog.matchTerm(j, j), `matchTerm(${j})`);
    const unstableEnts = raftLog.unstableEntries();
    assert.equal(unstableEnts.length, 250);
    assert.equal(unstableEnts[0].index, 751n);
    const prev = raftLog.lastIndex();
    raftLog.append([e(raftLog.lastIndex() + 1n, raftLog.lastIndex() + 1n)]);
    assert.equal(raftLog.lastIndex(), prev + 1n);
    assert.equal(raftLog.entries(raftLog.lastIndex(), Infinity).length, 1);
  });

  test('TestHasNextEnts and TestNextEnts', () => {
    const ents = [e(4n, 1n), e(5n, 1n), e(6n, 1n)];
    const cases: Array<[bigint, boolean, Entry[]]> = [
      [0n, true, ents.slice(0, 2)],
      [3n, true, ents.slice(0, 2)],
      [4n, true, ents.slice(1, 2)],
      [5n, false, []],
    ];
    cases.forEach(([applied, hasNext, wents], i) => {
      const storage = new MemoryStorage();
      storage.applySnapshot(snapAt(3n, 1n));
      const raftLog = newLog(storage);
      raftLog.append(ents);
      raftLog.maybeCommit(5n, 1n);
      raftLog.appliedTo(applied);
      assert.equal(raftLog.hasNextEnts(), hasNext, `#${i}: hasNext`);
      assert.deepEqual(raftLog.nextEnts(), wents, `#${i}: nents`);
    });
  });

  test('TestUnstableEnts', () => {
    const previousEnts = [e(1n, 1n), e(2n, 2n)];
    const cases: Array<[number, Entry[]]> = [
      [3, []],
      [1, previousEnts],
    ];
    cases.forEach(([unstable, wents], i) => {
      const storage = new MemoryStorage();
      storage.append(previousEnts.slice(0, unstable - 1));
      const raftLog = newLog(storage);
      raftLog.append(previousEnts.slice(unstable - 1));
      const ents = raftLog.unstableEntries();
      if (ents.length > 0) raftLog.stableTo(ents[ents.length - 1].index, ents[ents.length - 1].term);
      assert.deepEqual(ents, wents, `#${i}: unstableEnts`);
      assert.equal(raftLog.unstable.offset, previousEnts[previousEnts.length - 1].index + 1n, `#${i}: unstable`);
    });
  });

  test('TestCommitTo', () => {
    const previousEnts = [e(1n, 1n), e(2n, 2n), e(3n, 3n)];
    const cases: Array<[bigint, bigint, boolean]> = [
      [3n, 3n, false],
      [1n, 2n, false], // never decrease
      [4n, 0n, true], // commit out of range -> panic
    ];
    cases.forEach(([commit, wcommit, wpanic], i) => {
      const raftLog = newLog();
      raftLog.append(previousEnts);
      raftLog.committed = 2n;
      if (wpanic) {
        assert.throws(() => raftLog.commitTo(commit), Error, `#${i}: panic`);
        return;
      }
      raftLog.commitTo(commit);
      assert.equal(raftLog.committed, wcommit, `#${i}: committed`);
    });
  });

  test('TestStableTo', () => {
    const cases: Array<[bigint, bigint, bigint]> = [
      [1n, 1n, 2n],
      [2n, 2n, 3n],
      [2n, 1n, 1n], // bad term
      [3n, 1n, 1n], // bad index
    ];
    cases.forEach(([stablei, stablet, wunstable], i) => {
      const raftLog = newLog();
      raftLog.append([e(1n, 1n), e(2n, 2n)]);
      raftLog.stableTo(stablei, stablet);
      assert.equal(raftLog.unstable.offset, wunstable, `#${i}: unstable`);
    });
  });

  test('TestStableToWithSnap', () => {
    const snapi = 5n;
    const snapt = 2n;
    const cases: Array<[bigint, bigint, Entry[], bigint]> = [
      [snapi + 1n, snapt, [], snapi + 1n],
      [snapi, snapt, [], snapi + 1n],
      [snapi - 1n, snapt, [], snapi + 1n],
      [snapi + 1n, snapt + 1n, [], snapi + 1n],
      [snapi, snapt + 1n, [], snapi + 1n],
      [snapi - 1n, snapt + 1n, [], snapi + 1n],
      [snapi + 1n, snapt, [e(snapi + 1n, snapt)], snapi + 2n],
      [snapi, snapt, [e(snapi + 1n, snapt)], snapi + 1n],
      [snapi - 1n, snapt, [e(snapi + 1n, snapt)], snapi + 1n],
      [snapi + 1n, snapt + 1n, [e(snapi + 1n, snapt)], snapi + 1n],
      [snapi, snapt + 1n, [e(snapi + 1n, snapt)], snapi + 1n],
      [snapi - 1n, snapt + 1n, [e(snapi + 1n, snapt)], snapi + 1n],
    ];
    cases.forEach(([stablei, stablet, newEnts, wunstable], i) => {
      const s = new MemoryStorage();
      s.applySnapshot(snapAt(snapi, snapt));
      const raftLog = newLog(s);
      raftLog.append(newEnts);
      raftLog.stableTo(stablei, stablet);
      assert.equal(raftLog.unstable.offset, wunstable, `#${i}: unstable`);
    });
  });

  // The number of log entries is right after compactions; compacting out of bounds is refused.
  test('TestCompaction', () => {
    const cases: Array<[bigint, bigint[], number[], boolean]> = [
      // out of upper bound
      [1000n, [1001n], [-1], false],
      [1000n, [300n, 500n, 800n, 900n], [700, 500, 200, 100], true],
      // out of lower bound
      [1000n, [300n, 299n], [700, -1], false],
    ];
    cases.forEach(([lastIndex, compact, wleft, wallow], i) => {
      const storage = new MemoryStorage();
      for (let k = 1n; k <= lastIndex; k++) storage.append([e(k, 0n)]);
      const raftLog = newLog(storage);
      raftLog.maybeCommit(lastIndex, 0n);
      raftLog.appliedTo(raftLog.committed);
      compact.forEach((c, j) => {
        try {
          storage.compact(c);
        } catch (err) {
          // Go: an error, or a panic past the last index; either way not allowed.
          assert.equal(wallow, false, `#${i}.${j}: allow (${(err as Error).message})`);
          return;
        }
        assert.equal(raftLog.allEntries().length, wleft[j], `#${i}.${j}: len`);
      });
    });
  });

  test('TestLogRestore', () => {
    const index = 1000n;
    const term = 1000n;
    const storage = new MemoryStorage();
    storage.applySnapshot(snapAt(index, term));
    const raftLog = newLog(storage);
    assert.equal(raftLog.allEntries().length, 0);
    assert.equal(raftLog.firstIndex(), index + 1n);
    assert.equal(raftLog.committed, index);
    assert.equal(raftLog.unstable.offset, index + 1n);
    assert.equal(raftLog.term(index), term);
  });

  test('TestIsOutOfBounds', () => {
    const offset = 100n;
    const num = 100n;
    const storage = new MemoryStorage();
    storage.applySnapshot(snapAt(offset, 0n));
    const l = newLog(storage);
    for (let k = 1n; k <= num; k++) l.append([e(k + offset, 0n)]);
    const first = offset + 1n;
    const cases: Array<[bigint, bigint, boolean, boolean]> = [
      [first - 2n, first + 1n, false, true],
      [first - 1n, first + 1n, false, true],
      [first, first, false, false],
      [first + num / 2n, first + num / 2n, false, false],
      [first + num - 1n, first + num - 1n, false, false],
      [first + num, first + num, false, false],
      [first + num, first + num + 1n, true, false],
      [first + num + 1n, first + num + 1n, true, false],
    ];
    cases.forEach(([lo, hi, wpanic, wErrCompacted], i) => {
      let err: unknown;
      try {
        l['mustCheckOutOfBounds'](lo, hi);
      } catch (x) {
        err = x;
      }
      if (wpanic) assert.ok(err !== undefined && !(err instanceof ErrCompacted), `#${i}: panic`);
      else if (wErrCompacted) assert.ok(err instanceof ErrCompacted, `#${i}: ErrCompacted`);
      else assert.equal(err, undefined, `#${i}: unexpected err`);
    });
  });

  test('TestTerm', () => {
    const offset = 100n;
    const num = 100n;
    const storage = new MemoryStorage();
    storage.applySnapshot(snapAt(offset, 1n));
    const l = newLog(storage);
    for (let k = 1n; k < num; k++) l.append([e(offset + k, k)]);
    const cases: Array<[bigint, bigint]> = [
      [offset - 1n, 0n],
      [offset, 1n],
      [offset + num / 2n, num / 2n],
      [offset + num - 1n, num - 1n],
      [offset + num, 0n],
    ];
    cases.forEach(([index, w], j) => assert.equal(l.term(index), w, `#${j}: at`));
  });

  test('TestTermWithUnstableSnapshot', () => {
    const storagesnapi = 100n;
    const unstablesnapi = storagesnapi + 5n;
    const storage = new MemoryStorage();
    storage.applySnapshot(snapAt(storagesnapi, 1n));
    const l = newLog(storage);
    l.restore(snapAt(unstablesnapi, 1n));
    const cases: Array<[bigint, bigint]> = [
      // cannot get term from storage
      [storagesnapi, 0n],
      // cannot get term from the gap between storage ents and unstable snapshot
      [storagesnapi + 1n, 0n],
      [unstablesnapi - 1n, 0n],
      // get term from unstable snapshot index
      [unstablesnapi, 1n],
    ];
    cases.forEach(([index, w], i) => assert.equal(l.term(index), w, `#${i}: at`));
  });

  test('TestSlice', () => {
    const offset = 100n;
    const num = 100n;
    const last = offset + num;
    const half = offset + num / 2n;
    const halfe = entrySize(e(half, half));
    const storage = new MemoryStorage();
    storage.applySnapshot(snapAt(offset, 0n));
    for (let k = 1n; k < num / 2n; k++) storage.append([e(offset + k, offset + k)]);
    const l = newLog(storage);
    for (let k = num / 2n; k < num; k++) l.append([e(offset + k, offset + k)]);
    const ee = (i: bigint) => e(i, i);
    const cases: Array<[bigint, bigint, number, Entry[], boolean]> = [
      // no limit
      [offset - 1n, offset + 1n, Infinity, [], false],
      [offset, offset + 1n, Infinity, [], false],
      [half - 1n, half + 1n, Infinity, [ee(half - 1n), ee(half)], false],
      [half, half + 1n, Infinity, [ee(half)], false],
      [last - 1n, last, Infinity, [ee(last - 1n)], false],
      [last, last + 1n, Infinity, [], true],
      // limit
      [half - 1n, half + 1n, 0, [ee(half - 1n)], false],
      [half - 1n, half + 1n, halfe + 1, [ee(half - 1n)], false],
      [half - 2n, half + 1n, halfe + 1, [ee(half - 2n)], false],
      [half - 1n, half + 1n, halfe * 2, [ee(half - 1n), ee(half)], false],
      [half - 1n, half + 2n, halfe * 3, [ee(half - 1n), ee(half), ee(half + 1n)], false],
      [half, half + 2n, halfe, [ee(half)], false],
      [half, half + 2n, halfe * 2, [ee(half), ee(half + 1n)], false],
    ];
    cases.forEach(([from, to, limit, w, wpanic], j) => {
      let got: Entry[] = [];
      let err: unknown;
      try {
        got = l.slice(from, to, limit);
      } catch (x) {
        err = x;
      }
      if (wpanic) {
        assert.ok(err !== undefined && !(err instanceof ErrCompacted), `#${j}: panic`);
        return;
      }
      if (from <= offset) assert.ok(err instanceof ErrCompacted, `#${j}: ErrCompacted`);
      else assert.equal(err, undefined, `#${j}: unexpected error`);
      assert.deepEqual(got, w, `#${j}: from ${from} to ${to}`);
    });
  });
});
