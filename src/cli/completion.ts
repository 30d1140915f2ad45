/**
 * `walt completion bash|zsh|fish`: a completion script made from commander's
 * own definitions of every command (the program this command is added to),
 * so that it completes exactly what the commands take: command names, flags,
 * the values of flags with a fixed set (-w's formats, --from, ...), and
 * directories (data dirs, --wal-dir, --out) or files where those go.
 */
import { Argument, Command, Help, type Option } from 'commander';
import { EXIT_OK, runAction } from './errors.js';

const SHELLS = ['bash', 'zsh', 'fish'] as const;

/** What a value is, as the argument or flag names it: <dir>, <data-dir>, <file>; anything else is free text. */
type ValueKind = 'dir' | 'file' | 'text';

interface FlagSpec {
  names: string[];
  value?: { kind: ValueKind; choices?: readonly string[] };
  description: string;
}

interface CommandSpec {
  /** The words after `walt`: ['snap', 'show']. */
  path: string[];
  description: string;
  subcommands: { name: string; description: string }[];
  flags: FlagSpec[];
  /** What a positional argument is, or undefined when the command takes none. */
  operand?: { kind: ValueKind; choices?: readonly string[] };
}

export function completionCommand(): Command {
  return new Command('completion')
    .description('print a completion script for bash, zsh or fish: commands, flags, their values, data dirs')
    .addArgument(new Argument('<shell>', 'the shell').choices(SHELLS))
    .addHelpText(
      'after',
      `
The script is made from walt's own command definitions, so it completes what
this walt takes. Load it in the shell's start-up file:

Examples:
  source <(walt completion bash)                          # in ~/.bashrc
  source <(walt completion zsh)                           # in ~/.zshrc, after compinit
  walt completion fish > ~/.config/fish/completions/walt.fish`,
    )
    .action((shell: string, _opts: unknown, cmd: Command) =>
      runAction(() => {
        const specs = describe(cmd.parent!);
        process.stdout.write(shell === 'bash' ? bashScript(specs) : shell === 'zsh' ? zshScript(specs) : fishScript(specs));
        return EXIT_OK;
      }),
    );
}

const kindOf = (name: string | undefined): ValueKind => (name === undefined ? 'text' : /dir$/.test(name) ? 'dir' : /file$/.test(name) ? 'file' : 'text');

function flagSpec(o: Option): FlagSpec {
  const names = [o.short, o.long].filter((n): n is string => !!n);
  const arg = /<([\w-]+)(\.\.\.)?>|\[([\w-]+)\]/.exec(o.flags);
  const value = o.required || o.optional ? { kind: kindOf(arg?.[1] ?? arg?.[3]), choices: o.argChoices } : undefined;
  return { names, value, description: o.description };
}

/** Every command under `program`, depth first, with the flags its help shows. */
function describe(program: Command): CommandSpec[] {
  const help = new Help();
  const specs: CommandSpec[] = [];
  const walk = (cmd: Command, path: string[]) => {
    const arg = cmd.registeredArguments[0];
    specs.push({
      path,
      description: cmd.description(),
      subcommands: cmd.commands.map((c) => ({ name: c.name(), description: c.description() })),
      flags: help.visibleOptions(cmd).map(flagSpec),
      operand: arg && { kind: kindOf(arg.name()), choices: arg.argChoices },
    });
    for (const c of cmd.commands) walk(c, [...path, c.name()]);
  };
  walk(program, []);
  return specs;
}

const words = (xs: readonly string[]) => xs.join(' ');
const shq = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

/**
 * A bash function over COMP_WORDS/COMP_CWORD: the command path is the words
 * that name subcommands; then the word before the cursor decides (a flag
 * that takes a value), else the word itself (a flag, a subcommand, an operand).
 */
