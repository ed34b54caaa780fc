/**
 * ClusterRole aggregation (pkg/controller/clusterroleaggregation): an aggregated ClusterRole's
 * rules are the rules of every ClusterRole its aggregationRule selects, each rule once, in the
 * order of the selected roles' names.
 */
import type { ClusterRole, PolicyRule } from 'kubernetes-types/rbac/v1.js';
import { labelSelectorMatches } from '../selectors/labels.ts';

/** The rules `role` should hold, or null when it has no aggregationRule. */
export function aggregatedRules(role: ClusterRole, all: Iterable<ClusterRole>): PolicyRule[] | null {
  const selectors = role.aggregationRule?.clusterRoleSelectors;
  if (!selectors) return null;
  const selected = [...all]
    .filter((r) => r.metadata?.name !== role.metadata?.name && selectors.some((sel) => labelSelectorMatches(sel, r.metadata?.labels)))
    .sort((a, b) => (a.metadata?.name ?? '').localeCompare(b.metadata?.name ?? ''));
  const out: PolicyRule[] = [];
  const seen = new Set<string>();
  for (const r of selected) {
    for (const rule of r.rules ?? []) {
      const key = JSON.stringify(rule);
      if (seen.has(key)) continue;
      seen.add(key);
      out.push(rule);
    }
  }
  return out;
}

/** Whether two rule lists are the same (the controller writes only on a change). */
export const sameRules = (a: readonly PolicyRule[] | undefined, b: readonly PolicyRule[] | undefined): boolean =>
  JSON.stringify(a ?? []) === JSON.stringify(b ?? []);
