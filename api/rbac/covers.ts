/**
 * Privilege-escalation prevention's rule arithmetic (Kubernetes'
 * pkg/registry/rbac/validation/policy_comparator.go and rule.go): whether the rules a user
 * holds cover the rules they would grant, and the missing ones as upstream's message lists them.
 */
import type { PolicyRule } from 'kubernetes-types/rbac/v1.js';

const ALL = '*';
const has = (set: readonly string[] | undefined, v: string): boolean => (set ?? []).includes(v);
const hasAll = (set: readonly string[] | undefined, vs: readonly string[] | undefined): boolean => (vs ?? []).every((v) => has(set, v));

/** BreakdownRule: one rule per group × resource × name × verb (or URL × verb). */
export function breakdownRule(r: PolicyRule): PolicyRule[] {
  const out: PolicyRule[] = [];
  for (const group of r.apiGroups ?? []) {
    for (const resource of r.resources ?? []) {
      for (const verb of r.verbs) {
        if (r.resourceNames?.length) for (const name of r.resourceNames) out.push({ apiGroups: [group], resources: [resource], resourceNames: [name], verbs: [verb] });
        else out.push({ apiGroups: [group], resources: [resource], verbs: [verb] });
      }
    }
  }
  for (const url of r.nonResourceURLs ?? []) for (const verb of r.verbs) out.push({ nonResourceURLs: [url], verbs: [verb] });
  return out;
}

function resourceCoversAll(owner: readonly string[] | undefined, wanted: readonly string[] | undefined): boolean {
  if (has(owner, ALL) || hasAll(owner, wanted)) return true;
  for (const path of wanted ?? []) {
    if (has(owner, path)) continue;
    const slash = path.indexOf('/');
    if (slash < 0 || !has(owner, `*/${path.slice(slash + 1)}`)) return false;
  }
  return true;
}

function urlsCoverAll(owner: readonly string[] | undefined, wanted: readonly string[] | undefined): boolean {
  return (wanted ?? []).every((w) => (owner ?? []).some((o) => o === ALL || o === w || (o.endsWith(ALL) && w.startsWith(o.slice(0, -1)))));
}

/** ruleCovers. */
export function ruleCovers(owner: PolicyRule, sub: PolicyRule): boolean {
  const verbs = has(owner.verbs, ALL) || hasAll(owner.verbs, sub.verbs);
  const groups = has(owner.apiGroups, ALL) || hasAll(owner.apiGroups, sub.apiGroups);
  const names = sub.resourceNames?.length ? !owner.resourceNames?.length || hasAll(owner.resourceNames, sub.resourceNames) : !owner.resourceNames?.length;
  return verbs && groups && resourceCoversAll(owner.resources, sub.resources) && names && urlsCoverAll(owner.nonResourceURLs, sub.nonResourceURLs);
}

/** Covers: the atomic rules of `wanted` that no rule of `owner` covers (empty when all are). */
export function missingRules(owner: readonly PolicyRule[], wanted: readonly PolicyRule[]): PolicyRule[] {
  return wanted.flatMap(breakdownRule).filter((atom) => !owner.some((o) => ruleCovers(o, atom)));
}

/** Go's %q of a []string: ["a" "b"]. */
const goStrings = (xs: readonly string[]): string => `[${xs.map((x) => JSON.stringify(x)).join(' ')}]`;

/**
 * CompactRules then CompactString, sorted and deduplicated as the message lists them: rules of
 * one group, resource and name merge their verbs.
 */
export function describeMissing(rules: readonly PolicyRule[]): string[] {
  const merged = new Map<string, PolicyRule>();
  const out: PolicyRule[] = [];
  for (const r of rules) {
    if (r.nonResourceURLs?.length) {
      out.push(r);
      continue;
    }
    const key = JSON.stringify([r.apiGroups, r.resources, r.resourceNames ?? []]);
    const prev = merged.get(key);
    if (prev) prev.verbs = [...prev.verbs, ...r.verbs.filter((v) => !prev.verbs.includes(v))];
    else merged.set(key, { ...r, verbs: [...r.verbs] });
  }
  out.push(...merged.values());
  const text = out.map((r) => {
    const parts: string[] = [];
    if (r.apiGroups?.length) parts.push(`APIGroups:${goStrings(r.apiGroups)}`);
    if (r.resources?.length) parts.push(`Resources:${goStrings(r.resources)}`);
    if (r.nonResourceURLs?.length) parts.push(`NonResourceURLs:${goStrings(r.nonResourceURLs)}`);
    if (r.resourceNames?.length) parts.push(`ResourceNames:${goStrings(r.resourceNames)}`);
    if (r.verbs.length) parts.push(`Verbs:${goStrings(r.verbs)}`);
    return `{${parts.join(', ')}}`;
  });
  return [...new Set(text)].sort();
}

/** The sentence upstream's ConfirmNoEscalation forbids with. */
export function escalationMessage(user: { username: string; groups: readonly string[] }, missing: readonly PolicyRule[]): string {
  return `user ${JSON.stringify(user.username)} (groups=${goStrings(user.groups)}) is attempting to grant RBAC permissions not currently held:\n${describeMissing(missing).join('\n')}`;
}
