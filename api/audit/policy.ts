/**
 * Reading an audit.k8s.io/v1 Policy the way kube-apiserver's LoadPolicyFromBytes does:
 * decode (YAML or JSON), check apiVersion and kind, validate every rule
 * (k8s.io/apiserver/pkg/apis/audit/validation), refuse a policy without rules. Every problem
 * is reported at once, as Go's ErrorList aggregate prints them.
 */
import { parse as parseYaml } from 'yaml';
import { isObject } from '../json.ts';
import { isDNS1123Subdomain } from '../validation/names.ts';
import { child, index, invalid, notSupported, required } from '../validation/errors.ts';
import type { StatusCause } from '../../base/status.ts';
import { LEVELS, STAGES, type GroupResources, type Level, type Policy, type PolicyRule, type Stage } from './types.ts';

export const AUDIT_API_VERSION = 'audit.k8s.io/v1';

/** A policy that cannot be used, with Kubernetes' text for why. */
export class PolicyError extends Error {}

/** Parses and validates a policy document; throws PolicyError with every problem found. */
export function parsePolicy(text: string): Policy {
  let doc: unknown;
  try {
    doc = parseYaml(text);
  } catch (err) {
    throw new PolicyError(`failed decoding: ${(err as Error).message.split('\n')[0]}`);
  }
  if (doc === null || doc === undefined) throw new PolicyError(`failed decoding: Object 'Kind' is missing in '${text.trim()}'`);
  if (!isObject(doc)) throw new PolicyError('failed decoding: the policy must be a mapping (apiVersion, kind, rules)');
  if (typeof doc.kind !== 'string' || doc.kind === '') throw new PolicyError(`failed decoding: Object 'Kind' is missing in '${text.trim()}'`);
  const [group, version] = String(doc.apiVersion ?? '').split('/');
  if (doc.apiVersion !== AUDIT_API_VERSION || doc.kind !== 'Policy') {
    throw new PolicyError(`unknown group version field ${group ?? ''}/${version ?? ''}, Kind=${doc.kind} in policy`);
  }
  const errs: string[] = [];
  const policy: Policy = {
    rules: list(doc.rules, 'rules', errs).map((r, i) => rule(r, index('rules', i), errs)),
    omitStages: stages(doc.omitStages, 'omitStages', errs),
    omitManagedFields: bool(doc.omitManagedFields, 'omitManagedFields', errs) ?? false,
  };
  if (errs.length === 1) throw new PolicyError(errs[0]!);
  if (errs.length > 1) throw new PolicyError(`[${errs.join(', ')}]`);
  if (policy.rules.length === 0) throw new PolicyError('loaded illegal policy with 0 rules');
  return policy;
}

const render = (c: StatusCause): string => `${c.field}: ${c.message}`;

function list(v: unknown, path: string, errs: string[]): unknown[] {
  if (v === undefined || v === null) return [];
  if (Array.isArray(v)) return v;
  errs.push(`failed decoding: ${path}: expected an array, got ${typeof v}`);
  return [];
}

function strings(v: unknown, path: string, errs: string[]): string[] {
  return list(v, path, errs).filter((s, i): s is string => {
    if (typeof s === 'string') return true;
    errs.push(`failed decoding: ${index(path, i)}: expected a string, got ${typeof s}`);
    return false;
  });
}

function bool(v: unknown, path: string, errs: string[]): boolean | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v === 'boolean') return v;
  errs.push(`failed decoding: ${path}: expected a boolean, got ${typeof v}`);
  return undefined;
}

function stages(v: unknown, path: string, errs: string[]): Stage[] {
  const out = strings(v, path, errs);
  out.forEach((s, i) => {
    if (!STAGES.includes(s as Stage)) errs.push(render(invalid(index(path, i), s, `allowed stages are ${STAGES.join(',')}`)));
  });
  return out as Stage[];
}

function rule(v: unknown, path: string, errs: string[]): PolicyRule {
  const r = isObject(v) ? v : {};
  if (!isObject(v)) errs.push(`failed decoding: ${path}: expected a mapping`);
  const level = typeof r.level === 'string' ? r.level : '';
  if (level === '') errs.push(render(required(child(path, 'level'))));
  else if (!LEVELS.includes(level as Level)) errs.push(render(notSupported(child(path, 'level'), level, LEVELS)));
  const nonResourceURLs = strings(r.nonResourceURLs, child(path, 'nonResourceURLs'), errs);
  nonResourceURLs.forEach((url, i) => {
    if (url === '*') return;
    const at = index(child(path, 'nonResourceURLs'), i);
    if (!url.startsWith('/')) errs.push(render(invalid(at, url, "non-resource URL rules must begin with a '/' character")));
    if (url !== '' && url.slice(0, -1).includes('*')) errs.push(render(invalid(at, url, "non-resource URL wildcards '*' must be the final character of the rule")));
  });
  const resources = list(r.resources, child(path, 'resources'), errs).map((g, i) => groupResources(g, index(child(path, 'resources'), i), errs));
  const namespaces = strings(r.namespaces, child(path, 'namespaces'), errs);
  const omitStages = stages(r.omitStages, child(path, 'omitStages'), errs);
  if (nonResourceURLs.length > 0 && (resources.length > 0 || namespaces.length > 0)) {
    errs.push(render(invalid(child(path, 'nonResourceURLs'), nonResourceURLs, 'rules cannot apply to both regular resources and non-resource URLs')));
  }
  const out: PolicyRule = {
    level: level as Level,
    users: strings(r.users, child(path, 'users'), errs),
    userGroups: strings(r.userGroups, child(path, 'userGroups'), errs),
    verbs: strings(r.verbs, child(path, 'verbs'), errs),
    resources,
    namespaces,
    nonResourceURLs,
    omitStages,
  };
  const omf = bool(r.omitManagedFields, child(path, 'omitManagedFields'), errs);
  if (omf !== undefined) out.omitManagedFields = omf;
  return out;
}

function groupResources(v: unknown, path: string, errs: string[]): GroupResources {
  const g = isObject(v) ? v : {};
  if (!isObject(v)) errs.push(`failed decoding: ${path}: expected a mapping`);
  const group = typeof g.group === 'string' ? g.group : '';
  const out: GroupResources = { group, resources: strings(g.resources, child(path, 'resources'), errs), resourceNames: strings(g.resourceNames, child(path, 'resourceNames'), errs) };
  // The empty string is the core group; any other must be a group name, not a group/version.
  const msgs = group === '' ? [] : isDNS1123Subdomain(group);
  if (msgs.length) errs.push(render(invalid(child(path.replace(/\[\d+\]$/, ''), 'group'), group, msgs.join(','))));
  if (out.resourceNames.length > 0 && out.resources.some((res) => res.startsWith('*'))) {
    errs.push(render(invalid(child(path.replace(/\[\d+\]$/, ''), 'resourceNames'), out.resourceNames, 'using resourceNames with wildcards is not supported')));
  }
  return out;
}
