/**
 * What restore reads from the store instead of asking the key index by name:
 * after the entries of the fixtures etcd wrote (puts, deletes, txns, lease
 * revokes, compactions), the kept revisions carry the KeyValue keyValueAt
 * gives at each, and liveKeyCount is the count of etcd's range over every key.
 * (A check of walt with walt: the range and keyValueAt are held to etcd by the
 * backend and replay tests.)
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { Scratch } from '../helpers/fixtures.js';
import { replayDataDir } from '../../src/replay/replay.js';
import { resolveDataDir } from '../../src/codec/data-dir.js';
import { keptRevisions, liveKeyCount } from '../../src/state/kept-revisions.js';
import type { EtcdState } from '../../src/state/index.js';

const scratch = new Scratch();
after(() => scratch.remove());

function keptAsKeyValueAt(state: EtcdState): void {
  const store = state.store;
  let n = 0;
  for (const r of keptRevisions(store)) {
    const kv = r.kv;
    if (r.tombstone) {
      assert.deepEqual({ ...kv, key: undefined }, { key: undefined, createRevision: 0n, modRevision: 0n, version: 0n, value: undefined, lease: 0n });
    } else {
      const at = store.keyIndex(kv.key)!.keyValueAt(r.main)!;
      assert.deepEqual({ ...kv, value: Buffer.from(kv.value!) }, { ...at, key: Buffer.from(at.key).toString('latin1'), value: Buffer.from(at.value) });
    }
    n++;
  }
  assert.equal(n, [...store.keptInOrder()].length);
}

for (const [name, member] of [['single', ''], ['cluster3', 'm1'], ['k8s', ''], ['multiseg', '']] as const) {
  test(`${name}: as the entries apply, the kept revisions are keyValueAt's, and liveKeyCount counts the range over every key`, () => {
    const dir = join(scratch.unpack(name), member);
    let entries = 0;
    replayDataDir(resolveDataDir(dir), {
      from: 'wal',
      keepHistory: true,
      onApplied: (state) => {
        // Every entry of the small logs; multiseg's thousands every 16th.
        if (entries++ % (name === 'multiseg' ? 16 : 1) !== 0) return;
        assert.equal(liveKeyCount(state.store), state.range(new Uint8Array(), new Uint8Array([0]), { countOnly: true }).count);
        keptAsKeyValueAt(state);
      },
    });
    assert.ok(entries > 5, `${entries} entries`);
  });
}
