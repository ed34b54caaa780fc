/**
 * resource.Quantity (k8s.io/apimachinery/pkg/api/resource): fixed-point numbers with SI,
 * binary and exponent suffixes ("100m", "1.5Gi", "1e3"). Values are held exactly as a count
 * of nano-units; like Kubernetes, anything finer than 1n is rounded up.
 */
import { badRequest, fail, ok, type Result } from '../base/status.ts';

export type QuantityFormat = 'DecimalSI' | 'BinarySI' | 'DecimalExponent';

/** A parsed quantity: `nano` is the value times 10^9; `format` is how it was written. */
export interface Quantity {
  readonly nano: bigint;
  readonly format: QuantityFormat;
}

export const ERR_FORMAT_WRONG = "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'";
export const ERR_NUMERIC = 'unable to parse numeric part of quantity';
export const ERR_SUFFIX = "unable to parse quantity's suffix";

const SHAPE = /^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$/;
const DECIMAL_EXP: Record<string, number> = { n: -9, u: -6, m: -3, '': 0, k: 3, M: 6, G: 9, T: 12, P: 15, E: 18 };
const BINARY_EXP: Record<string, number> = { Ki: 10, Mi: 20, Gi: 30, Ti: 40, Pi: 50, Ei: 60 };
const NANO = 1_000_000_000n;
/** The largest value a BinarySI quantity holds: Go caps it at 2^63-1 units. */
const MAX_BINARY = ((1n << 63n) - 1n) * NANO;
/**
 * The largest decimal exponent parsed. Go keeps "1e99999999" as a scaled decimal; held here
 * as an exact count of nano-units it would be a 100-million-digit number, so a ten-byte
 * field could cost a request seconds and hundreds of megabytes. Beyond this it is
 * ERR_NUMERIC (no real resource amount comes near 10^1000).
 */
export const MAX_DECIMAL_EXPONENT = 1000;

/** Parses a quantity string, with Kubernetes' error messages. */
export function parseQuantity(text: string): Result<Quantity> {
  const m = SHAPE.exec(text.trim() === text ? text : '');
  if (!m || text.length === 0) return fail(badRequest(ERR_FORMAT_WRONG));
  const num = m[1] ?? '';
  const suffix = m[2] ?? '';
  const nm = /^([+-]?)([0-9]*)(?:\.([0-9]*))?$/.exec(num);
  if (!nm || (nm[2] === '' && (nm[3] ?? '') === '')) return fail(badRequest(ERR_NUMERIC));
  const negative = nm[1] === '-';
  const intPart = nm[2] ?? '';
  const fracPart = nm[3] ?? '';
  // mantissa / 10^fracLen is the written number
  const mantissa = BigInt((intPart || '0') + fracPart);
  const fracLen = fracPart.length;

  let format: QuantityFormat;
  let exp10 = 0;
  let exp2 = 0;
  if (suffix in BINARY_EXP) {
    format = 'BinarySI';
    exp2 = BINARY_EXP[suffix] ?? 0;
  } else if (suffix in DECIMAL_EXP) {
    format = 'DecimalSI';
    exp10 = DECIMAL_EXP[suffix] ?? 0;
  } else if (/^[eE][-+]?[0-9]+$/.test(suffix)) {
    format = 'DecimalExponent';
    exp10 = Number(suffix.slice(1));
    if (exp10 > MAX_DECIMAL_EXPONENT) return fail(badRequest(ERR_NUMERIC));
  } else {
    return fail(badRequest(ERR_SUFFIX));
  }
  // nano = ceil(mantissa * 2^exp2 * 10^(exp10 + 9 - fracLen)), rounded up below 1n as Kubernetes does.
  const shift = exp10 + 9 - fracLen;
  let nano: bigint;
  if (shift >= 0) nano = (mantissa << BigInt(exp2)) * 10n ** BigInt(shift);
  else if (-shift > String(mantissa).length + Math.ceil(exp2 * Math.LOG10E * Math.LN2) + 1) {
    // A divisor with more digits than the dividend: the value is below 1n, so it is 1n (or 0),
    // without building 10^|shift| for an exponent like "1e-99999999".
    nano = mantissa === 0n ? 0n : 1n;
  } else {
    const num = mantissa << BigInt(exp2);
    const den = 10n ** BigInt(-shift);
    nano = num / den;
    if (nano * den !== num) nano += 1n;
  }
  if (format === 'BinarySI') {
    if (nano > MAX_BINARY) nano = MAX_BINARY; // Go's "simple cap"
    if (nano > 0n && nano < NANO) format = 'DecimalSI'; // as Go re-labels a fraction of one
  }
  return ok({ nano: negative ? -nano : nano, format });
}

