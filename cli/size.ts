import { UsageError } from './args.ts';

const UNITS: Record<string, number> = { '': 1, k: 1e3, M: 1e6, G: 1e9, Ki: 1024, Mi: 1024 ** 2, Gi: 1024 ** 3 };

/** Parses a byte size flag: a whole number with an optional k/M/G or Ki/Mi/Gi suffix (Kubernetes' quantity suffixes). */
export function sizeFlag(name: string, value: string): number {
  const m = /^(\d+)(k|M|G|Ki|Mi|Gi)?$/.exec(value);
  if (!m) throw new UsageError(`--${name} must be a size like 512Ki, 64Mi or 1G, got "${value}"`);
  const bytes = Number(m[1]) * UNITS[m[2] ?? '']!;
  if (bytes <= 0) throw new UsageError(`--${name} must be more than 0`);
  return bytes;
}
