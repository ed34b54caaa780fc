/**
 * Which webhooks and policies a request reaches (k8s.io/apiserver/pkg/admission/plugin/webhook/
 * predicates and .../policy/matching): rules by operation, group, version, resource with its
 * subresource and scope; matchPolicy Equivalent (the same group and resource at another
 * version still matches: each resource is served at one version here, so the object is sent
 * as it is) or Exact; the namespace selector against the namespace's labels (the Namespace's
 * own labels when it is the object; cluster-scoped objects always match); the object
 * selector against the new or the old object's labels.
 */
import type { LabelSelector } from 'kubernetes-types/meta/v1.js';
import { labelSelectorMatches } from '../selectors/labels.ts';
import type { AdmissionAttributes } from './attributes.ts';
import type { MatchResources, NamedRuleWithOperations, RuleWithOperations } from './types.ts';

const has = (list: readonly string[] | undefined, v: string): boolean => !!list && (list.includes('*') || list.includes(v));

/** A resource pattern ("pods", "*", "pods/*", "*\/status", "*\/*") against resource + subresource. */
export function resourceMatches(patterns: readonly string[] | undefined, resource: string, subresource: string): boolean {
  const want = subresource ? `${resource}/${subresource}` : resource;
  for (const p of patterns ?? []) {
    if (p === '*/*' || p === want) return true;
    const [res = '', sub] = p.split('/', 2);
    if (sub === undefined) {
      if (res === '*' && !subresource) return true;
    } else if ((res === '*' || res === resource) && (sub === '*' || sub === subresource) && subresource) return true;
  }
  return false;
}

function scopeMatches(scope: string | undefined, a: AdmissionAttributes): boolean {
  if (!scope || scope === '*') return true;
  // A Namespace is cluster-scoped; subresources have their parent's scope.
  return scope === 'Namespaced' ? a.namespaced : !a.namespaced;
}

/** One rule against the request; `exact` (matchPolicy Exact) also requires the version. */
export function ruleMatches(rule: RuleWithOperations | NamedRuleWithOperations, a: AdmissionAttributes, exact: boolean): boolean {
  if (!has(rule.operations, a.operation)) return false;
  if (!has(rule.apiGroups, a.group)) return false;
  if (exact && !has(rule.apiVersions, a.version)) return false;
  if (!resourceMatches(rule.resources, a.resource, a.subresource)) return false;
  if (!scopeMatches(rule.scope, a)) return false;
  if ('resourceNames' in rule && rule.resourceNames?.length && !rule.resourceNames.includes(a.name)) return false;
  return true;
}

/** Rules under a matchPolicy: Equivalent tries the exact match first, then any version of the same group and resource. */
export function rulesMatch(rules: readonly (RuleWithOperations | NamedRuleWithOperations)[] | undefined, a: AdmissionAttributes, matchPolicy: string | undefined): boolean {
  const list = rules ?? [];
  if (list.some((r) => ruleMatches(r, a, true))) return true;
  return matchPolicy !== 'Exact' && list.some((r) => ruleMatches(r, a, false));
}

/** The labels the namespace selector is matched against; null: the selector does not apply (cluster-scoped). */
export function namespaceLabelsFor(a: AdmissionAttributes, labelsOf: (namespace: string) => Record<string, string> | undefined): Record<string, string> | null {
  if (a.group === '' && a.resource === 'namespaces') return (a.object ?? a.oldObject)?.metadata?.labels ?? {};
  if (!a.namespaced) return null;
  return labelsOf(a.namespace) ?? {};
}

/** The selectors of a webhook or policy (unset means everything; a nil selector object selects nothing). */
export interface Selectors {
  namespaceSelector?: LabelSelector;
  objectSelector?: LabelSelector;
}

export function selectorsMatch(sel: Selectors, a: AdmissionAttributes, namespaceLabels: Record<string, string> | null): boolean {
  if (namespaceLabels !== null && !labelSelectorMatches(sel.namespaceSelector ?? {}, namespaceLabels)) return false;
  const objectSel = sel.objectSelector ?? {};
  const labels = [a.object, a.oldObject].filter((o) => o !== undefined).map((o) => o!.metadata?.labels ?? {});
  return labels.some((l) => labelSelectorMatches(objectSel, l));
}

/** A policy's matchConstraints or a binding's matchResources: selectors, resource rules, exclusions. */
export function resourcesMatch(m: MatchResources | undefined, a: AdmissionAttributes, namespaceLabels: Record<string, string> | null): boolean {
  if (!m) return true;
  if (!selectorsMatch(m, a, namespaceLabels)) return false;
  if (m.resourceRules && !rulesMatch(m.resourceRules, a, m.matchPolicy)) return false;
  return !(m.excludeResourceRules ?? []).some((r) => ruleMatches(r, a, m.matchPolicy === 'Exact'));
}
