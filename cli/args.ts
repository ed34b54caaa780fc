import { parseArgs, type ParseArgsConfig } from 'node:util';

/** A bad command line: printed with the command's usage, exit code 2. */
export class UsageError extends Error {}

/** A failure the user can act on (a server that refuses us, a port in use): printed as one line, exit code 1. */
export class CliError extends Error {}

/** node:util parseArgs with errors turned into UsageError (so the CLI can print usage). */
export function parse<T extends ParseArgsConfig['options']>(argv: string[], options: T) {
  try {
    return parseArgs({ args: argv, options, allowPositionals: true, strict: true });
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
}

/** Parses a non-negative integer flag value. */
export function intFlag(name: string, value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new UsageError(`--${name} must be a non-negative integer, got "${value}"`);
  return n;
}
