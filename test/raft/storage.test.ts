/** MemoryStorage, case for case after etcd's raft/storage_test.go. */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Entry } from '../../src/codec/proto/raftpb.js';
import { ErrCompacted, ErrSnapOutOfDate, ErrUnavailable, MemoryStorage, entrySize } from '../../src/raft/index.js';

const ent = (index: number, term: number): Entry => ({ index: BigInt(index), term: BigInt(term), type: 0, data: undefined });
const cs = { voters: [1n, 2n, 3n], learners: [], votersOutgoing: [], learnersNext: [], autoLeave: false };
const data = new TextEncoder().encode('data');

/** etcd's `MemoryStorage{ents: ...}`: the first entry is the dummy at the compaction point. */
function storageWith(ents: Entry[]): MemoryStorage {
  const s = new MemoryStorage();
  s.applySnapshot({ data: undefined, metadata: { index: ents[0].index, term: ents[0].term, confState: cs } });
  s.append(ents.slice(1));
  return s;
}

/** The storage's log including its dummy entry, as (index, term) pairs. */
function dump(s: MemoryStorage): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  for (let i = s.firstIndex() - 1n; i <= s.lastIndex(); i++) out.push([Number(i), Number(s.term(i))]);
  return out;
}

const ents345 = (): Entry[] => [ent(3, 3), ent(4, 4), ent(5, 5)];

