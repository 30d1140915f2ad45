/**
 * A linearizability checker for the key-value history: Wing & Gong's search
 * with Lowe's memoization of (linearized set, state) pairs, as Porcupine does
 * it, on each key separately (a key-value store is linearizable when each of
 * its keys is, Herlihy & Wing's locality). Each key is a register: put and
 * delete answer the previous value, get the current one, cas whether the
 * value was the expected one (and if not, the value it found). An operation
 * whose outcome is unknown returns at infinity and may answer anything.
 * The search is bounded; a key whose search runs out is reported unknown.
 */
import type { Op, OpOutput } from './workload.js';

export interface LinearizabilityResult {
  /** 'unknown': no violation found, but some key's search ran out of steps. */
  verdict: 'ok' | 'violation' | 'unknown';
  keys: number;
  operations: number;
  /** The first key found not linearizable, and its operations in invocation order. */
  failure?: { key: string; ops: Op[] };
  unknownKeys: string[];
}

/** The register's value: null when the key does not exist. */
type State = string | null;

/** The state after `op` applied to `s`, or undefined if `op` could not have answered what it did. */
export function stepRegister(s: State, op: Op): State | undefined {
  const out: OpOutput | undefined = op.status === 'ok' ? op.output : undefined;
  switch (op.kind) {
    case 'get':
      return out === undefined || out.value === s ? s : undefined;
    case 'put':
      return out === undefined || out.value === s ? op.value! : undefined;
    case 'delete':
      return out === undefined || out.value === s ? null : undefined;
    case 'cas': {
      const holds = s === op.expect;
      if (out === undefined) return holds ? op.value! : s;
      if (out.succeeded) return holds ? op.value! : undefined;
      return !holds && out.value === s ? s : undefined;
    }
  }
}

interface Event {
  op: number;
  call: boolean;
  /** For a call: its return. */
  match?: Event;
  prev?: Event;
  next?: Event;
}

/**
 * Whether one key's history is linearizable. `ops` are the completed and
 * unknown operations on the key; `maxSteps` bounds the search.
 */
export function checkRegister(ops: readonly Op[], maxSteps: number): 'ok' | 'violation' | 'unknown' {
  // Calls before returns at equal times: operations that touch are concurrent, the permissive reading.
  const points: Array<{ t: number; call: boolean; op: number }> = [];
  ops.forEach((op, i) => {
    points.push({ t: op.invokedAt, call: true, op: i });
    points.push({ t: op.completedAt!, call: false, op: i });
  });
  points.sort((a, b) => a.t - b.t || (a.call === b.call ? a.op - b.op : a.call ? -1 : 1));
  const head: Event = { op: -1, call: false };
  let tail = head;
  const calls = new Map<number, Event>();
  for (const p of points) {
    const e: Event = { op: p.op, call: p.call, prev: tail };
    tail.next = e;
    tail = e;
    if (p.call) calls.set(p.op, e);
    else calls.get(p.op)!.match = e;
  }

  const lift = (c: Event): void => {
    c.prev!.next = c.next;
    c.next!.prev = c.prev;
    const r = c.match!;
    r.prev!.next = r.next;
    if (r.next) r.next.prev = r.prev;
  };
  const unlift = (c: Event): void => {
    const r = c.match!;
    r.prev!.next = r;
    if (r.next) r.next.prev = r;
    c.prev!.next = c;
    c.next!.prev = c;
  };

  const linearized = new Uint32Array((ops.length + 31) >>> 5);
  const seen = new Set<string>();
  const memoKey = (s: State): string => `${linearized.join(',')}|${s === null ? '\u0000' : s}`;
  const stack: Array<{ call: Event; state: State }> = [];
  let state: State = null;
  let entry = head.next;
  let steps = 0;
  while (head.next !== undefined) {
    if (++steps > maxSteps) return 'unknown';
    // Never past the end: the list ends with a return, where the search backtracks.
    entry = entry!;
    if (entry.call) {
      const next = stepRegister(state, ops[entry.op]);
      if (next !== undefined) {
        linearized[entry.op >>> 5] |= 1 << (entry.op & 31);
        const key = memoKey(next);
        if (!seen.has(key)) {
          seen.add(key);
          stack.push({ call: entry, state });
          state = next;
          lift(entry);
          entry = head.next;
          continue;
        }
        linearized[entry.op >>> 5] &= ~(1 << (entry.op & 31));
      }
      entry = entry.next;
    } else {
      // An operation returned before any order could place it: undo the last choice.
      const top = stack.pop();
      if (top === undefined) return 'violation';
      state = top.state;
      linearized[top.call.op >>> 5] &= ~(1 << (top.call.op & 31));
      unlift(top.call);
      entry = top.call.next;
    }
  }
  return 'ok';
}

/** Checks every key's history; `maxSteps` bounds each key's search. */
export function checkHistory(ops: readonly Op[], maxSteps = 200_000): LinearizabilityResult {
  const byKey = new Map<string, Op[]>();
  for (const op of ops) {
    let list = byKey.get(op.key);
    if (list === undefined) byKey.set(op.key, (list = []));
    list.push(op);
  }
  const result: LinearizabilityResult = { verdict: 'ok', keys: byKey.size, operations: ops.length, unknownKeys: [] };
  for (const key of [...byKey.keys()].sort()) {
    const list = byKey.get(key)!;
    const v = checkRegister(list, maxSteps);
    if (v === 'violation') return { ...result, verdict: 'violation', failure: { key, ops: list } };
    if (v === 'unknown') {
      result.unknownKeys.push(key);
      result.verdict = 'unknown';
    }
  }
  return result;
}
