/**
 * RBAC's decision, as pure functions over rules (Kubernetes' plugin/pkg/auth/authorizer/rbac
 * rbac.go and pkg/apis/rbac/v1 evaluation_helpers.go): whether a PolicyRule allows a request,
 * and whether a binding's subject is the requesting user. The stored roles and bindings are
 * followed in actors/apiserver/rbac.ts.
 */
import type { PolicyRule, Subject } from 'kubernetes-types/rbac/v1.js';

/** The user as authentication found it (authentication/v1 UserInfo). */
export interface RbacUser {
  readonly username: string;
  readonly groups: readonly string[];
}

/** A request against a resource (RequestInfo with IsResourceRequest). */
export interface ResourceAttributes {
  readonly verb: string;
  readonly group: string;
  readonly resource: string;
  readonly subresource?: string | undefined;
  readonly namespace?: string | undefined;
  readonly name?: string | undefined;
}

/** A request for a path that names no resource (/healthz, /version, /logs/...). */
export interface NonResourceAttributes {
  readonly verb: string;
  readonly path: string;
}

export type RequestAttributes = ResourceAttributes | NonResourceAttributes;

export const isResourceRequest = (a: RequestAttributes): a is ResourceAttributes => 'resource' in a;

const ALL = '*';

const verbMatches = (r: PolicyRule, verb: string): boolean => r.verbs.some((v) => v === ALL || v === verb);
const groupMatches = (r: PolicyRule, group: string): boolean => (r.apiGroups ?? []).some((g) => g === ALL || g === group);
const nameMatches = (r: PolicyRule, name: string | undefined): boolean => !r.resourceNames?.length || r.resourceNames.includes(name ?? '');

/** ResourceMatches: `*`, the exact resource or resource/subresource, or `*`/subresource. */
function resourceMatches(r: PolicyRule, combined: string, sub: string): boolean {
  for (const res of r.resources ?? []) {
    if (res === ALL || res === combined) return true;
    if (sub && res.length === sub.length + 2 && res.startsWith('*/') && res.endsWith(sub)) return true;
  }
  return false;
}

/** NonResourceURLMatches: `*`, the exact path, or a prefix ending in `*`. */
function urlMatches(r: PolicyRule, path: string): boolean {
  return (r.nonResourceURLs ?? []).some((u) => u === ALL || u === path || (u.endsWith(ALL) && path.startsWith(u.slice(0, -1))));
}

/** `resource/subresource`, or the resource alone. */
const combinedOf = (a: RequestAttributes): string => (!isResourceRequest(a) ? '' : a.subresource ? `${a.resource}/${a.subresource}` : a.resource);

/** RuleAllows. */
export const ruleAllows = (a: RequestAttributes, r: PolicyRule): boolean => allows(a, r, combinedOf(a));

function allows(a: RequestAttributes, r: PolicyRule, combined: string): boolean {
  if (!verbMatches(r, a.verb)) return false;
  if (!isResourceRequest(a)) return urlMatches(r, a.path);
  return groupMatches(r, a.group) && resourceMatches(r, combined, a.subresource ?? '') && nameMatches(r, a.name);
}

/** RulesAllow: any of the rules allows the request (the request's resource/subresource named once, not per rule). */
export function rulesAllow(a: RequestAttributes, rules: readonly PolicyRule[]): boolean {
  const combined = combinedOf(a);
  for (const r of rules) if (allows(a, r, combined)) return true;
  return false;
}

/** How a ServiceAccount's username starts: `system:serviceaccount:<namespace>:<name>`. */
export const SA_PREFIX = 'system:serviceaccount:';

/** The username a ServiceAccount authenticates as. */
export const serviceAccountUser = (namespace: string, name: string): string => `${SA_PREFIX}${namespace}:${name}`;

/**
 * appliesToUser: a User subject by name, a Group by membership, a ServiceAccount by its
 * username (a RoleBinding's ServiceAccount without a namespace is of the binding's own).
 */
export function appliesTo(user: RbacUser, s: Subject, bindingNamespace: string): boolean {
  switch (s.kind) {
    case 'User':
      return user.username === s.name;
    case 'Group':
      return user.groups.includes(s.name);
    case 'ServiceAccount': {
      const ns = s.namespace || bindingNamespace;
      return ns !== '' && user.username === serviceAccountUser(ns, s.name);
    }
    default:
      return false;
  }
}

/**
 * The index keys a subject is found under (and the keys a user looks for): one place that says
 * how users, groups and ServiceAccounts are told apart.
 */
export function subjectKey(s: Subject, bindingNamespace: string): string | null {
  switch (s.kind) {
    case 'User':
      return `u:${s.name}`;
    case 'Group':
      return `g:${s.name}`;
    case 'ServiceAccount': {
      const ns = s.namespace || bindingNamespace;
      return ns ? `u:${serviceAccountUser(ns, s.name)}` : null;
    }
    default:
      return null;
  }
}

/** The keys of subjects that apply to `user` (see subjectKey). */
export const userKeys = (user: RbacUser): string[] => [`u:${user.username}`, ...user.groups.map((g) => `g:${g}`)];
