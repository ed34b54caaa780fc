/**
 * Which level and stages a request is audited at: the first rule of the policy that matches
 * it, as kube-apiserver's policy checker (k8s.io/apiserver/pkg/audit/policy/checker.go)
 * decides; no matching rule is level None. Omitted stages are the policy's plus the rule's.
 */
import type { AuditAttributes, AuditDecision, Policy, PolicyRule, Stage } from './types.ts';

const NONE: AuditDecision = Object.freeze({ level: 'None', omitStages: new Set<Stage>(), omitManagedFields: false, namesSecrets: false });

/** Evaluates a policy against requests, its rules' stage sets computed once. */
export class PolicyChecker {
  readonly #rules: { rule: PolicyRule; decision: AuditDecision }[];
  /** No rule names objects (resourceNames): a resource request's decision does not depend on its object's name. */
  readonly nameBlind: boolean;

  constructor(policy: Policy) {
    this.nameBlind = policy.rules.every((r) => r.resources.every((g) => g.resourceNames.length === 0));
    this.#rules = policy.rules.map((rule) => ({
      rule,
      decision: {
        level: rule.level,
        omitStages: new Set([...policy.omitStages, ...rule.omitStages]),
        omitManagedFields: rule.omitManagedFields ?? policy.omitManagedFields,
        namesSecrets: namesSecrets(rule),
      },
    }));
  }

  /** The decision of the first rule matching `attrs`, or level None. */
  decide(attrs: AuditAttributes): AuditDecision {
    for (const { rule, decision } of this.#rules) if (ruleMatches(rule, attrs)) return decision;
    return NONE;
  }
}

/** A rule that lists the core group's `secrets` (or one of their subresources) by name. */
function namesSecrets(rule: PolicyRule): boolean {
  return rule.resources.some((g) => g.group === '' && g.resources.some((r) => r === 'secrets' || r.startsWith('secrets/')));
}

function ruleMatches(r: PolicyRule, a: AuditAttributes): boolean {
  if (r.users.length > 0 && !r.users.includes(a.user.username)) return false;
  if (r.userGroups.length > 0 && !a.user.groups.some((g) => r.userGroups.includes(g))) return false;
  if (r.verbs.length > 0 && !r.verbs.includes(a.verb)) return false;
  if (r.namespaces.length > 0 || r.resources.length > 0) return ruleMatchesResource(r, a);
  if (r.nonResourceURLs.length > 0) return !a.resource && r.nonResourceURLs.some((spec) => pathMatches(a.path, spec));
  return true;
}

function pathMatches(path: string, spec: string): boolean {
  if (spec === '*' || spec === path) return true;
  return spec.endsWith('*') && path.startsWith(spec.replace(/\*+$/, ''));
}

function ruleMatchesResource(r: PolicyRule, a: AuditAttributes): boolean {
  const res = a.resource;
  if (!res) return false;
  // Cluster-scoped resources have the namespace "".
  if (r.namespaces.length > 0 && !r.namespaces.includes(res.namespace ?? '')) return false;
  if (r.resources.length === 0) return true;
  const sub = res.subresource ?? '';
  const combined = sub ? `${res.resource}/${sub}` : res.resource;
  const name = res.name ?? '';
  for (const g of r.resources) {
    if (g.group !== res.group) continue;
    if (g.resources.length === 0) return true;
    if (g.resourceNames.length > 0 && !g.resourceNames.includes(name)) continue;
    for (const spec of g.resources) {
      if (spec === combined || spec === '*') return true;
      if (sub && spec.startsWith('*/') && sub === spec.slice(2)) return true;
      if (spec.endsWith('/*') && res.resource === spec.slice(0, -2)) return true;
    }
  }
  return false;
}
