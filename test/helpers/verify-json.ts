/** `walt verify --json` on a data dir, as CI runs it: its exit status and its report. */
import { runWalt } from './fixtures.js';

export interface VerifyProblem {
  severity: string;
  code: string;
  message: string;
  file?: string;
  offset?: number;
}

export interface VerifyJson {
  verdict: string;
  problems: VerifyProblem[];
  backend?: { consistentIndex?: string; txid?: string };
}

export function verifyJson(dir: string): { status: number; report: VerifyJson } {
  const r = runWalt(['verify', '--json', dir]);
  return { status: r.status, report: JSON.parse(r.stdout) as VerifyJson };
}
