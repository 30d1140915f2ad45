/** `walt browse DATA_DIR`: options → a browsing Session (src/tui) → ink renders its App until `q`. */
import { Command } from 'commander';
import { bundledOr } from '../util/bundled.js';
import { runAction } from './errors.js';
import { choiceOption, parseIndex, secretPrefixOption, showSecretsOption } from './options.js';
import type { BrowseOptions } from './browse-run.js';

type BrowseRun = typeof import('./browse-run.js');

const VALUE_MODES = ['k8s', 'k8s-full'] as const satisfies readonly BrowseOptions['decodeValues'][];

export function browseCommand(): Command {
  return new Command('browse')
    .description('look through a data dir in an interactive terminal browser: segments, entries, details, snapshots, the key space')
    .argument('<data-dir>', 'an etcd data dir (with member/wal), a member dir, or a WAL dir')
    .option('--wal-dir <dir>', 'read WAL segments from this dir instead of DATA_DIR/member/wal')
    .option('--start-index <n>', 'list entries from index N on (inclusive); default: after the snapshot etcd would load', parseIndex)
    .addOption(choiceOption('--decode-values <mode>', "how the detail pane shows a Kubernetes object (k8s: by kind, namespace and name; k8s-full: whole, as kubectl -o json prints it)", VALUE_MODES).default('k8s'))
    .addOption(showSecretsOption())
    .addOption(secretPrefixOption())
    .addHelpText(
      'after',
      `
The entries are those \`walt dump\` prints, read as etcd reads them. The first
screen comes at once; an index of the log is built in the background (its
progress is on the status bar) and the rest can be reached as it grows. Bad
records are marked where \`walt verify\` finds them, with the reason.

Keys: arrows, PgUp/PgDn, Home/End move; Tab switches pane; / searches for a key
or value text (n: again); f filters by entry type or request kind (the names of
dump --entry-type); g goes to an index; s shows the key space replayed up to the
selected entry; ? lists the keys; q quits. --no-color (or NO_COLOR=1) turns
colours off.

It needs a terminal (use \`walt dump\` in pipes and scripts) and never writes to
the data dir.

Examples:
  walt browse /var/lib/etcd
  walt browse --start-index 1 /var/lib/etcd
  walt browse --decode-values k8s-full /var/lib/etcd
  NO_COLOR=1 walt browse --wal-dir /mnt/wal /var/lib/etcd`,
    )
    .action((dir: string, opts: BrowseOptions) => runAction(async () => ((await import(browseRun().href)) as BrowseRun).run(dir, opts)));
}

/**
 * browse's action, with ink and React: an ES module bundled apart from the
 * CLI's CommonJS bundle (scripts/bundle-cli.mjs), loaded by its URL. The path
 * holds from dist/src/cli and from the bundle alike, which sits as deep.
 */
const browseRun = (): URL => bundledOr(new URL('../bundle/browse-run.js', import.meta.url), new URL('./browse-run.js', import.meta.url));
