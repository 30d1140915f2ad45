/**
 * Shrinking a failing fault schedule. Steps after the violation never ran,
 * so they go first, for free. Then, as in delta debugging (Zeller's ddmin),
 * chunks of steps are dropped, halves first, then quarters, down to single
 * steps, and each network fault rate is zeroed; a change is kept when the
 * same check still fails. Passes repeat until one changes nothing or the
 * reruns run out.
 */
import type { FaultRates } from './options.js';
import type { ScenarioStep } from './scenario.js';
import type { Violation } from './checks.js';

export interface ShrinkResult {
  steps: ScenarioStep[];
  rates: FaultRates;
  /** The violation the shrunk schedule shows. */
  violation: Violation;
  runs: number;
}

/**
 * `rerun` runs the simulation with a candidate schedule and returns its first
 * violation, if any; `tickMs` turns the violation's time into a tick.
 */
export function shrinkSchedule(
  steps: ScenarioStep[],
  rates: FaultRates,
  violation: Violation,
  tickMs: number,
  maxRuns: number,
  rerun: (steps: ScenarioStep[], rates: FaultRates) => Violation | undefined,
): ShrinkResult {
  const lastTick = Math.floor(violation.timeMs / tickMs);
  let best: ShrinkResult = { steps: steps.filter((s) => s.at <= lastTick), rates, violation, runs: 0 };
  const attempt = (cand: ScenarioStep[], candRates: FaultRates): boolean => {
    best.runs++;
    const v = rerun(cand, candRates);
    if (v === undefined || v.check !== violation.check) return false;
    best = { steps: cand, rates: candRates, violation: v, runs: best.runs };
    return true;
  };
  for (let changed = true; changed && best.runs < maxRuns; ) {
    changed = false;
    for (let chunk = Math.max(1, best.steps.length >> 1); chunk >= 1 && best.runs < maxRuns; chunk >>= 1) {
      // From the end: late faults are the most often irrelevant.
      for (let end = best.steps.length; end > 0 && best.runs < maxRuns; end -= chunk) {
        const from = Math.max(0, end - chunk);
        if (attempt([...best.steps.slice(0, from), ...best.steps.slice(end)], best.rates)) changed = true;
      }
    }
    for (const name of Object.keys(best.rates) as Array<keyof FaultRates>) {
      if (best.rates[name] > 0 && best.runs < maxRuns && attempt(best.steps, { ...best.rates, [name]: 0 })) changed = true;
    }
  }
  return best;
}
