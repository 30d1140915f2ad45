/**
 * One fuzz case: a fixture copy damaged by a seed (mutations.ts), read by
 * etcd's own code (the Go oracle: etcd 3.4.23's start on a copy of it, and
 * wal.Verify) and by walt: its verify and dump readers on a worker thread
 * (walt-inproc.ts) for every seed, and its processes as users run them
 * (`verify --json`, `dump --format ndjson`, `cut --out`) on every tenth seed
 * (campaign.ts's processEvery) and on every kept regression. What must hold, with etcd as the judge:
 *
 * - etcd starts on it (wal.Open + ReadAll, with the one wal.Repair of a torn
 *   tail that etcd's server makes: etcdserver/storage.go readWAL): walt reads
 *   exactly the entries etcd read; where etcd had to repair, walt says torn
 *   tail (repairable) and its dump ends torn, elsewhere its dump ends cleanly,
 *   and verify finds no error in the WAL beyond the ones walt adds on purpose
 *   (STRICTER);
 * - etcd refuses to start: verify says neither healthy nor repairable, and
 *   dump does not end cleanly;
 * - wal.Verify fails: verify does not say healthy;
 * - always: no crash (a stack trace, or a throw that is not walt's typed
 *   error), no hang (a time limit per case), exit codes in the documented set,
 *   the end record agreeing with dump's exit code, and nothing written outside
 *   `--out`.
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { promisify } from 'node:util';
import { Worker } from 'node:worker_threads';
import { waltBin } from '../helpers/fixtures.js';
import { mutate, type Mutation } from './mutations.js';
import type { WaltView } from './view.js';

const run = promisify(execFile);

/** Per case and per walt process: a hang is a failure, not a stuck test run. */
const TIMEOUT_MS = 30_000;
/** What each end of a log exits with (README: exit codes); any other status from verify or dump is a failure. */
const EXIT_FOR_END: Record<string, number> = { eof: 0, error: 1, torn: 3 };
const KNOWN_EXITS = new Set(Object.values(EXIT_FOR_END));

export interface CaseResult {
  seed: number;
  fixture: string;
  mutation: Mutation;
  /** Why etcd refuses to start: '' when it starts. */
  etcdStart: string;
  etcdVerify: string;
  failures: string[];
}

/** walt's readers on one worker thread per job, replaced when a case hangs. */
export class InProcessWalt {
  private worker?: Worker;

  async read(dir: string): Promise<WaltView | 'timeout'> {
    this.worker ??= new Worker(new URL('./walt-inproc.js', import.meta.url));
    const w = this.worker;
    return new Promise((resolve, reject) => {
      const done = () => {
        clearTimeout(timer);
        w.off('message', onMessage);
        w.off('error', onError);
      };
      const onMessage = (v: WaltView) => {
        done();
        resolve(v);
      };
      const onError = (e: Error) => {
        done();
        this.worker = undefined;
        reject(e);
      };
      const timer = setTimeout(() => {
        done();
        this.worker = undefined;
        void w.terminate();
        resolve('timeout');
      }, TIMEOUT_MS);
      w.on('message', onMessage);
      w.on('error', onError);
      w.postMessage(dir);
    });
  }

  close(): Promise<number> | undefined {
    return this.worker?.terminate();
  }
}

interface Ran {
  status: number | null;
  stdout: string;
  stderr: string;
  timedOut: boolean;
}

async function spawnWalt(args: string[]): Promise<Ran> {
  try {
    const r = await run(process.execPath, [waltBin, ...args], { encoding: 'utf8', timeout: TIMEOUT_MS, maxBuffer: 256 << 20, env: { ...process.env, FORCE_COLOR: '0' } });
    return { status: 0, stdout: r.stdout, stderr: r.stderr, timedOut: false };
  } catch (e) {
    const err = e as { code?: number | string; killed?: boolean; signal?: string; stdout?: string; stderr?: string };
    return { status: typeof err.code === 'number' ? err.code : null, stdout: err.stdout ?? '', stderr: err.stderr ?? '', timedOut: !!err.killed || err.signal === 'SIGTERM' };
  }
}

