/**
 * What `walt simulate-cluster` prints: a summary table, a timeline of each
 * node's role with the faults as they happened, the violation (seed, first
 * step, the nodes' states, the shrunk schedule) when there is one, and the
 * same as one JSON document for scripts.
 */
import Table from 'cli-table3';
import chalk from 'chalk';
import { idHex } from '../codec/proto/metadata.js';
import type { Role } from './stats.js';
import type { SimResult } from './simulate.js';

const secs = (ms: number): string => `${(ms / 1000).toFixed(1)}s`;

export function summaryTable(r: SimResult): string {
  const t = new Table({ style: { head: [], border: [] } });
  const s = r.stats;
  const n = r.network;
  const w = r.workload;
  const faults = Object.entries(s.faults)
    .map(([k, v]) => `${k} ${v}`)
    .join(', ');
  const lin = r.linearizability;
  t.push(
    ['seed', r.seed.toString()],
    ['simulated', `${secs(r.endMs)} (${r.ticks} ticks, ${r.steps} steps), cluster ${idHex(r.clusterId)}`],
    ['elections', `${s.elections} (${s.leaderChanges} leader changes)`],
    ['committed', `${r.committed} entries`],
    ['messages', `${n.sent} sent, ${n.delivered} delivered, ${n.dropped} dropped, ${n.blocked} cut off, ${n.duplicated} duplicated, ${n.delayed} delayed, ${n.reordered} reordered`],
    ['without a leader', `${s.leaderless.windows} window(s), ${secs(s.leaderless.totalMs)} in all, longest ${secs(s.leaderless.longestMs)}`],
    ['time to elect', s.timeToElectMs.count ? `mean ${secs(s.timeToElectMs.meanMs)}, max ${secs(s.timeToElectMs.maxMs)} over ${s.timeToElectMs.count} leader loss(es)` : 'no leader lost'],
    ['client requests', `${w.invoked} sent: ${w.ok} answered, ${w.unknown} outcome unknown, ${w.failed} failed`],
    ['linearizable', lin === undefined ? 'not checked (stopped at a violation)' : `${lin.verdict} (${lin.operations} operations on ${lin.keys} keys${lin.unknownKeys.length ? `; search ran out on ${lin.unknownKeys.join(', ')}` : ''})`],
    ['faults', faults || 'none'],
    ['crashes', `${s.crashes} (${s.tornCrashes} torn-write), ${s.restarts} restarts, ${s.tornTailsRepaired} torn tails repaired`],
    ['snapshots', `${s.snapshotsTaken} taken, ${s.snapshotsSent} sent to followers`],
  );
  return t.toString() + '\n';
}

const ROLE_CHAR: Record<Role, string> = {
  leader: 'L',
  candidate: 'c',
  follower: '.',
  learner: 'l',
  down: 'x',
  stalled: 's',
  removed: '-',
  absent: ' ',
};

/**
 * One row per node, one column per slice of virtual time: the role it held
 * (a leadership anywhere in the slice wins, so short ones show), then the
 * faults and elections in time order.
 */
export function timeline(r: SimResult, width = 72): string {
  const span = Math.max(1, r.endMs);
  const slice = span / width;
  const lines = [`${chalk.bold('timeline')}  L leader, c candidate, . follower, l learner, s disk stalled, x down, - removed; one column = ${secs(slice)}`];
  for (const [k, changes] of [...r.roles].sort((a, b) => a[0] - b[0])) {
    let row = '';
    let i = 0;
    let role: Role = 'absent';
    for (let col = 0; col < width; col++) {
      const from = col * slice;
      while (i < changes.length && changes[i].timeMs <= from) role = changes[i++].role;
      let led = role === 'leader';
      for (let j = i; j < changes.length && changes[j].timeMs < from + slice; j++) if (changes[j].role === 'leader') led = true;
      row += led ? 'L' : ROLE_CHAR[role];
    }
    lines.push(`node ${String(k).padStart(2)} |${row}|`);
  }
  lines.push(`        0${' '.repeat(Math.max(1, width - secs(span).length))}${secs(span)}`);
  for (const e of r.events) lines.push(`  ${secs(e.timeMs).padStart(7)}  ${e.node !== undefined ? `node ${e.node}`.padEnd(8) : ''.padEnd(8)}${e.text}`);
  return lines.join('\n') + '\n';
}

/** The seed, where the first violation happened, the nodes then, and the shortest schedule that still shows it. */
export function violationReport(r: SimResult): string {
  const v = r.violation!;
  const lines = [
    chalk.red.bold(`VIOLATION: ${v.check}`),
    `  ${v.message}`,
    `  seed ${r.seed}, first seen at step ${v.step} (virtual time ${secs(v.timeMs)}, tick ${Math.floor(v.timeMs / r.tickMs)})`,
    '',
    chalk.bold('nodes at that step'),
  ];
  const t = new Table({ head: ['node', 'id', 'status', 'role', 'term', 'vote', 'commit', 'applied', 'last index', 'snapshot'], style: { head: [], border: [] } });
  for (const n of r.nodes) {
    t.push([n.node, n.id, n.status, n.role ?? '', n.term?.toString() ?? '', n.vote ?? '', n.commit?.toString() ?? '', n.applied?.toString() ?? '', n.lastIndex?.toString() ?? '', n.snapshotIndex?.toString() ?? ''].map(String));
  }
  lines.push(t.toString(), '');
  const sh = r.shrunk;
  if (sh === undefined) {
    lines.push(chalk.bold('fault schedule'), ...r.schedule.map((s) => `  ${JSON.stringify(s)}`), `  network rates ${JSON.stringify(r.rates)}`);
  } else {
    lines.push(
      chalk.bold(`shrunk fault schedule (${sh.steps.length} of ${r.schedule.length} steps, ${sh.runs} reruns; it shows ${sh.violation.check} at step ${sh.violation.step})`),
      ...sh.steps.map((s) => `  ${JSON.stringify(s)}`),
      `  network rates ${JSON.stringify(sh.rates)}`,
      `  replay it: walt simulate-cluster --seed ${r.seed} --scenario FILE (with {"steps": [...]} above) and the same options`,
    );
  }
  return lines.join('\n') + '\n';
}

/** Everything above as one JSON-ready object (bigints print exactly through util/json). */
export function resultJson(r: SimResult): Record<string, unknown> {
  return {
    ok: r.ok,
    seed: r.seed,
    clusterId: idHex(r.clusterId),
    violation: r.violation,
    simulatedMs: r.endMs,
    ticks: r.ticks,
    steps: r.steps,
    committed: r.committed,
    stats: r.stats,
    network: r.network,
    workload: r.workload,
    linearizability: r.linearizability && { verdict: r.linearizability.verdict, keys: r.linearizability.keys, operations: r.linearizability.operations, unknownKeys: r.linearizability.unknownKeys },
    nodes: r.nodes,
    schedule: r.schedule,
    rates: r.rates,
    shrunk: r.shrunk,
    events: r.events,
  };
}
