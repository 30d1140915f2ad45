/**
 * The interaction harness's commands (rafttest/interaction_env_handler*.go):
 * one datadriven directive in, its output out. Errors from raft and storage
 * go into the output; a malformed directive fails the test.
 */
import assert from 'node:assert/strict';
import { ConfChangeTransition, type ConfChange, type ConfChangeV2 } from '../../../src/codec/proto/raftpb.js';
import type { CmdArg, TestData } from './datadriven.js';
import { confChangesFromString } from './describe.js';
import { HarnessError, bootstrapSnapshot, raftErrorMessage, type InteractionEnv, type Recipient } from './interaction-env.js';
import { LEVEL_NONE, levelNames } from './logger.js';

const firstAsInt = (d: TestData): number => Number(d.cmdArgs[0].key);
const firstAsNodeIdx = (d: TestData): number => firstAsInt(d) - 1;
/** The arguments without values, as node indexes. */
const nodeIdxs = (d: TestData): number[] => d.cmdArgs.filter((a) => a.vals.length === 0).map((a) => Number(a.key) - 1);

const uint64 = (d: TestData, a: CmdArg, v: string): bigint => {
  assert.match(v, /^[0-9]+$/, `${d.pos}: ${a.key}=${v} is not a uint64`);
  return BigInt(v);
};

/** Runs one directive and returns what etcd's harness prints for it. */
export function handle(env: InteractionEnv, d: TestData): string {
  env.output.out = '';
  let err: string | undefined;
  try {
    run(env, d);
  } catch (e) {
    err = e instanceof HarnessError ? e.message : raftErrorMessage(e);
  }
  if (err !== undefined) env.write(err);
  if (env.output.out === '') return 'ok';
  // The quietest level silences the harness too, errors aside.
  if (env.output.level === LEVEL_NONE) return err ?? 'ok (quiet)';
  return env.output.out;
}

function run(env: InteractionEnv, d: TestData): void {
  switch (d.cmd) {
    case '_breakpoint':
      return;
    case 'add-nodes': {
      const voters: bigint[] = [];
      const learners: bigint[] = [];
      let index = 0n;
      let content: Uint8Array | undefined;
      for (const a of d.cmdArgs.slice(1)) {
        for (const v of a.vals) {
          if (a.key === 'voters') voters.push(uint64(d, a, v));
          else if (a.key === 'learners') learners.push(uint64(d, a, v));
          else if (a.key === 'index') index = uint64(d, a, v);
          else if (a.key === 'content') content = new TextEncoder().encode(v);
        }
      }
      env.addNodes(firstAsInt(d), bootstrapSnapshot(voters, learners, index, content));
      return;
    }
    case 'campaign':
      env.nodes[firstAsNodeIdx(d)].rawNode.campaign();
      return;
    case 'compact':
      env.compact(firstAsNodeIdx(d), uint64(d, d.cmdArgs[1], d.cmdArgs[1].key));
      return;
    case 'deliver-msgs': {
      const rs: Recipient[] = [];
      for (const a of d.cmdArgs) {
        if (a.vals.length === 0) rs.push({ id: uint64(d, a, a.key) });
        for (const v of a.vals) {
          if (a.key !== 'drop') continue;
          const id = uint64(d, a, v);
          assert.ok(!rs.some((r) => r.id === id), `${d.pos}: can't both deliver and drop msgs to ${id}`);
          rs.push({ id, drop: true });
        }
      }
      if (env.deliverMsgs(...rs) === 0) env.write('no messages\n');
      return;
    }
    case 'process-ready': {
      const idxs = nodeIdxs(d);
      for (const idx of idxs) {
        if (idxs.length > 1) {
          env.write(`> ${idx + 1} handling Ready\n`);
          env.withIndent(() => env.processReady(idx));
        } else {
          env.processReady(idx);
        }
      }
      return;
    }
    case 'log-level': {
      const i = levelNames.findIndex((n) => n.toLowerCase() === d.cmdArgs[0].key.toLowerCase());
      if (i < 0) throw new HarnessError(`log levels must be either of [${levelNames.join(' ')}]`);
      env.output.level = i;
      return;
    }
    case 'raft-log':
      env.raftLog(firstAsNodeIdx(d));
      return;
    case 'stabilize':
      env.stabilize(...nodeIdxs(d));
      return;
    case 'status':
      env.status(firstAsNodeIdx(d));
      return;
    case 'tick-heartbeat': {
      const node = env.nodes[firstAsNodeIdx(d)];
      for (let i = 0; i < node.config.heartbeatTick; i++) node.rawNode.tick();
      return;
    }
    case 'propose':
      assert.ok(d.cmdArgs.length === 2 && d.cmdArgs[1].vals.length === 0, `${d.pos}: expected exactly one key with no vals`);
      env.nodes[firstAsNodeIdx(d)].rawNode.propose(new TextEncoder().encode(d.cmdArgs[1].key));
      return;
    case 'propose-conf-change':
      env.nodes[firstAsNodeIdx(d)].rawNode.proposeConfChange(confChangeOf(d));
      return;
    default:
      throw new HarnessError('unknown command');
  }
}

/** propose-conf-change's conf change: v1=true for a ConfChange, else a ConfChangeV2 with transition=auto|implicit|explicit. */
function confChangeOf(d: TestData): ConfChange | ConfChangeV2 {
  let v1 = false;
  let transition = ConfChangeTransition.ConfChangeTransitionAuto;
  const transitions: Record<string, ConfChangeTransition> = {
    auto: ConfChangeTransition.ConfChangeTransitionAuto,
    implicit: ConfChangeTransition.ConfChangeTransitionJointImplicit,
    explicit: ConfChangeTransition.ConfChangeTransitionJointExplicit,
  };
  for (const a of d.cmdArgs.slice(1)) {
    for (const v of a.vals) {
      if (a.key === 'v1') v1 = v === 'true' || v === '1' || v === 't' || v === 'T' || v === 'TRUE' || v === 'True';
      else if (a.key === 'transition') {
        if (!(v in transitions)) throw new HarnessError(`unknown transition ${v}`);
        transition = transitions[v];
      } else throw new HarnessError(`unknown command ${a.key}`);
    }
  }
  let ccs;
  try {
    ccs = confChangesFromString(d.input);
  } catch (e) {
    throw new HarnessError((e as Error).message);
  }
  if (!v1) return { transition, changes: ccs };
  if (ccs.length > 1 || transition !== ConfChangeTransition.ConfChangeTransitionAuto) {
    throw new HarnessError('v1 conf change can only have one operation and no transition');
  }
  return { id: 0n, type: ccs[0].type, nodeId: ccs[0].nodeId };
}
