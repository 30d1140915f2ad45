/** Option parsers shared by commands: they turn bad values into usage errors (exit 2). */
import { InvalidArgumentError, Option, type Argument, type Command } from 'commander';
import chalk from 'chalk';
import { EXIT_USAGE } from './errors.js';
import { parseEtcdVersion } from '../state/version-rules.js';

export function parseIndex(value: string): bigint {
  if (!/^(0x[0-9a-fA-F]+|\d+)$/.test(value)) throw new InvalidArgumentError(`expected a non-negative integer, got "${value}"`);
  const n = BigInt(value);
  if (n >= 1n << 64n) throw new InvalidArgumentError(`${value} does not fit in 64 bits`);
  return n;
}

export function parseCount(value: string): number {
  if (!/^\d+$/.test(value)) throw new InvalidArgumentError(`expected a non-negative integer, got "${value}"`);
  return Number(value);
}

/** The options that choose etcd's apply rules, as replay-to-state and restore take them (state/version-rules.ts). */
export function addApplyRuleOptions(cmd: Command): Command {
  return cmd
    .option('--etcd-version <x.y.z>', "apply the rules of this etcd release (default: the cluster version the log records, its newest patch)", parseEtcdRelease)
    .option('--min-lease-ttl <seconds>', "etcd's minimum lease TTL, ceil(1.5 × --election-timeout); default 2, as etcd's default election timeout gives", (v: string) => BigInt(parsePositive(v)));
}

function parseEtcdRelease(v: string): string {
  const parsed = parseEtcdVersion(v);
  if (parsed === undefined) throw new InvalidArgumentError(`expected an etcd release X.Y.Z (or X.Y for its newest patch), got "${v}"`);
  return parsed;
}

export function parsePositive(v: string): number {
  if (!/^[1-9]\d{0,5}$/.test(v)) throw new InvalidArgumentError(`expected a positive integer, got "${v}"`);
  return Number(v);
}

/** An option that takes one of `choices`, which its help and shell completion list. */
export const choiceOption = (flags: string, description: string, choices: readonly string[]): Option => new Option(flags, description).choices(choices).argParser(oneOf(choices));

export function oneOf<T extends string>(choices: readonly T[]) {
  return (value: string): T => {
    if (!(choices as readonly string[]).includes(value)) throw new InvalidArgumentError(`expected one of ${choices.join(', ')}, got "${value}"`);
    return value as T;
  };
}

/** The flags of the secret policy (report/secrets.ts), the same on every command that prints keys' values. */
export interface SecretFlags {
  showSecrets?: boolean;
  secretPrefix: string[];
}

export const showSecretsOption = (): Option => new Option('--show-secrets', 'print passwords, auth tokens and Secrets in the clear (withheld by default)');

export const secretPrefixOption = (): Option =>
  new Option('--secret-prefix <prefix>', 'also withhold the values of keys under PREFIX (repeatable; /registry/secrets/ and /kubernetes.io/secrets/ always are)')
    .argParser((v: string, all: string[]) => [...all, v])
    .default([]);

/**
 * Every command takes the secret flags, so that one line of a script serves
 * them all; on a command that prints no keys' values, passwords or tokens
 * (verify, snap, cut, repair-tail, simulate-cluster) there is nothing to show.
 */
function acceptSecretFlags(cmd: Command): void {
  if (cmd.options.some((o) => o.long === '--show-secrets')) return;
  const show = showSecretsOption();
  show.description = 'accepted as on every command; this one prints no values, passwords or tokens to show';
  const prefix = secretPrefixOption();
  prefix.description = 'accepted as on every command; this one prints no values to withhold';
  cmd.addOption(show).addOption(prefix);
}

/**
 * etcdctl's -w, --write-out, with the formats a command prints. walt's
 * earlier spellings stay: --format FORMAT, and --json for -w json.
 */
export interface WriteOut<F extends string> {
  formats: readonly F[];
  default: F;
  /** Other names of a format: snap show's earlier "text", dump's "json" for its NDJSON. */
  aliases?: Readonly<Record<string, F>>;
}

export function addWriteOut<F extends string>(cmd: Command, w: WriteOut<F>): Command {
  const names = [...w.formats, ...Object.keys(w.aliases ?? {})];
  const parse = (v: string): F => {
    const f = (w.aliases?.[v] ?? v) as F;
    if (!w.formats.includes(f)) throw new InvalidArgumentError(`expected one of ${names.join(', ')}, got "${v}"`);
    return f;
  };
  const json = names.includes('json') ? parse('json') : undefined;
  cmd
    .addOption(new Option('-w, --write-out <format>', 'output format').choices(names).argParser(parse).default(w.default))
    .addOption(new Option('--format <format>', 'the same as --write-out').choices(names).argParser(parse).hideHelp());
  if (json !== undefined) cmd.addOption(new Option('--json', `the same as --write-out ${json}`).hideHelp());
  return cmd.hook('preAction', (c) => {
    const o = c.opts<{ writeOut: F; format?: F; json?: boolean }>();
    const given = [c.getOptionValueSource('writeOut') === 'cli' ? o.writeOut : undefined, o.format, o.json ? json : undefined].filter((f) => f !== undefined);
    if (new Set(given).size > 1) c.error(`error: --write-out, --format and --json name different formats (${given.join(', ')}); give one`, { exitCode: EXIT_USAGE, code: 'walt.writeOut' });
    if (given.length) c.setOptionValue('writeOut', given[0]);
  });
}