function bashScript(specs: CommandSpec[]): string {
  const cases = specs.map((s) => {
    // Flags that take a value, grouped by what completes it.
    const byAction = new Map<string, string[]>();
    for (const f of s.flags) if (f.value) byAction.set(bashValues(f.value), [...(byAction.get(bashValues(f.value)) ?? []), ...f.names]);
    const values = [...byAction].map(([action, names]) => `      ${names.join('|')}) ${action}; return ;;`);
    const operand = s.subcommands.length ? bashValues({ kind: 'text', choices: s.subcommands.map((c) => c.name) }) : s.operand ? bashValues(s.operand) : 'COMPREPLY=()';
    return `    ${shq(s.path.join(' '))})
${values.length ? `      case "$prev" in\n${values.join('\n')}\n      esac\n` : ''}      if [[ "$cur" == -* ]]; then COMPREPLY=($(compgen -W ${shq(words(s.flags.flatMap((f) => f.names)))} -- "$cur")); else ${operand}; fi
      ;;`;
  });
  const withSubcommands = specs.filter((s) => s.subcommands.length);
  return `# walt completion for bash: source <(walt completion bash)
_walt_complete() {
  local cur="\${COMP_WORDS[COMP_CWORD]}" prev="" path="" i w
  [[ $COMP_CWORD -gt 0 ]] && prev="\${COMP_WORDS[COMP_CWORD-1]}"
  # The command path: the words that name a subcommand of the path so far.
  for ((i = 1; i < COMP_CWORD; i++)); do
    w="\${COMP_WORDS[i]}"
    case "$path" in
${withSubcommands.map((s) => `      ${shq(s.path.join(' '))}) case "$w" in ${s.subcommands.map((c) => c.name).join('|')}) path="\${path:+$path }$w" ;; esac ;;`).join('\n')}
    esac
  done
  case "$path" in
${cases.join('\n')}
  esac
}
complete -o filenames -F _walt_complete walt
`;
}

function bashValues(v: { kind: ValueKind; choices?: readonly string[] }): string {
  if (v.choices) return `COMPREPLY=($(compgen -W ${shq(words(v.choices))} -- "$cur"))`;
  return v.kind === 'text' ? 'COMPREPLY=()' : `COMPREPLY=($(compgen -${v.kind === 'dir' ? 'd' : 'f'} -- "$cur"))`;
}

/** zsh runs the bash function through its bashcompinit layer (compgen and complete emulated). */
function zshScript(specs: CommandSpec[]): string {
  return `# walt completion for zsh: source <(walt completion zsh), after compinit
autoload -U +X bashcompinit && bashcompinit
${bashScript(specs).split('\n').slice(1).join('\n')}`;
}

/** fish: one `complete` line per subcommand, flag and value set, each under the condition of its command (its last word). */
function fishScript(specs: CommandSpec[]): string {
  const lines = ['# walt completion for fish: walt completion fish > ~/.config/fish/completions/walt.fish', 'complete -c walt -f'];
  const fq = (s: string) => `'${s.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
  const summary = (d: string) => fq(d.split(/;| \(/)[0].trim());
  const values = (v: { kind: ValueKind; choices?: readonly string[] }) =>
    v.choices ? `-x -a ${fq(words(v.choices))}` : v.kind === 'dir' ? `-x -a '(__fish_complete_directories)'` : v.kind === 'file' ? '-r -F' : '-x';
  for (const s of specs) {
    const at = s.path.length ? `__fish_seen_subcommand_from ${s.path[s.path.length - 1]}` : '__fish_use_subcommand';
    const next = s.path.length ? `${at}; and not __fish_seen_subcommand_from ${words(s.subcommands.map((c) => c.name))}` : at;
    for (const sub of s.subcommands) lines.push(`complete -c walt -n ${fq(next)} -a ${sub.name} -d ${summary(sub.description)}`);
    if (!s.path.length) continue;
    for (const f of s.flags) {
      const names = f.names.map((n) => (n.startsWith('--') ? `-l ${n.slice(2)}` : `-s ${n.slice(1)}`)).join(' ');
      lines.push(`complete -c walt -n ${fq(at)} ${names}${f.value ? ` ${values(f.value)}` : ''} -d ${summary(f.description)}`);
    }
    if (s.operand && !s.subcommands.length) lines.push(`complete -c walt -n ${fq(at)} ${values(s.operand).replace(/^-[xr] /, '')}`);
  }
  return lines.join('\n') + '\n';
}
