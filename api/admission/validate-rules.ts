/**
 * Validation shared by the webhook configurations and the policies: rules with operations
 * (validateRuleWithOperations / validateRule in pkg/apis/admissionregistration/validation)
 * and matchConditions.
 */
import type { MatchCondition } from 'kubernetes-types/admissionregistration/v1.js';
import type { NamedRuleWithOperations, RuleWithOperations } from './types.ts';
import type { StatusCause } from '../../base/status.ts';
import { child, duplicate, index, invalid, notSupported, required, tooMany, type FieldPath } from '../validation/errors.ts';
import { isQualifiedName } from '../validation/names.ts';

const OPERATIONS = ['*', 'CONNECT', 'CREATE', 'DELETE', 'UPDATE'];
const SCOPES = ['*', 'Cluster', 'Namespaced'];

function allOrSome(list: readonly string[] | undefined, path: FieldPath, what: string, errs: StatusCause[]): void {
  if (!list?.length) {
    errs.push(required(path, ''));
    return;
  }
  if (list.length > 1 && list.includes('*')) errs.push(invalid(path, list, `if '*' is present, must not specify other ${what}`));
}

function validateResources(resources: readonly string[] | undefined, path: FieldPath, errs: StatusCause[]): void {
  if (!resources?.length) {
    errs.push(required(path, ''));
    return;
  }
  // "*" covers every main resource and "*/*" every resource with every subresource; "r/*" every subresource of r.
  const mains = new Set<string>();
  const subs = new Map<string, Set<string>>();
  for (const [i, r] of resources.entries()) {
    const p = index(path, i);
    if (r === '') {
      errs.push(required(p, ''));
      continue;
    }
    if (r === '*/*') {
      if (resources.length > 1) errs.push(invalid(p, r, "if '*/*' is present, must not specify other resources"));
      continue;
    }
    const [res = '', sub] = r.split('/', 2);
    if (sub === undefined) {
      if (r === '*' && resources.length > 1 && resources.some((x) => !x.includes('/') && x !== '*')) errs.push(invalid(p, r, "if '*' is present, must not specify other resources without subresources"));
      mains.add(res);
    } else {
      const set = subs.get(res) ?? new Set<string>();
      if (sub === '*' && set.size > 0) errs.push(invalid(p, r, `if '${res}/*' is present, must not specify ${res}/${[...set][0]}`));
      set.add(sub);
      subs.set(res, set);
    }
  }
}

/** A rule (apiGroups, apiVersions, resources, scope) with its operations. */
export function validateRuleWithOperations(rule: RuleWithOperations | NamedRuleWithOperations, path: FieldPath): StatusCause[] {
  const errs: StatusCause[] = [];
  const ops = rule.operations ?? [];
  if (ops.length === 0) errs.push(required(child(path, 'operations'), ''));
  if (ops.length > 1 && ops.includes('*')) errs.push(invalid(child(path, 'operations'), ops, "if '*' is present, must not specify other operations"));
  for (const [i, op] of ops.entries()) if (!OPERATIONS.includes(op)) errs.push(notSupported(index(child(path, 'operations'), i), op, OPERATIONS));
  allOrSome(rule.apiGroups, child(path, 'apiGroups'), 'API groups', errs);
  allOrSome(rule.apiVersions, child(path, 'apiVersions'), 'API versions', errs);
  for (const [i, v] of (rule.apiVersions ?? []).entries()) if (v === '') errs.push(required(index(child(path, 'apiVersions'), i), ''));
  validateResources(rule.resources, child(path, 'resources'), errs);
  if (rule.scope !== undefined && !SCOPES.includes(rule.scope)) errs.push(notSupported(child(path, 'scope'), rule.scope, SCOPES));
  return errs;
}

/** Kubernetes allows at most 64 match conditions per webhook or policy. */
export const MAX_MATCH_CONDITIONS = 64;

/** matchConditions: named (qualified names, unique), with an expression; `compile` reports a CEL error. */
export function validateMatchConditions(conds: readonly MatchCondition[] | undefined, path: FieldPath, compile?: (expr: string) => string | null): StatusCause[] {
  const errs: StatusCause[] = [];
  if (!conds) return errs;
  if (conds.length > MAX_MATCH_CONDITIONS) errs.push(tooMany(path, conds.length, MAX_MATCH_CONDITIONS));
  const seen = new Set<string>();
  for (const [i, c] of conds.entries()) {
    const p = index(path, i);
    if (!c.name) errs.push(required(child(p, 'name'), ''));
    else {
      for (const m of isQualifiedName(c.name)) errs.push(invalid(child(p, 'name'), c.name, m));
      if (seen.has(c.name)) errs.push(duplicate(child(p, 'name'), c.name));
      seen.add(c.name);
    }
    if (!c.expression) errs.push(required(child(p, 'expression'), ''));
    else {
      const problem = compile?.(c.expression);
      if (problem) errs.push(invalid(child(p, 'expression'), c.expression, `compilation failed: ${problem}`));
    }
  }
  return errs;
}
