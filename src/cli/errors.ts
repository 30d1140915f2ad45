/**
 * The one place where failures become exit codes and one-line messages:
 * 0 success, 1 a problem was found in the data (corruption), 2 usage errors
 * and paths that cannot be read, 3 a torn tail that `walt repair-tail` can
 * cut off (and nothing worse). Never a stack trace for bad input.
 */
import { CodecError, LocatedError } from '../codec/errors.js';
import { withNextStep } from '../report/next-step.js';

export const EXIT_OK = 0;
export const EXIT_PROBLEM = 1;
export const EXIT_USAGE = 2;
/** A torn write at the end of the last segment, and nothing else wrong: `walt repair-tail` fixes it, as etcd's own start would. */
export const EXIT_TORN = 3;

/** A usage error found after option parsing (a bad value, a missing path). */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/** Codes that say the command was pointed at the wrong thing; a WAL dir without segments is a problem in the data (etcd cannot start). */
const USAGE_CODES = new Set(['NOT_A_DATA_DIR', 'REPLAY_RANGE']);

export function exitCodeFor(e: unknown): number {
  if (e instanceof UsageError) return EXIT_USAGE;
  if (e instanceof CodecError) return USAGE_CODES.has(e.code) ? EXIT_USAGE : EXIT_PROBLEM;
  if (e instanceof LocatedError) return EXIT_PROBLEM;
  const code = (e as NodeJS.ErrnoException)?.code;
  if (code === 'ENOENT' || code === 'EACCES' || code === 'ENOTDIR' || code === 'EISDIR' || code === 'EPERM') return EXIT_USAGE;
  return EXIT_PROBLEM;
}

export function messageFor(e: unknown): string {
  if (e instanceof LocatedError) return withNextStep(e.code, e.describe());
  const err = e as NodeJS.ErrnoException;
  if (err?.code && err.path) return `${err.path}: ${err.code === 'ENOENT' ? 'no such file or directory' : err.message}`;
  return err?.message ?? String(e);
}

/** Of several checks' exit codes, the one that says most: corruption, then a usage error, then a torn tail, then healthy. */
export function worstExit(codes: number[]): number {
  const rank = [EXIT_OK, EXIT_TORN, EXIT_USAGE, EXIT_PROBLEM];
  return codes.reduce((worst, c) => (rank.indexOf(c) > rank.indexOf(worst) ? c : worst), EXIT_OK);
}

/** Runs a command action, turning any failure into a message on stderr and an exit code. */
export async function runAction(action: () => Promise<number> | number): Promise<void> {
  process.exitCode = await exitOf(action);
}

/**
 * The exit code of an action, a failure told on stderr. A module bundled apart
 * (browse-run.js, with its own copy of these error classes) judges its own
 * failures with it, where the bundle that loads it would not recognise them.
 */
export async function exitOf(action: () => Promise<number> | number): Promise<number> {
  try {
    return await action();
  } catch (e) {
    if (process.env.WALT_DEBUG) console.error(e);
    process.stderr.write(`walt: ${messageFor(e)}\n`);
    return exitCodeFor(e);
  }
}
