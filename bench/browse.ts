/**
 * `walt browse` on a large WAL (make-wal.ts: 220,000 1 KB puts, about 240 MB),
 * run as a user runs it: bin/walt in a 100×30 pseudo-terminal made by
 * script(1) (util-linux), its screen read from the terminal's output. Timed:
 * from starting the process to the first screen of entries (target < 1 s),
 * and from pressing End on that screen to the last entry selected (target
 * < 2 s; the background index pass must reach the end first).
 * `node dist/bench/browse.js` runs it alone; WALT_BENCH_ENTRIES sets the size.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { makeBenchWal } from './make-wal.js';

/** bin/walt, from dist/bench/. */
const waltBin = fileURLToPath(new URL('../../bin/walt', import.meta.url));

export interface BrowseFigures {
  entries: number;
  firstScreenMs: number;
  lastEntryMs: number;
}

/** Control sequences out, so the screen's text can be matched. */
const plain = (s: string) => s.replace(/\x1b\[[0-9;?]*[A-Za-z]/g, '');
/** The entries pane marks the selected row with ›. */
const selected = (index: number) => new RegExp(`›\\s+${index} `);

export function benchBrowse(entries = Number(process.env.WALT_BENCH_ENTRIES ?? 220_000)): Promise<BrowseFigures> {
  const dir = makeBenchWal(entries);
  const t0 = performance.now();
  const child = spawn('script', ['-qfec', `stty cols 100 rows 30; exec '${process.execPath}' '${waltBin}' browse '${dir}'`, '/dev/null'], { stdio: ['pipe', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    let screen = '';
    let firstScreenMs: number | undefined;
    let lastEntryMs: number | undefined;
    let t1 = 0;
    const timer = setTimeout(() => {
      child.kill();
      reject(new Error(`browse benchmark timed out; the screen was:\n${plain(screen)}`));
    }, 60_000);
    child.stdout.on('data', (d: Buffer) => {
      screen += d.toString('utf8');
      if (firstScreenMs === undefined && selected(1).test(plain(screen))) {
        firstScreenMs = performance.now() - t0;
        screen = '';
        t1 = performance.now();
        child.stdin.write('\x1b[F');
      } else if (firstScreenMs !== undefined && lastEntryMs === undefined && selected(entries).test(plain(screen))) {
        lastEntryMs = performance.now() - t1;
        child.stdin.write('q');
      }
    });
    child.on('error', reject);
    child.on('exit', (code) => {
      clearTimeout(timer);
      if (firstScreenMs === undefined || lastEntryMs === undefined || code !== 0) return reject(new Error(`walt browse exited ${code} early; the screen was:\n${plain(screen)}`));
      const pass = (ok: boolean) => (ok ? 'PASS' : 'MISS');
      console.log(`browse (${entries} entries, a real terminal): first screen ${firstScreenMs.toFixed(0)} ms after start (target < 1000) ${pass(firstScreenMs < 1000)}; End to the last entry ${lastEntryMs.toFixed(0)} ms (target < 2000) ${pass(lastEntryMs < 2000)}`);
      resolve({ entries, firstScreenMs, lastEntryMs });
    });
  });
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) await benchBrowse();