describe('MemoryStorage', () => {
  test('term: compacted below the dummy, unavailable past the end', () => {
    const s = storageWith(ents345());
    assert.throws(() => s.term(2n), ErrCompacted);
    assert.equal(s.term(3n), 3n);
    assert.equal(s.term(4n), 4n);
    assert.equal(s.term(5n), 5n);
    assert.throws(() => s.term(6n), ErrUnavailable);
  });

  test('entries: compaction, ranges and maxSize', () => {
    const ents = [ent(3, 3), ent(4, 4), ent(5, 5), ent(6, 6)];
    const s = storageWith(ents);
    const size = (i: number) => entrySize(ents[i]);
    const idx = (es: Entry[]) => es.map((e) => Number(e.index));
    assert.throws(() => s.entries(2n, 6n, Infinity), ErrCompacted);
    // lo at the dummy entry is compacted too: only its term survives.
    assert.throws(() => s.entries(3n, 4n, Infinity), ErrCompacted);
    assert.deepEqual(idx(s.entries(4n, 5n, Infinity)), [4]);
    assert.deepEqual(idx(s.entries(4n, 6n, Infinity)), [4, 5]);
    assert.deepEqual(idx(s.entries(4n, 7n, Infinity)), [4, 5, 6]);
    // Even with maxSize 0 the first entry is returned.
    assert.deepEqual(idx(s.entries(4n, 7n, 0)), [4]);
    assert.deepEqual(idx(s.entries(4n, 7n, size(1) + size(2))), [4, 5]);
    assert.deepEqual(idx(s.entries(4n, 7n, size(1) + size(2) + size(3) / 2)), [4, 5]);
    assert.deepEqual(idx(s.entries(4n, 7n, size(1) + size(2) + size(3) - 1)), [4, 5]);
    assert.deepEqual(idx(s.entries(4n, 7n, size(1) + size(2) + size(3))), [4, 5, 6]);
  });

  test('entries: only the dummy entry means unavailable', () => {
    const s = storageWith([ent(3, 3)]);
    assert.throws(() => s.entries(4n, 4n, Infinity), ErrUnavailable);
  });

  test('entrySize is the protobuf encoded size', () => {
    // type, term and index tags + one-byte varints: 6 bytes; a 300-byte payload adds tag, 2-byte length, data.
    assert.equal(entrySize(ent(4, 4)), 6);
    assert.equal(entrySize({ index: 1n << 40n, term: 1n, type: 0, data: new Uint8Array(300) }), 2 + 2 + 7 + 1 + 2 + 300);
  });

  test('lastIndex follows appends', () => {
    const s = storageWith(ents345());
    assert.equal(s.lastIndex(), 5n);
    s.append([ent(6, 5)]);
    assert.equal(s.lastIndex(), 6n);
  });

  test('firstIndex follows compaction', () => {
    const s = storageWith(ents345());
    assert.equal(s.firstIndex(), 4n);
    s.compact(4n);
    assert.equal(s.firstIndex(), 5n);
  });

  test('compact', () => {
    const cases: Array<{ i: number; err?: typeof ErrCompacted; dummy: [number, number]; len: number }> = [
      { i: 2, err: ErrCompacted, dummy: [3, 3], len: 3 },
      { i: 3, err: ErrCompacted, dummy: [3, 3], len: 3 },
      { i: 4, dummy: [4, 4], len: 2 },
      { i: 5, dummy: [5, 5], len: 1 },
    ];
    for (const c of cases) {
      const s = storageWith(ents345());
      if (c.err) assert.throws(() => s.compact(BigInt(c.i)), c.err);
      else s.compact(BigInt(c.i));
      const d = dump(s);
      assert.deepEqual(d[0], c.dummy, `compact(${c.i})`);
      assert.equal(d.length, c.len, `compact(${c.i})`);
    }
  });

  test('createSnapshot', () => {
    for (const i of [4, 5]) {
      const s = storageWith(ents345());
      const snap = s.createSnapshot(BigInt(i), cs, data);
      assert.deepEqual(snap, { data, metadata: { index: BigInt(i), term: BigInt(i), confState: cs } });
      assert.deepEqual(s.snapshot(), snap);
    }
    const s = storageWith(ents345());
    assert.throws(() => s.createSnapshot(3n, cs, data), ErrSnapOutOfDate);
    // Without a ConfState the previous one is kept.
    assert.deepEqual(s.createSnapshot(5n, undefined, data).metadata.confState, cs);
  });

  test('append: overlapping, truncating, compacted and direct', () => {
    const cases: Array<{ name: string; in: Entry[]; want: Array<[number, number]> }> = [
      { name: 'all compacted', in: [ent(1, 1), ent(2, 2)], want: [[3, 3], [4, 4], [5, 5]] },
      { name: 'identical', in: [ent(3, 3), ent(4, 4), ent(5, 5)], want: [[3, 3], [4, 4], [5, 5]] },
      { name: 'conflicting terms replace', in: [ent(3, 3), ent(4, 6), ent(5, 6)], want: [[3, 3], [4, 6], [5, 6]] },
      { name: 'extends', in: [ent(3, 3), ent(4, 4), ent(5, 5), ent(6, 5)], want: [[3, 3], [4, 4], [5, 5], [6, 5]] },
      // Truncate the incoming entries at the compaction point, then the existing ones, then append.
      { name: 'truncate both', in: [ent(2, 3), ent(3, 3), ent(4, 5)], want: [[3, 3], [4, 5]] },
      { name: 'truncate existing', in: [ent(4, 5)], want: [[3, 3], [4, 5]] },
      { name: 'direct append', in: [ent(6, 5)], want: [[3, 3], [4, 4], [5, 5], [6, 5]] },
    ];
    for (const c of cases) {
      const s = storageWith(ents345());
      s.append(c.in);
      assert.deepEqual(dump(s), c.want, c.name);
    }
  });

  test('append with a gap is refused', () => {
    const s = storageWith(ents345());
    assert.throws(() => s.append([ent(7, 5)]), /missing log entry/);
  });

  test('entries returns a copy the storage does not share', () => {
    const s = storageWith(ents345());
    const got = s.entries(4n, 6n, Infinity);
    s.append([ent(4, 9)]);
    assert.deepEqual(
      got.map((e) => e.term),
      [4n, 5n],
    );
  });

  test('applySnapshot replaces the log and refuses older snapshots', () => {
    const s = new MemoryStorage();
    s.applySnapshot({ data, metadata: { index: 4n, term: 4n, confState: cs } });
    assert.deepEqual(dump(s), [[4, 4]]);
    assert.deepEqual(s.initialState().confState, cs);
    assert.throws(() => s.applySnapshot({ data, metadata: { index: 3n, term: 3n, confState: cs } }), ErrSnapOutOfDate);
  });

  test('errors carry stable codes', () => {
    assert.equal(new ErrCompacted().code, 'COMPACTED');
    assert.equal(new ErrUnavailable().code, 'UNAVAILABLE');
    assert.equal(new ErrSnapOutOfDate().code, 'SNAP_OUT_OF_DATE');
  });
});
