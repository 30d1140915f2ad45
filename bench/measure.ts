/**
 * One run of a whole process, as a user starts it: wall time from spawn to
 * exit, and peak RSS from the kernel's resource usage of the child (GNU
 * time's %M, written to a file so that the child's own stderr stays apart).
 */
import { spawnSync } from 'node:child_process';
import { closeSync, existsSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const TIME = '/usr/bin/time';

export const timeSkip = (): string | false => (existsSync(TIME) ? false : `needs ${TIME} (Debian package time)`);

export interface Run {
  seconds: number;
  rssMB: number;
  /** undefined when the process exited 0; else why it did not. */
  failure?: string;
}

export function runProcess(cmd: string, args: string[]): Run {
  const dir = mkdtempSync(join(tmpdir(), 'walt-bench-'));
  const timeOut = join(dir, 'time');
  const devNull = openSync('/dev/null', 'w');
  try {
    const t0 = process.hrtime.bigint();
    const r = spawnSync(TIME, ['-f', '%x %M', '-o', timeOut, cmd, ...args], { stdio: ['ignore', devNull, 'pipe'], maxBuffer: 64 << 20 });
    const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
    // GNU time writes "Command exited with non-zero status N" before the format line on failure.
    const [code, kb] = readFileSync(timeOut, 'utf8').trim().split('\n').pop()!.split(' ').map(Number);
    const stderr = r.stderr.toString('utf8').trim().split('\n').slice(-3).join(' / ');
    const failure = r.error ? String(r.error) : code !== 0 || r.status !== 0 ? `exit ${r.signal ?? code}: ${stderr}` : undefined;
    return { seconds, rssMB: kb / 1024, failure };
  } finally {
    closeSync(devNull);
    rmSync(dir, { recursive: true, force: true });
  }
}
