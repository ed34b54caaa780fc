/**
 * The CEL seam of ValidatingAdmissionPolicy and webhook matchConditions: one function,
 * `evaluate`, over the shared CEL environment (api/crd/cel-env.ts: the standard library,
 * optionals and Kubernetes' libraries, as CRD rules have them). The variables (object,
 * oldObject, request, params, namespaceObject, variables) are declared `dyn`; JSON integers
 * become CEL ints, and results come back as JSON.
 */
import { compileCel, fromCelValue, toCelValue } from '../../../api/crd/cel-env.ts';

export type CelResult = { ok: true; value: unknown } | { ok: false; error: string };

/** Evaluates `expression` with `vars` bound; a compile or runtime error is data, never thrown. */
export function evaluate(expression: string, vars: Record<string, unknown>): CelResult {
  const compiled = compileCel(expression, Object.keys(vars).map((name) => ({ name, type: 'dyn' })));
  if (!compiled.ok) return { ok: false, error: compiled.error };
  const r = compiled.program.evaluate(toCelValue(vars) as Record<string, unknown>);
  return r.ok ? { ok: true, value: fromCelValue(r.value) } : r;
}
