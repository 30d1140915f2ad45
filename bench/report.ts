/** A row's runs summed up: medians, ratios, and each target met or missed. */
import type { Run } from './measure.js';
import type { Row, Target } from './rows.js';
import { median, ratio } from './stats.js';

export interface Side {
  seconds: number;
  rssMB: number;
  runs: number;
  /** The first failed run, if any (the row stops there). */
  failure?: Run;
}

export interface Result {
  row: Row;
  walt: Side;
  anchor: Side;
}

export function side(runs: Run[]): Side {
  const ok = runs.filter((r) => !r.failure);
  return { seconds: median(ok.map((r) => r.seconds)), rssMB: median(ok.map((r) => r.rssMB)), runs: ok.length, failure: runs.find((r) => r.failure) };
}

function figure(t: Target, r: Result): number {
  if (t.of === 'RSS MB') return r.walt.rssMB;
  if (t.of === 'seconds') return r.walt.seconds;
  if (t.of === 'RSS ratio') return ratio(r.walt.rssMB, r.anchor.rssMB);
  return ratio(r.walt.seconds, r.anchor.seconds);
}

/** PASS or MISS for one target; a failed walt run misses every target. */
export function verdict(t: Target, r: Result): { value: number; pass: boolean } {
  const value = figure(t, r);
  return { value, pass: !r.walt.failure && !r.anchor.failure && value <= t.max };
}

const s = (x: Side) => (x.runs ? `${x.seconds.toFixed(2)} s, ${x.rssMB.toFixed(0)} MB` : '—');
const failed = (x: Side) => (x.failure ? ` (failed after ${x.failure.seconds.toFixed(1)} s at ${x.failure.rssMB.toFixed(0)} MB: ${x.failure.failure})` : '');
const targetText = (t: Target) => (t.of === 'RSS MB' ? `RSS < ${t.max} MB` : t.of === 'seconds' ? `< ${t.max} s` : `${t.of} ≤ ${t.max}`);
const valueText = (t: Target, v: number) => (t.of === 'RSS MB' ? `${v.toFixed(0)} MB` : t.of === 'seconds' ? `${v.toFixed(2)} s` : `${v.toFixed(2)}×`);
const ratioText = (w: number, a: number) => (Number.isNaN(w) || Number.isNaN(a) ? '—' : `${ratio(w, a).toFixed(2)}×`);

/** A Markdown table, as the README shows it. */
export function table(results: Result[]): string {
  const lines = [
    '| walt | median, peak RSS | anchor | median, peak RSS | time ratio | RSS ratio | targets |',
    '| --- | --- | --- | --- | --- | --- | --- |',
  ];
  for (const r of results) {
    const targets = r.row.targets.map((t) => {
      const v = verdict(t, r);
      return `${targetText(t)}: ${Number.isNaN(v.value) ? '—' : valueText(t, v.value)} ${v.pass ? 'PASS' : 'MISS'}`;
    });
    lines.push(
      `| \`${r.row.walt}\` | ${s(r.walt)}${failed(r.walt)} | ${r.row.anchor} | ${s(r.anchor)}${failed(r.anchor)} | ${ratioText(r.walt.seconds, r.anchor.seconds)} | ${ratioText(r.walt.rssMB, r.anchor.rssMB)} | ${targets.join('; ')} |`,
    );
  }
  return lines.join('\n');
}
