/**
 * `walt browse` as a user starts it: bin/walt in a 100×30 pseudo-terminal
 * made by script(1) (util-linux), timed from spawn until the entries pane
 * shows the first entry selected, then quit with `q`. Peak RSS is GNU
 * time's, for the whole session (the background index keeps reading until
 * the quit).
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Run, TIME } from './measure.js';
import { waltBin } from './paths.js';

export const scriptSkip = (): string | false => (existsSync('/usr/bin/script') ? false : 'needs /usr/bin/script (Debian util-linux)');

/** Control sequences out, so that the screen's text can be matched. */
const plain = (s: string) => s.replace(/\x1b\[[0-9;?]*[A-Za-z]/g, '');
/** The entries pane marks the selected row with ›. */
const firstSelected = /›\s+1 /;

export function timeBrowseFirstScreen(dataDir: string, timeoutMs = 60_000): Promise<Run> {
  const dir = mkdtempSync(join(tmpdir(), 'walt-bench-'));
  const timeOut = join(dir, 'time');
  const cmd = `stty cols 100 rows 30; exec ${TIME} -f %M -o '${timeOut}' '${waltBin}' browse '${dataDir}'`;
  const t0 = process.hrtime.bigint();
  const child = spawn('script', ['-qfec', cmd, '/dev/null'], { stdio: ['pipe', 'pipe', 'inherit'] });
  return new Promise<Run>((resolve) => {
    let screen = '';
    let seconds: number | undefined;
    const timer = setTimeout(() => child.kill(), timeoutMs);
    child.stdout.on('data', (d: Buffer) => {
      screen += d.toString('utf8');
      if (seconds === undefined && firstSelected.test(plain(screen))) {
        seconds = Number(process.hrtime.bigint() - t0) / 1e9;
        child.stdin.write('q');
      }
    });
    child.on('exit', () => {
      clearTimeout(timer);
      const kb = existsSync(timeOut) ? Number(readFileSync(timeOut, 'utf8').trim().split('\n').pop()) : NaN;
      rmSync(dir, { recursive: true, force: true });
      if (seconds === undefined) {
        resolve({ seconds: Number(process.hrtime.bigint() - t0) / 1e9, rssMB: kb / 1024, failure: `no first screen; the screen was: ${plain(screen).slice(-300)}` });
      } else resolve({ seconds, rssMB: kb / 1024 });
    });
  });
}
