/** walt's command line: one subcommand per file, registered here. */
import { Command, CommanderError } from 'commander';
import { readFileSync } from 'node:fs';
import { dumpCommand } from './dump.js';
import { verifyCommand } from './verify.js';
import { repairTailCommand } from './repair-tail.js';
import { cutCommand } from './cut.js';
import { snapCommand } from './snap.js';
import { replayToStateCommand } from './replay-to-state.js';
import { simulateClusterCommand } from './simulate-cluster.js';
import { browseCommand } from './browse.js';
import { EXIT_USAGE } from './errors.js';
import { crc32cImplementation } from '../codec/crc32c.js';

const pkg = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version: string };

export function buildProgram(): Command {
  const program = new Command('walt')
    .description("etcd's write-ahead log and snapshot files: read, check, repair, replay")
    .version(`walt ${pkg.version} (CRC-32C: ${crc32cImplementation})`, '-V, --version')
    .showHelpAfterError('(walt <command> --help shows the options)')
    .exitOverride();
  for (const cmd of [dumpCommand(), verifyCommand(), repairTailCommand(), cutCommand(), snapCommand(), replayToStateCommand(), simulateClusterCommand(), browseCommand()]) program.addCommand(cmd.exitOverride().showHelpAfterError());
  return program;
}

export async function main(argv: string[]): Promise<void> {
  // `walt … | head`: the reader went away; stop quietly instead of crashing on EPIPE.
  process.stdout.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE') process.exit(0);
    throw e;
  });
  try {
    await buildProgram().parseAsync(argv);
  } catch (e) {
    if (e instanceof CommanderError) {
      // help and version exit 0; every other parse failure is a usage error.
      process.exitCode = e.exitCode === 0 ? 0 : EXIT_USAGE;
      return;
    }
    throw e;
  }
}
