/** Taints and tolerations (k8s.io/api/core/v1 toleration.go, component-helpers/scheduling). */
import type { Taint, Toleration } from 'kubernetes-types/core/v1.js';

/**
 * Toleration.ToleratesTaint: an empty effect or key matches any; operator Exists ignores the
 * value, Equal (the default) compares it.
 */
export function toleratesTaint(t: Toleration, taint: Taint): boolean {
  if (t.effect && t.effect !== taint.effect) return false;
  if (t.key && t.key !== taint.key) return false;
  switch (t.operator ?? 'Equal') {
    case 'Exists': return true;
    case 'Equal':
    case '': return (t.value ?? '') === (taint.value ?? '');
    default: return false;
  }
}

export function tolerated(tolerations: readonly Toleration[] | undefined, taint: Taint): boolean {
  for (const t of tolerations ?? []) if (toleratesTaint(t, taint)) return true;
  return false;
}

/** FindMatchingUntoleratedTaint: the first taint `include` selects that no toleration covers. */
export function firstUntoleratedTaint(
  taints: readonly Taint[] | undefined,
  tolerations: readonly Toleration[] | undefined,
  include: (t: Taint) => boolean,
): Taint | undefined {
  for (const taint of taints ?? []) {
    if (include(taint) && !tolerated(tolerations, taint)) return taint;
  }
  return undefined;
}
