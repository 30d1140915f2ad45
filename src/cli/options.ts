/** Option parsers shared by commands: they turn bad values into usage errors (exit 2). */
import { InvalidArgumentError, Option } from 'commander';

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
