/**
 * What a run did, for the summary and the timeline: elections and leader
 * changes, windows with no leader (from losing one to electing the next),
 * each node's role over time, and the faults as they happened.
 */
import { StateType } from '../raft/index.js';

/** A node's state at a moment, as the timeline draws it. */
export type Role = 'leader' | 'candidate' | 'follower' | 'learner' | 'down' | 'stalled' | 'removed' | 'absent';

export interface TimelineEvent {
  timeMs: number;
  node?: number;
  text: string;
}

export interface Window {
  fromMs: number;
  toMs: number;
}

export interface StatsSummary {
  elections: number;
  leaderChanges: number;
  /** Windows of virtual time in which no node was leader. */
  leaderless: { windows: number; totalMs: number; longestMs: number };
  /** From losing a leader to the next one being elected. */
  timeToElectMs: { count: number; meanMs: number; maxMs: number };
  crashes: number;
  tornCrashes: number;
  restarts: number;
  tornTailsRepaired: number;
  snapshotsTaken: number;
  snapshotsSent: number;
  faults: Record<string, number>;
}

export const roleOf = (state: StateType, isLearner: boolean): Role =>
  state === StateType.Leader ? 'leader' : state === StateType.Follower ? (isLearner ? 'learner' : 'follower') : 'candidate';

export class SimStats {
  elections = 0;
  leaderChanges = 0;
  crashes = 0;
  tornCrashes = 0;
  restarts = 0;
  tornTailsRepaired = 0;
  snapshotsTaken = 0;
  snapshotsSent = 0;
  readonly faults: Record<string, number> = {};
  readonly events: TimelineEvent[] = [];
  /** Per node, its role changes in time order. */
  readonly roles = new Map<number, Array<{ timeMs: number; role: Role }>>();
  readonly leaderless: Window[] = [];
  private readonly leaders = new Set<number>();
  private lastLeader = 0;
  /** Start of the current window without a leader; the run starts without one. */
  private noLeaderSince: number | undefined = 0;

  role(k: number, timeMs: number, role: Role): void {
    let list = this.roles.get(k);
    if (list === undefined) this.roles.set(k, (list = []));
    if (list.length > 0 && list[list.length - 1].role === role) return;
    if (list.length > 0 && list[list.length - 1].timeMs === timeMs) list.pop();
    list.push({ timeMs, role });
    if (role === 'leader') {
      this.elections++;
      if (k !== this.lastLeader) this.leaderChanges++;
      this.lastLeader = k;
      this.leaders.add(k);
      if (this.noLeaderSince !== undefined) {
        this.leaderless.push({ fromMs: this.noLeaderSince, toMs: timeMs });
        this.noLeaderSince = undefined;
      }
    } else if (this.leaders.delete(k) && this.leaders.size === 0) {
      this.noLeaderSince = timeMs;
    }
  }

  event(timeMs: number, text: string, node?: number): void {
    this.events.push({ timeMs, node, text });
  }

  fault(timeMs: number, kind: string, text: string, node?: number): void {
    this.faults[kind] = (this.faults[kind] ?? 0) + 1;
    this.event(timeMs, text, node);
  }

  summary(endMs: number): StatsSummary {
    const windows = [...this.leaderless];
    if (this.noLeaderSince !== undefined) windows.push({ fromMs: this.noLeaderSince, toMs: endMs });
    const lengths = windows.map((w) => w.toMs - w.fromMs);
    // The first window is the initial election, not a loss; an open last window never ended in an election.
    const elected = this.leaderless.slice(1).map((w) => w.toMs - w.fromMs);
    return {
      elections: this.elections,
      leaderChanges: this.leaderChanges,
      leaderless: { windows: windows.length, totalMs: sum(lengths), longestMs: Math.max(0, ...lengths) },
      timeToElectMs: { count: elected.length, meanMs: elected.length ? Math.round(sum(elected) / elected.length) : 0, maxMs: Math.max(0, ...elected) },
      crashes: this.crashes,
      tornCrashes: this.tornCrashes,
      restarts: this.restarts,
      tornTailsRepaired: this.tornTailsRepaired,
      snapshotsTaken: this.snapshotsTaken,
      snapshotsSent: this.snapshotsSent,
      faults: { ...this.faults },
    };
  }
}

const sum = (xs: number[]): number => xs.reduce((a, b) => a + b, 0);
