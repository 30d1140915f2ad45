/**
 * The key space's value store: every value reads back as written, however its
 * bytes moved, and what it holds follows the live values, not the writes.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ValueSlabs, type ValueRef } from '../../src/state/value-slabs.js';

const valueOf = (i: number, len: number) => Buffer.alloc(len, `value-${i}-`);

/**
 * 10,000 keys written over and over with values from 1 byte to 3 KB, a few of
 * them never again: each slab ends up with survivors, which must be moved, not
 * keep the slab. `inPlace`: each key's one ref is released and filled again,
 * as a store without history rewrites a key's revision (KeyIndex.overwrite).
 */
function churn(inPlace: boolean): void {
  const slabs = new ValueSlabs();
  const live = new Map<number, { ref: ValueRef; len: number }>();
  let liveBytes = 0;
  for (let i = 0; i < 200_000; i++) {
    const key = i < 100 ? 1_000_000 + i : i % 10_000;
    const len = 1 + ((i * 7919) % 3000);
    const old = live.get(key);
    if (old) {
      slabs.release(old.ref);
      liveBytes -= old.len;
    }
    live.set(key, { ref: inPlace && old ? slabs.put(valueOf(i, len), old.ref) : slabs.put(valueOf(i, len)), len });
    liveBytes += len;
    if (i % 20_000 === 0) assert.ok(slabs.heldBytes <= 2 * liveBytes + 2 * (1 << 20), `at ${i}: ${slabs.heldBytes} bytes held for ${liveBytes} live`);
  }
  for (const [key, { ref, len }] of live) {
    const i = key >= 1_000_000 ? key - 1_000_000 : 190_000 + key;
    assert.deepEqual(ref.view(), valueOf(i, len), `key ${key}`);
    assert.equal(ref.latin1(), valueOf(i, len).toString('latin1'));
  }
}

test('values read back as written while slabs are emptied and refilled, and memory follows the live values', () => churn(false));

test('a ref released and filled again (a key rewritten in place) reads back its last value, and memory still follows the live values', () => churn(true));

test('a value bigger than a quarter slab has a slab of its own, given back when released', () => {
  const slabs = new ValueSlabs();
  const before = slabs.heldBytes;
  const big = slabs.put(Buffer.alloc(3 << 20, 'x'));
  assert.equal(slabs.heldBytes, before + (3 << 20));
  assert.equal(big.view().length, 3 << 20);
  slabs.release(big);
  assert.equal(slabs.heldBytes, before);
});

test('with a spill directory, full slabs go to an unlinked file: values read back as written, small and big, and memory holds one slab', () => {
  const dir = mkdtempSync(join(tmpdir(), 'walt-slabs-'));
  const slabs = new ValueSlabs({ spillDir: dir });
  try {
    const refs: ValueRef[] = [];
    // 8 MB of 2 KB values, a 1 MB value among them, some released on the way.
    for (let i = 0; i < 4000; i++) {
      refs.push(slabs.put(valueOf(i, i === 1000 ? 1 << 20 : 2048)));
      if (i % 3 === 0 && i > 0) slabs.release(refs[i - 1]);
    }
    assert.equal(slabs.heldBytes, 1 << 20, 'one slab in memory');
    assert.deepEqual(readdirSync(dir), [], 'the file has no name');
    for (let i = 0; i < refs.length; i++) {
      if ((i + 1) % 3 === 0 && i + 1 < refs.length) continue;
      const len = i === 1000 ? 1 << 20 : 2048;
      assert.deepEqual(refs[i].view(), valueOf(i, len), `value ${i}`);
      assert.equal(refs[i].latin1(), valueOf(i, len).toString('latin1'), `value ${i}`);
    }
  } finally {
    slabs.close();
    rmSync(dir, { recursive: true });
  }
});
