/**
 * The CEL seam of ValidatingAdmissionPolicy: one function, `evaluate`. It stands in for the
 * shared CEL module (api/crd/cel-*.ts) until that is merged, on the same npm implementation
 * (@marcbachmann/cel-js). Kubernetes hands CEL integers as int, not double: JSON integers
 * become BigInt before evaluation, and results come back as JSON numbers.
 */
import { evaluate as celEvaluate } from '@marcbachmann/cel-js';

export type CelResult = { ok: true; value: unknown } | { ok: false; error: string };

function toCel(v: unknown): unknown {
  if (typeof v === 'number') return Number.isInteger(v) ? BigInt(v) : v;
  if (Array.isArray(v)) return v.map(toCel);
  if (v !== null && typeof v === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) out[k] = toCel(x);
    return out;
  }
  return v;
}

function fromCel(v: unknown): unknown {
  return typeof v === 'bigint' ? Number(v) : v;
}

/** Evaluates `expression` with `vars` bound (object, oldObject, request, params, …); errors as data. */
export function evaluate(expression: string, vars: Record<string, unknown>): CelResult {
  try {
    return { ok: true, value: fromCel(celEvaluate(expression, toCel(vars) as Record<string, unknown>)) };
  } catch (e) {
    return { ok: false, error: (e instanceof Error ? e.message : String(e)).split('\n')[0]! };
  }
}
