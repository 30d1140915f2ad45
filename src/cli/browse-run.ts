/**
 * `walt browse`'s action: options → a browsing Session (src/tui) → ink
 * renders its App until `q`. Bundled with ink and React apart from the rest of
 * the CLI (scripts/bundle-cli.mjs), it judges its own failures (exitOf), whose
 * classes are its bundle's copies.
 */
import chalk from 'chalk';
import { EXIT_OK, UsageError, exitOf } from './errors.js';
import { colorOff, type SecretFlags } from './options.js';

export interface BrowseOptions extends SecretFlags {
  color: boolean;
  walDir?: string;
  startIndex?: bigint;
  /** k8s: a Kubernetes object by kind, namespace and name; k8s-full: whole. */
  decodeValues: 'k8s' | 'k8s-full';
}

/** How long the first frame waits for the first entries before it is drawn without them (and shows the index pass's progress). */
const FIRST_FRAME_WAIT_MS = 400;
/** The alternate screen: the browser draws there, and the shell's screen comes back as it was on quit. */
const ALT_SCREEN_ON = '\x1b[?1049h';
const ALT_SCREEN_OFF = '\x1b[?1049l';

/** Browses `dir` until the user quits; the exit code. */
export const run = (dir: string, opts: BrowseOptions): Promise<number> => exitOf(() => browse(dir, opts));

async function browse(dir: string, opts: BrowseOptions): Promise<number> {
  if (!process.stdout.isTTY || !process.stdin.isTTY) throw new UsageError(`browse needs a terminal: ${process.stdout.isTTY ? 'stdin' : 'stdout'} is not one (walt dump prints to pipes and files)`);
  // Loaded here, not with the flags: `walt browse --help` needs none of it.
  const [{ resolveDataDir }, { Session }, { secretPolicy }] = await Promise.all([import('../codec/data-dir.js'), import('../tui/session.js'), import('../report/secrets.js')]);
  const paths = resolveDataDir(dir, opts.walDir);
  // The index pass starts first, in its worker, while ink loads; it holds after a screenful of entries until they are drawn.
  const k8sObjects = opts.decodeValues === 'k8s-full' ? await (await import('../report/k8s-object-view.js')).loadK8sObjectDecoder() : undefined;
  const session = new Session(paths, { startIndex: opts.startIndex, secrets: secretPolicy(opts), k8sObjects, holdIndex: true });
  // React's production build: the development one checks every render. Loaded here, not at start, so other commands do not pay for ink.
  // package.json holds ink at 5.0.x: from 5.1 it imports es-toolkit/compat (some 300 modules) for one function, which doubles
  // its load time and puts the first screen over a second on a two-core machine (bench/browse.ts).
  // (Through a variable: in the CLI's bundle React's choice is already made at build, and esbuild keeps its hands off this.)
  const env = process.env;
  env.NODE_ENV ??= 'production';
  // ink draws nothing but the last frame when it thinks it runs in CI (is-in-ci reads CI, CI_* and CONTINUOUS_INTEGRATION
  // at import), and chalk, loaded already, then prints no escapes, not even the selection's inverse. stdout is a terminal
  // here, so a shell that exports CI=true still gets a live screen; FORCE_COLOR=0 still turns escapes off.
  process.env.CI = 'false';
  if (chalk.level === 0 && process.env.FORCE_COLOR !== '0') chalk.level = 1;
  // Started from the CLI's bundle (scripts/bundle-cli.mjs), ink and React come bundled in the screen's chunk.
  const { runScreen } = await import('../tui/screen.js');
  // The first frame waits a little for the first screenful of entries, so that ink draws once rather than an empty
  // frame and then the entries; the wait is spent loading etcd's messages, which decoding those entries needs.
  (await import('../codec/proto/message.js')).loadMessages();
  await session.firstRows(FIRST_FRAME_WAIT_MS);
  process.stdout.write(ALT_SCREEN_ON);
  try {
    await runScreen(session, colorOff(opts.color));
  } finally {
    session.close();
    process.stdout.write(ALT_SCREEN_OFF);
  }
  return EXIT_OK;
}