async function oracleJson(bin: string, args: string[]): Promise<any> {
  const r = await run(bin, args, { encoding: 'utf8', maxBuffer: 256 << 20 });
  return JSON.parse(r.stdout);
}

/** Every file under `dir` with a hash of its bytes: what "nothing written" compares. */
function tree(dir: string, out = new Map<string, string>(), root = dir): Map<string, string> {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) tree(p, out, root);
    else out.set(relative(root, p), createHash('sha1').update(readFileSync(p)).digest('hex'));
  }
  return out;
}

const sameTree = (a: Map<string, string>, b: Map<string, string>): boolean => a.size === b.size && [...a].every(([k, v]) => b.get(k) === v);

/** A stack trace, or a JS error class where walt promises one clear line. */
const crashed = (stderr: string): boolean => /\n\s+at .+:\d+:\d+\)?\n/.test(stderr) || /\b(TypeError|RangeError|ReferenceError|SyntaxError)\b/.test(stderr);

/** walt's processes, checked as a user meets them; their view for judging. */
async function processes(seed: number, dir: string, caseDir: string, failures: string[]): Promise<WaltView | undefined> {
  const before = tree(dir);
  const verify = await spawnWalt(['verify', '--json', dir]);
  const dump = await spawnWalt(['dump', '--format', 'ndjson', '--show-secrets', dir]);
  const ran: Array<[string, Ran]> = [['verify', verify], ['dump', dump]];
  // A writer, on half of these seeds: it may write under --out only.
  if (seed % 20 === 0) ran.push(['cut', await spawnWalt(['cut', '--segment-bytes', '16K', '--out', join(caseDir, 'out'), dir])]);
  for (const [name, r] of ran) {
    if (r.timedOut) failures.push(`${name}: no answer within ${TIMEOUT_MS / 1000} s`);
    else if (crashed(r.stderr)) failures.push(`${name}: a stack trace or JS error: ${r.stderr.slice(0, 400)}`);
    else if (name !== 'cut' && !KNOWN_EXITS.has(r.status ?? -1)) failures.push(`${name}: exit ${r.status}`);
  }
  if (!sameTree(before, tree(dir))) failures.push('the data dir changed: only --out may be written');
  if (failures.length) return undefined;
  // verify --json prints nothing where it cannot start (one line on stderr, exit 1): refused.
  const report = verify.stdout.trim() === '' ? { verdict: 'refused', problems: [] } : JSON.parse(verify.stdout);
  const lines = dump.stdout.trimEnd().split('\n').filter(Boolean).map((l) => JSON.parse(l));
  const end = lines.at(-1);
  if (end?.record !== 'end') failures.push('dump: no end record');
  else if (EXIT_FOR_END[end.status] !== dump.status) failures.push(`dump: end record says ${end.status}, exit ${dump.status}`);
  const walDir = join(dir, 'member', 'wal');
  return {
    verdict: report.verdict,
    walErrors: (report.problems as Array<{ severity: string; code: string; file?: string }>).filter((p) => p.severity === 'error' && (p.file === undefined || p.file.startsWith(walDir))).map((p) => p.code),
    end: end?.status ?? 'error',
    entries: lines.filter((l) => l.record === 'entry').map((l) => `${l.index}/${l.term}/${l.type}/${l.data}`),
  };
}

/**
 * Errors walt reports where etcd starts, on purpose (README: verify):
 * - TORN_TAIL: etcd repairs it at start;
 * - CORRUPT_RECORD, HIDDEN_RECORDS, COMMITTED_IN_TORN_TAIL: CRC-valid or
 *   committed records lie past where etcd stops reading or repairs, and etcd
 *   would drop them without a word;
 * - SNAPSHOT_NOT_FOUND: the WAL lacks the snapshot record of where etcd starts;
 *   etcd 3.4 opened for writing loses that error (wal.go ReadAll: the
 *   encoder's err overwrites ErrSnapshotNotFound) and starts anyway.
 */
