/**
 * One fuzz case: a fixture copy damaged by a seed (mutations.ts), read by
 * etcd's own code (the Go oracle: wal.ReadAll from where etcd 3.4.23 starts,
 * and wal.Verify) and by walt as users run it (`verify --json`, `dump
 * --format ndjson`, and on a quarter of the seeds `cut --out`), each walt
 * process under a timeout. What must
 * hold, with etcd as the judge:
 *
 * - etcd's reader reads the log (OpenForRead + ReadAll, which in read mode
 *   also takes a torn last record as the end): walt's dump prints exactly
 *   etcd's entries, ending cleanly or at a torn tail, and verify finds no
 *   error in the WAL other than a torn tail;
 * - etcd refuses the log (any error): verify and dump do not say healthy;
 * - wal.Verify fails: verify does not say healthy;
 * - always: no stack trace, no hang, exit codes in walt's documented set, the
 *   end record agrees with dump's exit code, and nothing is written outside
 *   `--out`.
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { promisify } from 'node:util';
import { waltBin } from '../helpers/fixtures.js';
import { mutate, type Mutation } from './mutations.js';

const run = promisify(execFile);

/** Per walt process: a hang is a failure, not a stuck test run. */
const TIMEOUT_MS = 30_000;
/** What each end of a log exits with (README: exit codes): any other status from verify or dump is a failure. */
const EXIT_FOR_END: Record<string, number> = { eof: 0, error: 1, torn: 3 };
const KNOWN_EXITS = new Set(Object.values(EXIT_FOR_END));

export interface CaseResult {
  seed: number;
  fixture: string;
  mutation: Mutation;
  /** What etcd's reader said: '' when it read the log. */
  etcdReadAll: string;
  etcdVerify: string;
  failures: string[];
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
    const st = statSync(p);
    if (st.isDirectory()) tree(p, out, root);
    else out.set(relative(root, p), createHash('sha1').update(readFileSync(p)).digest('hex'));
  }
  return out;
}

const sameTree = (a: Map<string, string>, b: Map<string, string>): boolean => a.size === b.size && [...a].every(([k, v]) => b.get(k) === v);

/** A stack trace, or a JS error class where walt promises one clear line. */
const crashed = (stderr: string): boolean => /\n\s+at .+:\d+:\d+\)?\n/.test(stderr) || /\b(TypeError|RangeError|ReferenceError|SyntaxError)\b/.test(stderr);

export async function runCase(seed: number, fixture: string, baseDir: string, caseDir: string, oracleBin: string): Promise<CaseResult> {
  const dir = join(caseDir, 'data');
  cpSync(baseDir, dir, { recursive: true });
  const mutation = mutate(dir, seed);
  const failures: string[] = [];
  const before = tree(dir);

  const verify = await spawnWalt(['verify', '--json', dir]);
  const dump = await spawnWalt(['dump', '--format', 'ndjson', '--show-secrets', dir]);
  // A writer, on one seed in four (each walt process costs a Node start): it may write under --out only.
  const ran: Array<[string, Ran]> = [['verify', verify], ['dump', dump]];
  if (seed % 4 === 0) ran.push(['cut', await spawnWalt(['cut', '--segment-bytes', '16K', '--out', join(caseDir, 'out'), dir])]);
  for (const [name, r] of ran) {
    if (r.timedOut) failures.push(`${name}: no answer within ${TIMEOUT_MS / 1000} s`);
    else if (crashed(r.stderr)) failures.push(`${name}: a stack trace or JS error: ${r.stderr.slice(0, 400)}`);
    else if (name !== 'cut' && !KNOWN_EXITS.has(r.status ?? -1)) failures.push(`${name}: exit ${r.status}`);
  }
  if (!sameTree(before, tree(dir))) failures.push('the data dir changed: only --out may be written');

  const readAll = await oracleJson(oracleBin, ['readall', '--omit-data=false', dir]);
  const etcdReadAll: string = readAll.error ?? '';
  // Verify from the snapshot etcd starts at, or from the start where it found none.
  const at = (v: string | undefined) => (v ? v : '0');
  const etcdVerify: string = (await oracleJson(oracleBin, ['verify', '--index', at(readAll.snapshot?.index), '--term', at(readAll.snapshot?.term), join(dir, 'member', 'wal')])).error ?? '';
  const result: CaseResult = { seed, fixture, mutation, etcdReadAll, etcdVerify, failures };
  if (failures.length) return result;

  const report = JSON.parse(verify.stdout);
  const lines = dump.stdout.trimEnd().split('\n').filter(Boolean).map((l) => JSON.parse(l));
  const end = lines.at(-1);
  if (end?.record !== 'end') failures.push('dump: no end record');
  else if (EXIT_FOR_END[end.status] !== dump.status) failures.push(`dump: end record says ${end.status}, exit ${dump.status}`);
  const walErrors = (report.problems as Array<{ severity: string; code: string; file?: string }>).filter((p) => p.severity === 'error' && (p.file === undefined || p.file.includes(join('member', 'wal'))));

  if (etcdReadAll === '') {
    if (end?.status === 'error') failures.push(`etcd reads the log; walt's dump stops at an error`);
    const ours = lines.filter((l) => l.record === 'entry').map((l) => `${l.index}/${l.term}/${l.type}/${l.data}`);
    const theirs = (readAll.entries as Array<{ index: string; term: string; type: string; data: string | null }>).map((e) => `${e.index}/${e.term}/${e.type}/${e.data ?? ''}`);
    if (ours.length !== theirs.length || ours.some((x, i) => x !== theirs[i])) failures.push(`dump's entries differ from etcd's: ${ours.length} against ${theirs.length}`);
    const beyondTorn = walErrors.filter((p) => p.code !== 'TORN_TAIL');
    if (beyondTorn.length) failures.push(`etcd reads the log; verify reports ${beyondTorn.map((p) => p.code).join(', ')}`);
  } else {
    if (report.verdict === 'healthy') failures.push(`etcd refuses the log (${etcdReadAll}); verify says healthy`);
    if (end?.status === 'eof') failures.push(`etcd refuses the log (${etcdReadAll}); dump ends cleanly`);
  }
  if (etcdVerify !== '' && report.verdict === 'healthy') failures.push(`wal.Verify fails (${etcdVerify}); verify says healthy`);
  return result;
}
