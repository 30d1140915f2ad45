/** Option parsers shared by commands: they turn bad values into usage errors (exit 2). */
import { InvalidArgumentError, Option, type Command } from 'commander';

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
export function acceptSecretFlags(cmd: Command): void {
  if (cmd.commands.length > 0) return cmd.commands.forEach(acceptSecretFlags);
  if (cmd.options.some((o) => o.long === '--show-secrets')) return;
  const show = showSecretsOption();
  show.description = 'accepted as on every command; this one prints no values, passwords or tokens to show';
  const prefix = secretPrefixOption();
  prefix.description = 'accepted as on every command; this one prints no values to withhold';
  cmd.addOption(show).addOption(prefix);
}
