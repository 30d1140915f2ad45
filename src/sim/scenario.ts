/**
 * The fault schedule: a list of steps, each at a tick, read from a scenario
 * file or generated from the seed and the fault counts. Nodes are named by
 * their number (node-K); `leader` and `follower` are resolved when the step
 * runs. A step with `for` undoes itself that many ticks later (heals its
 * partition, restarts the node it crashed, ends the stall).
 *
 *   {"steps": [
 *     {"at": 20, "partition": [[1, 2], [3]], "for": 30},
 *     {"at": 60, "crash": "leader", "torn": true, "for": 15},
 *     {"at": 90, "addLearner": true}, {"at": 120, "promote": "learner"},
 *     {"at": 150, "transferLeader": "any"}, {"at": 170, "rates": {"drop": 0.1}}
 *   ]}
 */
import type { FaultRates } from './options.js';
import type { Prng } from './prng.js';

export type Target = number | 'leader' | 'follower';

export type Fault =
  | { partition: number[][] }
  | { asymmetric: { from: number[]; to: number[] } }
  | { isolate: Target }
  | { heal: true }
  | { crash: Target; torn?: boolean }
  | { restart: number }
  | { addLearner: true }
  | { promote: number | 'learner' }
  | { remove: Target }
  | { transferLeader: number | 'any' }
  | { diskStall: Target }
  | { rates: Partial<FaultRates> };

export type ScenarioStep = Fault & { at: number; for?: number };

export const FAULT_KINDS = [
  'partition',
  'asymmetric',
  'isolate',
  'heal',
  'crash',
  'restart',
  'addLearner',
  'promote',
  'remove',
  'transferLeader',
  'diskStall',
  'rates',
] as const;

export type FaultKind = (typeof FAULT_KINDS)[number];

export const faultKind = (s: Fault): FaultKind => FAULT_KINDS.find((k) => k in s)!;

/** A scenario file that does not say what it must. */
export class ScenarioError extends Error {
  readonly code = 'BAD_SCENARIO';
  constructor(message: string) {
    super(message);
    this.name = 'ScenarioError';
  }
}

const isNode = (v: unknown): v is number => Number.isInteger(v) && (v as number) >= 1;
const isTarget = (v: unknown): v is Target => isNode(v) || v === 'leader' || v === 'follower';
const isGroup = (v: unknown): v is number[] => Array.isArray(v) && v.length > 0 && v.every(isNode);
const RATE_NAMES = ['drop', 'delay', 'duplicate', 'reorder'];

/** Parses and checks a scenario file's text: `{"steps": [...]}` or the bare list. */
export function parseScenario(text: string): ScenarioStep[] {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    throw new ScenarioError(`not JSON: ${(e as Error).message}`);
  }
  const steps = Array.isArray(doc) ? doc : (doc as { steps?: unknown })?.steps;
  if (!Array.isArray(steps)) throw new ScenarioError('expected {"steps": [...]} or a list of steps');
  return steps.map((s, i) => checkStep(s, i)).sort((a, b) => a.at - b.at);
}

function checkStep(s: unknown, i: number): ScenarioStep {
  const bad = (why: string): never => {
    throw new ScenarioError(`step ${i + 1} (${JSON.stringify(s)}): ${why}`);
  };
  if (typeof s !== 'object' || s === null) bad('not an object');
  const o = s as Record<string, unknown>;
  if (!Number.isInteger(o.at) || (o.at as number) < 0) bad('"at" must be a tick number ≥ 0');
  if (o.for !== undefined && (!Number.isInteger(o.for) || (o.for as number) < 1)) bad('"for" must be a number of ticks ≥ 1');
  const kinds = FAULT_KINDS.filter((k) => k in o);
  if (kinds.length !== 1) bad(`needs exactly one of ${FAULT_KINDS.join(', ')}`);
  const v = o[kinds[0]];
  const ok: Record<FaultKind, () => boolean> = {
    partition: () => Array.isArray(v) && v.length >= 2 && v.every(isGroup),
    asymmetric: () => isGroup((v as { from?: unknown })?.from) && isGroup((v as { to?: unknown })?.to),
    isolate: () => isTarget(v),
    heal: () => v === true,
    crash: () => isTarget(v) && (o.torn === undefined || typeof o.torn === 'boolean'),
    restart: () => isNode(v),
    addLearner: () => v === true,
    promote: () => isNode(v) || v === 'learner',
    remove: () => isTarget(v),
    transferLeader: () => isNode(v) || v === 'any',
    diskStall: () => isTarget(v),
    rates: () =>
      typeof v === 'object' && v !== null && Object.entries(v).every(([k, r]) => RATE_NAMES.includes(k) && typeof r === 'number' && r >= 0 && r <= 1),
  };
  if (!ok[kinds[0]]()) bad(`bad value for "${kinds[0]}"`);
  return o as unknown as ScenarioStep;
}

