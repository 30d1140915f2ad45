/**
 * The interaction harness's logger (rafttest/interaction_env_logger.go): raft's
 * log lines go into the harness's output, each as "LEVEL message", when at or
 * above the chosen level. NONE silences them (and, in the harness, everything
 * but errors).
 */
import type { Logger } from '../../../src/raft/raft.js';

export const levelNames = ['DEBUG', 'INFO', 'WARN', 'ERROR', 'FATAL', 'NONE'] as const;
export const LEVEL_NONE = levelNames.length - 1;

export class RedirectLogger implements Logger {
  /** The output being collected; the harness writes to it directly too. */
  out = '';
  /** Index into levelNames; DEBUG by default, as in etcd. */
  level = 0;

  private print(level: number, msg: string): void {
    if (this.level <= level) this.out += `${levelNames[level]} ${msg}\n`;
  }

  debug(msg: string): void {
    this.print(0, msg);
  }

  info(msg: string): void {
    this.print(1, msg);
  }

  warn(msg: string): void {
    this.print(2, msg);
  }
}
