/**
 * What quota admission decides (plugin/pkg/admission/resourcequota/controller.go checkRequest)
 * and what the resource-quota controller counts (quota.CalculateUsage), over plain objects:
 * the apiserver supplies the quotas of the namespace, the controller its informers' objects.
 */
import type { ResourceQuota, ScopedResourceSelectorRequirement } from 'kubernetes-types/core/v1.js';
import { evaluatorFor, type Counted, type Evaluator } from './evaluators.ts';
import { add, formatList, lessThanOrEqual, mask, names, negative, parseList, prettyPrint, removeZeros, subtractNonNegative, ZERO, type Usage } from './resources.ts';

/** A quota's scopes and scope selector as one list of requirements (GetScopeSelectorsFromQuota). */
export function scopeSelectors(q: ResourceQuota): ScopedResourceSelectorRequirement[] {
  return [
    ...(q.spec?.scopes ?? []).map((scopeName) => ({ scopeName, operator: 'Exists' })),
    ...(q.spec?.scopeSelector?.matchExpressions ?? []),
  ];
}

/** Whether `q` applies to `obj` (evaluator.Matches): it tracks a name the evaluator counts and every scope matches. */
export function quotaMatches(ev: Evaluator, q: ResourceQuota, obj: Counted, hard: readonly string[] = names(parseList(q.status?.hard))): boolean {
  return ev.matchingResources(hard).length > 0 && scopeSelectors(q).every((s) => ev.matchesScope(s, obj));
}

export type QuotaDecision =
  /** Admitted; `charged` are the quotas whose status.used grows (empty when none does). */
  | { allowed: true; charged: ResourceQuota[] }
  /** Refused with the reason admission.NewForbidden quotes. */
  | { allowed: false; reason: string };

/**
 * Quota admission for a create (`old` absent) or a charged update of `obj` against the
 * namespace's quotas, as their status stands: refused when a matching quota has no status for
 * what it tracks, when the object breaks an evaluator constraint, or when the new usage would
 * pass a hard limit (`exceeded quota: q, requested: …, used: …, limited: …`).
 */
export function checkQuotas(gr: string, quotas: readonly ResourceQuota[], obj: Counted, old?: Counted, nowMs?: number): QuotaDecision {
  const ev = evaluatorFor(gr);
  if (old && !ev.chargesUpdates) return { allowed: true, charged: [] };
  const interesting: ResourceQuota[] = [];
  for (const q of [...quotas].sort((a, b) => (a.metadata?.name ?? '').localeCompare(b.metadata?.name ?? ''))) {
    const hard = names(parseList(q.status?.hard));
    if (!quotaMatches(ev, q, obj, hard)) continue;
    const restricted = ev.matchingResources(hard);
    const why = ev.constraints(restricted, obj);
    if (why.length) return { allowed: false, reason: `failed quota: ${q.metadata?.name ?? ''}: ${aggregate(why)}` };
    const used = q.status?.used ?? {};
    if (restricted.some((n) => used[n] === undefined)) {
      return { allowed: false, reason: `status unknown for quota: ${q.metadata?.name ?? ''}, resources: ${restricted.join(',')}` };
    }
    interesting.push(q);
  }
  if (!interesting.length) return { allowed: true, charged: [] };
  let delta = ev.usage(obj, nowMs);
  const neg = negative(delta);
  if (neg.length) return { allowed: false, reason: `quota usage is negative for resource(s): ${neg.join(',')}` };
  if (old) delta = subtractNonNegative(delta, ev.usage(old, nowMs));
  delta = removeZeros(delta);
  if (!Object.keys(delta).length) return { allowed: true, charged: [] };
  const charged: ResourceQuota[] = [];
  for (const q of interesting) {
    const hard = parseList(q.status?.hard);
    const used = parseList(q.status?.used);
    const requested = mask(delta, names(hard));
    if (!Object.keys(requested).length) continue;
    const next = add(used, requested);
    const verdict = lessThanOrEqual(mask(next, names(requested)), hard);
    if (!verdict.allowed) {
      const x = verdict.exceeded;
      return {
        allowed: false,
        reason: `exceeded quota: ${q.metadata?.name ?? ''}, requested: ${prettyPrint(mask(requested, x))}, used: ${prettyPrint(mask(used, x))}, limited: ${prettyPrint(mask(hard, x))}`,
      };
    }
    charged.push({ ...q, status: { ...q.status, used: formatList(next) } });
  }
  return { allowed: true, charged };
}

/** utilerrors.NewAggregate's text: the one message, or `[a, b]`. */
export function aggregate(msgs: readonly string[]): string {
  return msgs.length === 1 ? msgs[0]! : `[${msgs.join(', ')}]`;
}

/** Registry keys of resources with their own evaluator, and the legacy count names of the others. */
const NAMED: Readonly<Record<string, string>> = {
  configmaps: 'configmaps',
  secrets: 'secrets',
  replicationcontrollers: 'replicationcontrollers',
  resourcequotas: 'resourcequotas',
  services: 'services',
  'services.loadbalancers': 'services',
  'services.nodeports': 'services',
  persistentvolumeclaims: 'persistentvolumeclaims',
  'requests.storage': 'persistentvolumeclaims',
};

/** The resources (registry keys) whose objects a quota's hard names count. */
export function trackedResources(hard: readonly string[]): string[] {
  const out = new Set<string>();
  for (const n of hard) {
    if (n.startsWith('count/')) out.add(n.slice('count/'.length));
    else if (NAMED[n]) out.add(NAMED[n]);
    else if (n.includes('.storageclass.storage.k8s.io/')) out.add('persistentvolumeclaims');
    else if (evaluatorFor('pods').matchingResources([n]).length) out.add('pods');
  }
  return [...out].sort();
}

/**
 * quota.CalculateUsage: status.used for `q` from the objects of its namespace, by resource
 * (`objects(gr)`); every tracked name is present, zero when nothing uses it.
 */
export function calculateUsage(q: ResourceQuota, objects: (gr: string) => readonly Counted[], nowMs?: number): Record<string, string> {
  const hard = names(parseList(q.spec?.hard));
  let used: Usage = {};
  for (const gr of trackedResources(hard)) {
    const ev = evaluatorFor(gr);
    const matched = ev.matchingResources(hard);
    if (!matched.length) continue;
    let sum: Usage = Object.fromEntries(matched.map((n) => [n, ZERO]));
    for (const o of objects(gr)) if (scopeSelectors(q).every((s) => ev.matchesScope(s, o))) sum = add(sum, mask(ev.usage(o, nowMs), matched));
    used = add(used, sum);
  }
  return formatList(mask(used, hard));
}