const STRICTER = new Set(['TORN_TAIL', 'CORRUPT_RECORD', 'HIDDEN_RECORDS', 'COMMITTED_IN_TORN_TAIL', 'SNAPSHOT_NOT_FOUND']);

/** The failures of one view of walt's against etcd's start. */
function judge(what: string, v: WaltView, start: any, etcdVerify: string): string[] {
  const out: string[] = [];
  const refused: string = start.error ?? '';
  if (v.crash) return [`${what}: a throw that is not a CodecError: ${v.crash.slice(0, 400)}`];
  if (refused === '') {
    const theirs = (start.entries as Array<{ index: string; term: string; type: string; data: string | null }>).map((e) => `${e.index}/${e.term}/${e.type}/${e.data ?? ''}`);
    if (v.entries.length !== theirs.length || v.entries.some((x, i) => x !== theirs[i])) out.push(`${what}: walt's entries differ from etcd's: ${v.entries.length} against ${theirs.length}`);
    const unexplained = v.walErrors.filter((c) => !STRICTER.has(c));
    const expectedEnd = start.repaired ? 'torn' : 'eof';
    // Where walt reports more than etcd on purpose, its reading may stop at that error.
    if (v.end !== expectedEnd && !(v.end === 'error' && v.walErrors.length > 0 && unexplained.length === 0)) out.push(`${what}: etcd starts${start.repaired ? ' after repairing a torn tail' : ''}; walt's reading ends ${v.end}`);
    if (start.repaired && v.verdict === 'healthy') out.push(`${what}: etcd repairs a torn tail; verify says healthy`);
    if (unexplained.length) out.push(`${what}: etcd starts; verify reports ${unexplained.join(', ')}`);
  } else {
    if (v.verdict === 'healthy' || v.verdict === 'torn-tail') out.push(`${what}: etcd refuses to start (${refused}); verify says ${v.verdict}`);
    if (v.end === 'eof') out.push(`${what}: etcd refuses to start (${refused}); dump ends cleanly`);
  }
  if (etcdVerify !== '' && v.verdict === 'healthy') out.push(`${what}: wal.Verify fails (${etcdVerify}); verify says healthy`);
  return out;
}

export interface CaseContext {
  oracleBin: string;
  walt: InProcessWalt;
  /** Also run walt's processes (every tenth seed, and the regressions). */
  processes: boolean;
}

export async function runCase(seed: number, fixture: string, baseDir: string, caseDir: string, ctx: CaseContext): Promise<CaseResult> {
  const dir = join(caseDir, 'data');
  cpSync(baseDir, dir, { recursive: true });
  const mutation = mutate(dir, seed);
  const failures: string[] = [];
  const inproc = await ctx.walt.read(dir);
  const fromProcesses = ctx.processes ? await processes(seed, dir, caseDir, failures) : undefined;

  // etcd's start writes (a repair, the tail zeroed): on a copy of its own.
  const etcdCopy = join(caseDir, 'etcd');
  cpSync(dir, etcdCopy, { recursive: true });
  const start = await oracleJson(ctx.oracleBin, ['readall', '--open-mode', 'start', etcdCopy]);
  // Verify from the snapshot etcd starts at, or from the start where it found none.
  const at = (v: string | undefined) => (v ? v : '0');
  const etcdVerify: string = (await oracleJson(ctx.oracleBin, ['verify', '--index', at(start.snapshot?.index), '--term', at(start.snapshot?.term), join(dir, 'member', 'wal')])).error ?? '';
  if (inproc === 'timeout') failures.push(`walt's readers: no answer within ${TIMEOUT_MS / 1000} s`);
  else failures.push(...judge("walt's readers", inproc, start, etcdVerify));
  if (fromProcesses) failures.push(...judge("walt's processes", fromProcesses, start, etcdVerify));
  return { seed, fixture, mutation, etcdStart: start.error ?? '', etcdVerify, failures };
}