/**
 * What every command takes besides its own flags: the secret flags,
 * --no-color, --data-dir where it reads a data dir (etcd's flag, for the
 * positional argument), no extra arguments, and one-line usage errors.
 */
export function acceptCommonFlags(cmd: Command): void {
  oneLineUsageErrors(cmd);
  // The program (which `walt --version` builds without commands) and `snap` only pass them on.
  if (cmd.commands.length > 0 || !cmd.parent) return cmd.commands.forEach(acceptCommonFlags);
  acceptSecretFlags(cmd);
  cmd.allowExcessArguments(false);
  cmd.addOption(new Option('--no-color', 'no colour (also NO_COLOR=1; FORCE_COLOR=1 forces it)'));
  cmd.hook('preAction', (c) => {
    if (colorOff(c.opts<{ color: boolean }>().color)) chalk.level = 0;
  });
  const dir = cmd.registeredArguments[0];
  if (dir?.name() === 'data-dir') acceptDataDirFlag(cmd, dir);
}

/** --no-color wins; then FORCE_COLOR (which chalk reads too); then NO_COLOR, set and not empty (https://no-color.org). */
export function colorOff(flag: boolean | undefined, env: NodeJS.ProcessEnv = process.env): boolean {
  if (flag === false) return true;
  if (env.FORCE_COLOR !== undefined) return env.FORCE_COLOR === '0' || env.FORCE_COLOR === 'false';
  return (env.NO_COLOR ?? '') !== '';
}

/** `--data-dir DIR` as etcd and etcdutl spell it, in place of the positional DATA_DIR (repeatable where several are taken). */
function acceptDataDirFlag(cmd: Command, dir: Argument): void {
  dir.required = false;
  const option = new Option('--data-dir <dir>', dir.variadic ? 'a data dir, as etcd spells it (repeatable)' : 'the data dir, as etcd spells it: the same as the DATA_DIR argument');
  cmd.addOption(dir.variadic ? option.argParser((v: string, all: string[] = []) => [...all, v]) : option);
  cmd.hook('preAction', (c) => {
    const flag = c.opts<{ dataDir?: string | string[] }>().dataDir;
    const given = c.processedArgs[0] as string | string[] | undefined;
    if (dir.variadic) {
      const all = [...((given as string[] | undefined) ?? []), ...((flag as string[] | undefined) ?? [])];
      if (!all.length) c.error(`error: missing required argument '${dir.name()}'`, { exitCode: EXIT_USAGE, code: 'commander.missingArgument' });
      c.processedArgs[0] = all;
    } else {
      if (given !== undefined && flag !== undefined) c.error(`error: give the data dir once: as an argument ('${given}') or as --data-dir ('${flag}')`, { exitCode: EXIT_USAGE, code: 'walt.dataDir' });
      if (given === undefined && flag === undefined) c.error(`error: missing required argument '${dir.name()}' (or --data-dir)`, { exitCode: EXIT_USAGE, code: 'commander.missingArgument' });
      c.processedArgs[0] = given ?? flag;
    }
  });
}

/**
 * A usage error is one line: what was wrong, a suggestion where there is one,
 * and where the help is; never the whole help.
 */
function oneLineUsageErrors(cmd: Command): void {
  cmd.exitOverride().showHelpAfterError(false).configureOutput({ outputError: (str, write) => write(usageLine(cmd, str)) });
}

/** commander's "error: …\n(Did you mean …?)" as "walt: … (did you mean …?); see walt CMD --help". */
export function usageLine(cmd: Command, message: string): string {
  let m = message.trim().replace(/^error: /, '').replace(/\n\(Did you mean (.*)\?\)$/, ' (did you mean $1?)');
  const word = goStyleFlag(m);
  if (word && cmd.options.some((o) => o.long === `--${word}`)) m = `unknown option '-${word}' (did you mean --${word}? walt's long flags take two dashes)`;
  m = m.replace(/\.$/, '').replace(/\. (\w)/g, (_, c: string) => `: ${c.toLowerCase()}`);
  const path: string[] = [];
  for (let c: Command | null = cmd; c; c = c.parent) path.unshift(c.name());
  return `walt: ${m}; see ${path.join(' ')} --help\n`;
}

/** Go's flag package spells long flags with one dash: commander calls -start-index unknown, and reads -write-out as -w rite-out. */
function goStyleFlag(message: string): string | undefined {
  const unknown = /^unknown option '-([a-z][\w-]+)'$/.exec(message);
  if (unknown) return unknown[1];
  const short = /^option '-(\w), [^']*' argument '([\w-]+)' is invalid/.exec(message);
  return short ? short[1] + short[2] : undefined;
}
