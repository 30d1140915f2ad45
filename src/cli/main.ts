/** walt's command line: one subcommand per file, registered here. */
import { Command, CommanderError } from 'commander';
import { readFileSync } from 'node:fs';
import { EXIT_USAGE } from './errors.js';
import { acceptCommonFlags } from './options.js';

const pkg = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version: string };

/**
 * Each command's module, loaded when it is run: loading all of them (some 160
 * modules: the Raft node, the state machines, the simulator) would cost every
 * `walt verify` in a CI loop a tenth of a second before it reads a byte.
 */
const COMMANDS: Record<string, () => Promise<Command>> = {
  dump: async () => (await import('./dump.js')).dumpCommand(),
  verify: async () => (await import('./verify.js')).verifyCommand(),
  'repair-tail': async () => (await import('./repair-tail.js')).repairTailCommand(),
  cut: async () => (await import('./cut.js')).cutCommand(),
  snap: async () => (await import('./snap.js')).snapCommand(),
  'replay-to-state': async () => (await import('./replay-to-state.js')).replayToStateCommand(),
  restore: async () => (await import('./restore.js')).restoreCommand(),
  'simulate-cluster': async () => (await import('./simulate-cluster.js')).simulateClusterCommand(),
  browse: async () => (await import('./browse.js')).browseCommand(),
  completion: async () => (await import('./completion.js')).completionCommand(),
};

/** The program with the command named in `argv`, none for `--version`, or every command (for `walt --help` and for a name to correct). */
export async function buildProgram(argv: string[]): Promise<Command> {
  const named = argv[2];
  const versionAsked = named === '--version' || named === '-V';
  // The version names the CRC-32C in use, which loads it (a native module): only when the version is printed.
  const crc = versionAsked ? ` (CRC-32C: ${(await import('../codec/crc32c.js')).crc32cImplementation()})` : '';
  const program = new Command('walt')
    .description("etcd's write-ahead log and snapshot files: read, check, repair, replay")
    .version(`walt ${pkg.version}${crc}`, '-V, --version');
  // The version needs no command; completion, a name to correct or `walt --help` needs them all.
  const wanted = versionAsked ? [] : Object.hasOwn(COMMANDS, named) && named !== 'completion' ? [named] : Object.keys(COMMANDS);
  const commands = await Promise.all(wanted.map((name) => COMMANDS[name]()));
  for (const cmd of commands) program.addCommand(cmd);
  acceptCommonFlags(program);
  return program;
}

export async function main(argv: string[]): Promise<void> {
  // `walt … | head`: the reader went away; stop quietly instead of crashing on EPIPE.
  process.stdout.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE') process.exit(0);
    throw e;
  });
  try {
    await (await buildProgram(argv)).parseAsync(argv);
  } catch (e) {
    if (e instanceof CommanderError) {
      // help and version exit 0; every other parse failure is a usage error.
      process.exitCode = e.exitCode === 0 ? 0 : EXIT_USAGE;
      return;
    }
    throw e;
  }
}
