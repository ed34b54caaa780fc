/**
 * The status conditions the namespace controller keeps on a Terminating namespace
 * (pkg/controller/namespace/deletion/status_condition_utils.go): each of the five types
 * is always present — True with the failure's reason while a problem stands, False with
 * the "all is well" reason otherwise. A condition's lastTransitionTime changes only when
 * its status does.
 */
import type { NamespaceCondition } from 'kubernetes-types/core/v1.js';

export const CONDITION_TYPES = [
  'NamespaceDeletionDiscoveryFailure',
  'NamespaceDeletionGroupVersionParsingFailure',
  'NamespaceDeletionContentFailure',
  'NamespaceContentRemaining',
  'NamespaceFinalizersRemaining',
] as const;
export type NamespaceConditionType = (typeof CONDITION_TYPES)[number];

const OK: Record<NamespaceConditionType, { reason: string; message: string }> = {
  NamespaceDeletionDiscoveryFailure: { reason: 'ResourcesDiscovered', message: 'All resources successfully discovered' },
  NamespaceDeletionGroupVersionParsingFailure: { reason: 'ParsedGroupVersions', message: 'All legacy kube types successfully parsed' },
  NamespaceDeletionContentFailure: { reason: 'ContentDeleted', message: 'All content successfully deleted, may be waiting on finalization' },
  NamespaceContentRemaining: { reason: 'ContentRemoved', message: 'All content successfully removed' },
  NamespaceFinalizersRemaining: { reason: 'ContentHasNoFinalizers', message: 'All content-preserving finalizers finished' },
};

/** What one pass over the namespace's content found. */
export interface ContentTotals {
  /** "resource.group" (core: "pods.") → objects still there. */
  remaining: ReadonlyMap<string, number>;
  /** finalizer → objects still holding it. */
  finalizers: ReadonlyMap<string, number>;
  /** Messages of the per-resource deletion failures. */
  deleteErrors: readonly string[];
  /** Set when discovering the deletable resources failed. */
  discoveryError?: string;
}

type Problem = { reason: string; message: string };

/** Kubernetes' utilerrors.NewAggregate formatting: one error as is, several in brackets. */
const aggregate = (errs: readonly string[]): string => (errs.length === 1 ? errs[0]! : `[${errs.join(', ')}]`);

function problems(t: ContentTotals): Partial<Record<NamespaceConditionType, Problem>> {
  const out: Partial<Record<NamespaceConditionType, Problem>> = {};
  if (t.discoveryError) out.NamespaceDeletionDiscoveryFailure = { reason: 'DiscoveryFailed', message: t.discoveryError };
  if (t.deleteErrors.length > 0) {
    out.NamespaceDeletionContentFailure = {
      reason: 'ContentDeletionFailed',
      message: `Failed to delete all resource types, ${t.deleteErrors.length} remaining: ${aggregate(t.deleteErrors)}`,
    };
  }
  if (t.remaining.size > 0) {
    const parts = [...t.remaining].map(([gr, n]) => `${gr} has ${n} resource instances`).sort();
    out.NamespaceContentRemaining = { reason: 'SomeResourcesRemain', message: `Some resources are remaining: ${parts.join(', ')}` };
  }
  if (t.finalizers.size > 0) {
    const parts = [...t.finalizers].map(([f, n]) => `${f} in ${n} resource instances`).sort();
    out.NamespaceFinalizersRemaining = { reason: 'SomeFinalizersRemain', message: `Some content in the namespace has finalizers remaining: ${parts.join(', ')}` };
  }
  return out;
}

/**
 * The namespace's conditions after a pass, or null when nothing changed (no write needed).
 * Conditions of other types are kept.
 */
export function nextConditions(current: readonly NamespaceCondition[] | undefined, totals: ContentTotals, now: string): NamespaceCondition[] | null {
  const prev = current ?? [];
  const found = problems(totals);
  const ours: NamespaceCondition[] = CONDITION_TYPES.map((type) => {
    const p = found[type];
    const want = { type, status: p ? 'True' : 'False', reason: p?.reason ?? OK[type].reason, message: p?.message ?? OK[type].message };
    const old = prev.find((c) => c.type === type);
    const lastTransitionTime = old && old.status === want.status && old.lastTransitionTime ? old.lastTransitionTime : now;
    return { ...want, lastTransitionTime };
  });
  const others = prev.filter((c) => !(CONDITION_TYPES as readonly string[]).includes(c.type));
  const next = [...others, ...ours];
  const same = (a: NamespaceCondition, b: NamespaceCondition | undefined) =>
    b !== undefined && a.status === b.status && a.reason === b.reason && a.message === b.message;
  const changed = prev.length !== next.length || next.some((c) => !same(c, prev.find((p) => p.type === c.type)));
  return changed ? next : null;
}
