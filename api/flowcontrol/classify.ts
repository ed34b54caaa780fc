/**
 * Classification of a request by the FlowSchemas, as upstream's apf_filter matching
 * (apiserver/pkg/util/flowcontrol/rule.go): the schemas are tried in matching order (lowest
 * matchingPrecedence first, then by name) and the first whose rules match the request's user
 * and its verb and target (or non-resource URL) gives the priority level and the flow —
 * the schema's name and its distinguisher (the username for ByUser, the namespace for
 * ByNamespace, none otherwise). Pure: no clock, no I/O.
 */
import type { FlowSchema, NonResourcePolicyRule, PolicyRulesWithSubjects, ResourcePolicyRule, Subject } from 'kubernetes-types/flowcontrol/v1.js';
import type { NonResourceAttributes, RequestAttributes, ResourceAttributes } from '../rbac/rules.ts';

/** Who asks and for what: what the authorizer sees of a request (a resource or a non-resource path). */
export type RequestDigest = RequestAttributes & { readonly user: { readonly username: string; readonly groups: readonly string[] } };

/** The outcome: the matching schema, its level's name and the request's flow. */
export interface Classification {
  readonly schema: FlowSchema;
  readonly level: string;
  /** The flow's distinguisher ('' when the schema has none). */
  readonly distinguisher: string;
}

const SA_PREFIX = 'system:serviceaccount:';

function subjectMatches(s: Subject, user: RequestDigest['user']): boolean {
  switch (s.kind) {
    case 'User':
      return s.user?.name === '*' || s.user?.name === user.username;
    case 'Group': {
      const name = s.group?.name;
      return name === '*' || (name !== undefined && user.groups.includes(name));
    }
    case 'ServiceAccount': {
      if (!user.username.startsWith(SA_PREFIX)) return false;
      const [ns, name] = user.username.slice(SA_PREFIX.length).split(':');
      const sa = s.serviceAccount;
      return sa !== undefined && sa.namespace === ns && (sa.name === '*' || sa.name === name);
    }
    default:
      return false;
  }
}

const has = (list: readonly string[] | undefined, v: string): boolean => list !== undefined && (list.includes('*') || list.includes(v));

function resourceMatches(r: ResourcePolicyRule, d: ResourceAttributes): boolean {
  if (!has(r.verbs, d.verb) || !has(r.apiGroups, d.group)) return false;
  const resource = d.subresource ? `${d.resource}/${d.subresource}` : d.resource;
  if (!has(r.resources, resource)) return false;
  return d.namespace ? has(r.namespaces, d.namespace) : r.clusterScope === true;
}

function urlMatches(r: NonResourcePolicyRule, d: NonResourceAttributes): boolean {
  if (!has(r.verbs, d.verb)) return false;
  const path = d.path;
  return r.nonResourceURLs.some((u) => u === '*' || u === path || (u.endsWith('/*') && path.startsWith(u.slice(0, -1))));
}

/** Whether one PolicyRulesWithSubjects covers the request. */
export function ruleMatches(rule: PolicyRulesWithSubjects, d: RequestDigest): boolean {
  if (!rule.subjects.some((s) => subjectMatches(s, d.user))) return false;
  if ('path' in d) return (rule.nonResourceRules ?? []).some((r) => urlMatches(r, d));
  return (rule.resourceRules ?? []).some((r) => resourceMatches(r, d));
}

/** The schemas in matching order: by matchingPrecedence, then by name (a new array). */
export function matchingOrder(schemas: readonly FlowSchema[]): FlowSchema[] {
  const mp = (f: FlowSchema): number => f.spec?.matchingPrecedence ?? 1000;
  const name = (f: FlowSchema): string => f.metadata?.name ?? '';
  return [...schemas].sort((a, b) => mp(a) - mp(b) || (name(a) < name(b) ? -1 : name(a) > name(b) ? 1 : 0));
}

/**
 * The first schema (of `ordered`, in matching order) that matches, whose level is one of
 * `levels`; null when none does (upstream then uses the catch-all schema and level).
 */
export function classify(ordered: readonly FlowSchema[], levels: ReadonlySet<string>, d: RequestDigest): Classification | null {
  for (const schema of ordered) {
    const level = schema.spec?.priorityLevelConfiguration?.name ?? '';
    if (!levels.has(level)) continue;
    if (!(schema.spec?.rules ?? []).some((r) => ruleMatches(r, d))) continue;
    const method = schema.spec?.distinguisherMethod?.type;
    const namespace = 'path' in d ? '' : (d.namespace ?? '');
    const distinguisher = method === 'ByUser' ? d.user.username : method === 'ByNamespace' ? namespace : '';
    return { schema, level, distinguisher };
  }
  return null;
}
