/**
 * Running one step of the fault schedule against the cluster: cutting and
 * healing links, crashing and restarting members, membership changes,
 * leadership transfers, disk stalls and network fault rates. Targets named
 * `leader` or `follower` are resolved now; a step that has nothing to act on
 * (no leader to crash) is skipped and says so in the timeline.
 */
import type { Cut, SimNetwork } from './network.js';
import type { MemberChange } from './reconfig.js';
import { faultKind, type FaultKind, type ScenarioStep, type Target } from './scenario.js';
import { ELECTION_TICK } from './node.js';

/** What a fault step needs from the cluster. */
export interface FaultPort {
  readonly tickMs: number;
  readonly net: SimNetwork;
  /** A member that is up, by number, or the leader, or a random follower. */
  resolve(t: Target): number | undefined;
  isDown(k: number): boolean;
  crash(k: number, torn: boolean, downTicks: number | undefined): void;
  restart(k: number): void;
  reconfigure(change: MemberChange): void;
  /** The leader and the voters that are up and could take over from it. */
  transferCandidates(): { leader: number; voters: number[] } | undefined;
  transfer(from: number, to: number): void;
  stall(k: number, ticks: number): void;
  later(afterMs: number, run: () => void): void;
  pick(xs: number[]): number;
  /** A fault that happened: counted, and on the timeline. */
  fault(kind: FaultKind, text: string, node?: number): void;
  event(text: string, node?: number): void;
}


export function runStep(p: FaultPort, step: ScenarioStep): void {
  const kind = faultKind(step);
  const lasts = step.for === undefined ? '' : ` for ${step.for} ticks`;
  const record = (text: string, node?: number) => p.fault(kind, text, node);
  const skipped = (why: string) => p.event(`skipped ${kind}: ${why}`);
  const cut = (c: Cut, text: string, node?: number) => {
    const h = p.net.cut(c);
    record(text + lasts, node);
    if (step.for === undefined) return;
    p.later(step.for * p.tickMs, () => {
      p.net.restore(h);
      p.event(`healed: ${text}`, node);
    });
  };
  if ('partition' in step) {
    cut({ kind: 'groups', groups: step.partition }, `partition ${step.partition.map((g) => `{${g.join(',')}}`).join(' | ')}`);
  } else if ('asymmetric' in step) {
    cut({ kind: 'oneWay', from: step.asymmetric.from, to: step.asymmetric.to }, `one-way cut {${step.asymmetric.from}} -> {${step.asymmetric.to}}`);
  } else if ('isolate' in step) {
    const k = p.resolve(step.isolate);
    if (k === undefined) return skipped(`no ${step.isolate} to isolate`);
    cut({ kind: 'isolate', node: k }, `isolate node ${k}${step.isolate === 'leader' ? ' (the leader)' : ''}`, k);
  } else if ('heal' in step) {
    p.net.heal();
    record('heal every partition');
  } else if ('crash' in step) {
    const k = p.resolve(step.crash);
    if (k === undefined) return skipped(`no ${step.crash} to crash`);
    record(`${step.torn ? 'torn-write crash' : 'crash'} of node ${k}${step.crash === 'leader' ? ' (the leader)' : ''}${step.for ? `, restart after ${step.for} ticks` : ''}`, k);
    p.crash(k, step.torn === true, step.for);
  } else if ('restart' in step) {
    if (!p.isDown(step.restart)) return skipped(`node ${step.restart} is not down`);
    record(`restart node ${step.restart}`, step.restart);
    p.restart(step.restart);
  } else if ('addLearner' in step) {
    record('add a learner');
    p.reconfigure({ kind: 'addLearner' });
  } else if ('promote' in step) {
    record(`promote ${step.promote === 'learner' ? 'a learner' : `node ${step.promote}`}`);
    p.reconfigure({ kind: 'promote', target: step.promote });
  } else if ('remove' in step) {
    record(`remove ${typeof step.remove === 'number' ? `node ${step.remove}` : `a ${step.remove}`}`);
    p.reconfigure({ kind: 'remove', target: step.remove });
  } else if ('transferLeader' in step) {
    const c = p.transferCandidates();
    if (c === undefined) return skipped('no leader');
    const to = step.transferLeader === 'any' ? (c.voters.length > 0 ? p.pick(c.voters) : undefined) : step.transferLeader;
    if (to === undefined || !c.voters.includes(to)) return skipped('no voter to transfer to');
    record(`transfer leadership from node ${c.leader} to node ${to}`, c.leader);
    p.transfer(c.leader, to);
  } else if ('diskStall' in step) {
    const k = p.resolve(step.diskStall);
    if (k === undefined) return skipped(`no ${step.diskStall} to stall`);
    record(`disk stall on node ${k}${lasts}`, k);
    // Without `for`, one election timeout.
    p.stall(k, step.for ?? ELECTION_TICK);
  } else {
    p.net.rates = { ...p.net.rates, ...step.rates };
    record(`network rates ${JSON.stringify(p.net.rates)}`);
  }
}
