import { parseArgs, type ParseArgsConfig } from 'node:util';
import { parseGoDuration } from '../api/duration.ts';
import { parseCidr } from '../api/ipv4.ts';

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

/** The longest delay a Node timer holds (2^31-1 ms, about 24.8 days); a longer one would fire at once. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/** Parses a Go duration flag value ("60s", "1m30s") into ms: not negative, and no longer than a timer holds. */
export function durationFlag(name: string, value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  const ms = parseGoDuration(value);
  if (ms === null) throw new UsageError(`--${name} must be a duration like 50s or 1m30s, got "${value}"`);
  if (ms < 0) throw new UsageError(`--${name} can not be negative value`);
  if (ms > MAX_TIMER_MS) throw new UsageError(`--${name} must be at most 596h, got "${value}"`);
  return ms;
}

/** Checks an IPv4 CIDR flag value (`127.0.2.0/24`); undefined stays undefined. */
export function cidrFlag(name: string, value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  try {
    parseCidr(value);
  } catch (err) {
    throw new UsageError(`--${name}: ${(err as Error).message}`);
  }
  return value;
}