/** True when `text` parses as a quantity. */
export function isQuantity(text: string): boolean {
  return parseQuantity(text).ok;
}

/** A quantity from an integer count of units (e.g. bytes or cores). */
export function quantityFromInt(n: number | bigint, format: QuantityFormat = 'DecimalSI'): Quantity {
  return { nano: BigInt(n) * NANO, format };
}

/** -1, 0 or 1 as `a` is less than, equal to or greater than `b`. */
export function compareQuantity(a: Quantity, b: Quantity): -1 | 0 | 1 {
  return a.nano < b.nano ? -1 : a.nano > b.nano ? 1 : 0;
}

/** a + b, in a's format (Kubernetes keeps the receiver's format). */
export function addQuantity(a: Quantity, b: Quantity): Quantity {
  return { nano: a.nano + b.nano, format: a.format };
}

/** a - b, in a's format. */
export function subQuantity(a: Quantity, b: Quantity): Quantity {
  return { nano: a.nano - b.nano, format: a.format };
}

/** The value in milli-units, rounded up (Quantity.MilliValue): "100m" → 100n, "1" → 1000n. */
export function toMilli(q: Quantity): bigint {
  return ceilDiv(q.nano, 1_000_000n);
}

/** The value in whole units, rounded up (Quantity.Value): "1Gi" → 1073741824n bytes. */
export function toUnits(q: Quantity): bigint {
  return ceilDiv(q.nano, NANO);
}

/** Same as toUnits, named for memory and storage. */
export const toBytes = toUnits;

/** As a JavaScript number of units (may lose precision past 2^53). */
export function toNumber(q: Quantity): number {
  return Number(q.nano) / 1e9;
}

function ceilDiv(a: bigint, b: bigint): bigint {
  const q = a / b;
  return q * b === a || a < 0n ? q : q + 1n;
}

const DECIMAL_SUFFIX: Record<number, string> = { [-9]: 'n', [-6]: 'u', [-3]: 'm', 0: '', 3: 'k', 6: 'M', 9: 'G', 12: 'T', 15: 'P', 18: 'E' };
const BINARY_SUFFIX = ['', 'Ki', 'Mi', 'Gi', 'Ti', 'Pi', 'Ei'];

/** The canonical string (Quantity.String): "1500m", "2k", "1Gi", "1536", "1e3". */
export function formatQuantity(q: Quantity): string {
  if (q.nano === 0n) return '0';
  const sign = q.nano < 0n ? '-' : '';
  const abs = q.nano < 0n ? -q.nano : q.nano;
  if (q.format === 'BinarySI' && abs % NANO === 0n && abs / NANO >= 1024n) {
    let n = abs / NANO;
    let i = 0;
    while (n % 1024n === 0n && i < BINARY_SUFFIX.length - 1) {
      n /= 1024n;
      i++;
    }
    return `${sign}${n}${BINARY_SUFFIX[i]}`;
  }
  let n = abs;
  let exp = -9;
  // Suffixes end at E (10^18); an exponent has no end ("1e21", as Go prints it).
  while (n % 1000n === 0n && (exp < 18 || q.format === 'DecimalExponent')) {
    n /= 1000n;
    exp += 3;
  }
  if (q.format === 'DecimalExponent') return `${sign}${n}${exp === 0 ? '' : `e${exp}`}`;
  return `${sign}${n}${DECIMAL_SUFFIX[exp] ?? ''}`;
}

/** Parses and re-formats: what the apiserver stores for a quantity field. */
export function canonicalQuantity(text: string): Result<string> {
  const r = parseQuantity(text);
  return r.ok ? ok(formatQuantity(r.value)) : r;
}