/** How many of each scheduled fault a generated run gets. */
export interface FaultCounts {
  partitions: number;
  crashes: number;
  tornCrashes: number;
  membershipChanges: number;
  diskStalls: number;
  leaderTransfers: number;
}

export interface ScheduleOptions extends FaultCounts {
  ticks: number;
  electionTick: number;
  /** The members at start (voters and learners): node-1 … node-N. */
  members: number;
}

/**
 * A random schedule with the requested number of each fault, spread over the
 * run after a first leader has had time to form and ending early enough for
 * the cluster to recover before the end.
 */
export function generateSchedule(o: ScheduleOptions, rng: Prng): ScenarioStep[] {
  const e = o.electionTick;
  const lo = Math.min(2 * e, o.ticks);
  const hi = Math.max(lo, o.ticks - 3 * e);
  const at = () => rng.range(lo, hi);
  const lasting = () => rng.range(e, 4 * e);
  const someNode = () => rng.range(1, o.members);
  const target = (): Target => rng.pick<() => Target>([() => 'leader', () => 'follower', someNode])();
  const steps: ScenarioStep[] = [];
  for (let i = 0; i < o.partitions; i++) {
    const kind = rng.int(3);
    if (kind === 0 && o.members > 1) {
      const nodes = Array.from({ length: o.members }, (_, j) => j + 1);
      for (let j = nodes.length - 1; j > 0; j--) {
        const r = rng.int(j + 1);
        [nodes[j], nodes[r]] = [nodes[r], nodes[j]];
      }
      const cut = rng.range(1, nodes.length - 1);
      steps.push({ at: at(), for: lasting(), partition: [nodes.slice(0, cut), nodes.slice(cut)] });
    } else if (kind === 1 && o.members > 1) {
      const from = someNode();
      const to = Array.from({ length: o.members }, (_, j) => j + 1).filter((k) => k !== from);
      steps.push({ at: at(), for: lasting(), asymmetric: { from: [from], to } });
    } else {
      steps.push({ at: at(), for: lasting(), isolate: 'leader' });
    }
  }
  for (let i = 0; i < o.crashes + o.tornCrashes; i++) {
    steps.push({ at: at(), for: rng.range(1, 3 * e), crash: target(), ...(i >= o.crashes ? { torn: true } : {}) });
  }
  // Membership changes come in the order an operator makes them: add a learner, promote it, remove a member.
  for (let i = 0; i < o.membershipChanges; i++) {
    const when = lo + Math.floor(((i + 1) * (hi - lo)) / (o.membershipChanges + 1));
    const change: Fault = [{ addLearner: true } as const, { promote: 'learner' } as const, { remove: rng.pick<Target>(['leader', 'follower']) }][i % 3];
    steps.push({ at: when, ...change });
  }
  for (let i = 0; i < o.diskStalls; i++) steps.push({ at: at(), for: rng.range(2, 2 * e), diskStall: target() });
  for (let i = 0; i < o.leaderTransfers; i++) steps.push({ at: at(), transferLeader: 'any' });
  return steps.sort((a, b) => a.at - b.at);
}
