/**
 * Resource lists as quota counts them (k8s.io/apiserver/pkg/quota/v1/resources.go): named
 * quantities that are added, subtracted, masked to the names a quota tracks and compared with
 * its hard limits. Pure: no I/O, no clock.
 */
import { addQuantity, compareQuantity, formatQuantity, parseQuantity, subQuantity, type Quantity } from '../quantity.ts';

/** Quantities by resource name ("requests.cpu" → 500m). */
export type Usage = Readonly<Record<string, Quantity>>;

/** A ResourceList as JSON carries it (`{"cpu": "500m"}`) parsed; a value that does not parse is left out (validation refused it already). */
export function parseList(list: Readonly<Record<string, unknown>> | undefined): Usage {
  const out: Record<string, Quantity> = {};
  for (const [k, v] of Object.entries(list ?? {})) {
    const q = parseQuantity(String(v));
    if (q.ok) out[k] = q.value;
  }
  return out;
}

/** The JSON form, in sorted key order (what a status stores). */
export function formatList(u: Usage): Record<string, string> {
  const out: Record<string, string> = {};
  for (const k of names(u)) out[k] = formatQuantity(u[k]!);
  return out;
}

/** The resource names of a list, sorted. */
export function names(u: Usage): string[] {
  return Object.keys(u).sort();
}

/** a + b; a name in only one of them keeps that one's quantity. */
export function add(a: Usage, b: Usage): Usage {
  const out: Record<string, Quantity> = { ...a };
  // A zero takes the other's format, as Quantity.Add does: 0 + 1Gi is 1Gi, not 1073741824.
  for (const [k, q] of Object.entries(b)) out[k] = out[k] && out[k].nano !== 0n ? addQuantity(out[k], q) : out[k] ? { nano: q.nano, format: q.format } : q;
  return out;
}

/** a - b over the names of both (quota.Subtract). */
export function subtract(a: Usage, b: Usage): Usage {
  const out: Record<string, Quantity> = { ...a };
  for (const [k, q] of Object.entries(b)) out[k] = out[k] ? subQuantity(out[k], q) : { nano: -q.nano, format: q.format };
  return out;
}

/** a - b with nothing below zero (quota.SubtractWithNonNegativeResult): an update is charged only what it adds. */
export function subtractNonNegative(a: Usage, b: Usage): Usage {
  const out: Record<string, Quantity> = {};
  for (const [k, q] of Object.entries(subtract(a, b))) out[k] = q.nano < 0n ? { nano: 0n, format: q.format } : q;
  return out;
}

/** Only the names in `keep` (quota.Mask). */
export function mask(u: Usage, keep: Iterable<string>): Usage {
  const out: Record<string, Quantity> = {};
  for (const k of keep) if (u[k]) out[k] = u[k];
  return out;
}

/** Without the zero quantities (quota.RemoveZeros). */
export function removeZeros(u: Usage): Usage {
  return Object.fromEntries(Object.entries(u).filter(([, q]) => q.nano !== 0n));
}

/** Names whose quantity is negative (quota.IsNegative), sorted. */
export function negative(u: Usage): string[] {
  return names(u).filter((k) => u[k]!.nano < 0n);
}

/** Whether every name in `a` that `b` limits is within it, and the names that are not (quota.LessThanOrEqual). */
export function lessThanOrEqual(a: Usage, b: Usage): { allowed: boolean; exceeded: string[] } {
  const exceeded = names(a).filter((k) => b[k] !== undefined && compareQuantity(a[k]!, b[k]!) > 0);
  return { allowed: exceeded.length === 0, exceeded };
}

/** Same names with equal quantities (quota.Equals). */
export function equals(a: Usage, b: Usage): boolean {
  const ka = names(a);
  const kb = names(b);
  return ka.length === kb.length && ka.every((k, i) => k === kb[i] && compareQuantity(a[k]!, b[k]!) === 0);
}

/** `requests.cpu=2,pods=1`: sorted `name=quantity` pairs (the quota admission's prettyPrint). */
export function prettyPrint(u: Usage): string {
  return names(u).map((k) => `${k}=${formatQuantity(u[k]!)}`).join(',');
}

/** The quantity 1, as object counts charge it. */
export const ONE: Quantity = { nano: 1_000_000_000n, format: 'DecimalSI' };
/** The quantity 0, as an unused resource shows. */
export const ZERO: Quantity = { nano: 0n, format: 'DecimalSI' };

/** `n` units. */
export const count = (n: number): Quantity => ({ nano: BigInt(n) * 1_000_000_000n, format: 'DecimalSI' });
