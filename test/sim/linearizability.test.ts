/**
 * The linearizability checker on hand-made histories of one key: it accepts
 * what a register could have done (concurrent operations in either order,
 * outcomes unknown), and rejects a stale read, a lost write and a cas that
 * saw a value no order explains.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { checkHistory, checkRegister } from '../../src/sim/linearizability.js';
import type { Op, OpKind, OpOutput } from '../../src/sim/workload.js';

let next = 0;
/** An operation on key k invoked at `call` and answered at `ret` (Infinity: outcome unknown). */
function op(kind: OpKind, call: number, ret: number, out?: Partial<OpOutput> | null, args: { value?: string; expect?: string; key?: string } = {}): Op {
  const id = next++;
  return {
    id,
    kind,
    key: args.key ?? 'k',
    value: args.value,
    expect: args.expect,
    node: 1,
    reqId: BigInt(id),
    invokedAt: call,
    completedAt: ret,
    status: ret === Infinity ? 'unknown' : 'ok',
    output: ret === Infinity || out === undefined ? undefined : { value: null, ...out },
  };
}
const put = (call: number, ret: number, value: string, prev: string | null) => op('put', call, ret, { value: prev }, { value });
const get = (call: number, ret: number, value: string | null) => op('get', call, ret, { value });

describe('linearizability checker', () => {
  test('accepts sequential histories', () => {
    assert.equal(checkRegister([put(0, 1, 'a', null), get(2, 3, 'a'), put(4, 5, 'b', 'a'), get(6, 7, 'b')], 1e5), 'ok');
  });

  test('accepts concurrent operations in the order that explains them', () => {
    // The get overlaps both puts and saw the second value: put a, put b, get b.
    assert.equal(checkRegister([put(0, 10, 'a', null), put(1, 11, 'b', 'a'), get(2, 12, 'b')], 1e5), 'ok');
    // Concurrent puts whose prev values say b went first.
    assert.equal(checkRegister([put(0, 10, 'a', 'b'), put(0, 10, 'b', null), get(11, 12, 'a')], 1e5), 'ok');
  });

  test('rejects a stale read', () => {
    // The put of b finished before the get began, yet the get saw a.
    const h = [put(0, 1, 'a', null), put(2, 3, 'b', 'a'), get(4, 5, 'a')];
    assert.equal(checkRegister(h, 1e5), 'violation');
    const r = checkHistory(h);
    assert.equal(r.verdict, 'violation');
    assert.equal(r.failure?.key, 'k');
  });

  test('rejects a write that was acknowledged and then lost', () => {
    assert.equal(checkRegister([put(0, 1, 'a', null), get(2, 3, null)], 1e5), 'violation');
  });

  test('an unknown outcome may have taken effect, at any time after its invocation', () => {
    assert.equal(checkRegister([put(0, Infinity, 'a', null), get(5, 6, null), get(7, 8, 'a')], 1e5), 'ok');
    // ... but not before it was invoked.
    assert.equal(checkRegister([get(0, 1, 'a'), put(2, Infinity, 'a', null)], 1e5), 'violation');
  });

  test('cas succeeds only on the expected value, and a failed cas reports the value it found', () => {
    const cas = (call: number, ret: number, expect: string, value: string, succeeded: boolean, found: string | null) =>
      op('cas', call, ret, { succeeded, value: found }, { expect, value });
    assert.equal(checkRegister([put(0, 1, 'a', null), cas(2, 3, 'a', 'b', true, null), get(4, 5, 'b')], 1e5), 'ok');
    assert.equal(checkRegister([put(0, 1, 'a', null), cas(2, 3, 'x', 'b', false, 'a'), get(4, 5, 'a')], 1e5), 'ok');
    assert.equal(checkRegister([put(0, 1, 'a', null), cas(2, 3, 'a', 'b', false, 'a')], 1e5), 'violation');
    assert.equal(checkRegister([put(0, 1, 'a', null), cas(2, 3, 'x', 'b', true, null)], 1e5), 'violation');
  });

  test('delete answers the previous value and leaves the key absent', () => {
    const del = (call: number, ret: number, prev: string | null) => op('delete', call, ret, { value: prev });
    assert.equal(checkRegister([put(0, 1, 'a', null), del(2, 3, 'a'), get(4, 5, null)], 1e5), 'ok');
    assert.equal(checkRegister([put(0, 1, 'a', null), del(2, 3, null)], 1e5), 'violation');
  });

  test('keys are checked separately', () => {
    const a = put(0, 1, 'a', null);
    const b = op('put', 0, 1, { value: null }, { value: 'b', key: 'other' });
    const r = checkHistory([a, b, get(2, 3, 'a'), op('get', 2, 3, { value: 'b' }, { key: 'other' })]);
    assert.equal(r.verdict, 'ok');
    assert.equal(r.keys, 2);
  });

  test('a search that runs out of steps says so instead of guessing', () => {
    // Many concurrent unknown writes: more orders than two steps can try.
    const h = [...Array.from({ length: 8 }, (_, i) => put(0, Infinity, `v${i}`, null)), get(1, 2, 'v7')];
    assert.equal(checkRegister(h, 2), 'unknown');
    assert.equal(checkRegister(h, 1e6), 'ok');
  });
});
