/**
 * Validation of rbac.authorization.k8s.io/v1 Role, ClusterRole, RoleBinding and
 * ClusterRoleBinding, as Kubernetes' pkg/apis/rbac/validation (messages and field paths kept).
 */
import type { ClusterRole, ClusterRoleBinding, PolicyRule, Role, RoleBinding, RoleRef, Subject } from 'kubernetes-types/rbac/v1.js';
import type { StatusCause } from '../../base/status.ts';
import { child, GoRaw, index, invalid, notSupported, required, type FieldPath } from './errors.ts';
import { validateLabels, validateObjectMeta, validateObjectMetaUpdate } from './meta.ts';
import { isValidPathSegmentName, nameIsDNSSubdomain, type NameValidator } from './names.ts';

export const RBAC_GROUP = 'rbac.authorization.k8s.io';

/** ValidateRBACName: any name that is a valid path segment. */
const rbacName: NameValidator = (name) => isValidPathSegmentName(name);

/** ValidatePolicyRule: verbs always; non-resource URLs only cluster-wide and never beside resources. */
export function validatePolicyRule(rule: PolicyRule, namespaced: boolean, path: FieldPath): StatusCause[] {
  const errs: StatusCause[] = [];
  if (!rule.verbs?.length) errs.push(required(child(path, 'verbs'), 'verbs must contain at least one value'));
  if (rule.nonResourceURLs?.length) {
    const at = child(path, 'nonResourceURLs');
    if (namespaced) errs.push(invalid(at, rule.nonResourceURLs, 'namespaced rules cannot apply to non-resource URLs'));
    if (rule.apiGroups?.length || rule.resources?.length || rule.resourceNames?.length) {
      errs.push(invalid(at, rule.nonResourceURLs, 'rules cannot apply to both regular resources and non-resource URLs'));
    }
    return errs;
  }
  if (!rule.apiGroups?.length) errs.push(required(child(path, 'apiGroups'), 'resource rules must supply at least one api group'));
  if (!rule.resources?.length) errs.push(required(child(path, 'resources'), 'resource rules must supply at least one resource'));
  return errs;
}

function validateRules(rules: readonly PolicyRule[] | undefined, namespaced: boolean): StatusCause[] {
  return (rules ?? []).flatMap((r, i) => validatePolicyRule(r, namespaced, index('rules', i)));
}

function meta(o: { metadata?: Role['metadata'] }, namespaced: boolean, old?: { metadata?: Role['metadata'] }): StatusCause[] {
  return old ? validateObjectMetaUpdate(o.metadata, old.metadata) : validateObjectMeta(o.metadata, namespaced, rbacName);
}

export function validateRole(r: Role, old?: Role): StatusCause[] {
  return [...meta(r, true, old), ...validateRules(r.rules, true)];
}

export function validateClusterRole(r: ClusterRole, old?: ClusterRole): StatusCause[] {
  const errs = meta(r, false, old);
  errs.push(...validateRules(r.rules, false));
  // An aggregated role's rules are the controller's to fill: only its selectors are checked here.
  (r.aggregationRule?.clusterRoleSelectors ?? []).forEach((sel, i) => {
    errs.push(...validateLabels(sel.matchLabels, child(index(child('aggregationRule', 'clusterRoleSelectors'), i), 'matchLabels')));
  });
  if (r.aggregationRule && !r.aggregationRule.clusterRoleSelectors?.length) {
    errs.push(required(child('aggregationRule', 'clusterRoleSelectors'), 'at least one clusterRoleSelector required if aggregationRule is non-nil'));
  }
  return errs;
}

/** ValidateRoleBindingSubject. */
export function validateSubject(s: Subject, namespaced: boolean, path: FieldPath): StatusCause[] {
  const errs: StatusCause[] = [];
  if (!s.name) errs.push(required(child(path, 'name')));
  switch (s.kind) {
    case 'ServiceAccount':
      if (s.name) for (const m of nameIsDNSSubdomain(s.name, false)) errs.push(invalid(child(path, 'name'), s.name, m));
      if (s.apiGroup) errs.push(notSupported(child(path, 'apiGroup'), s.apiGroup, ['']));
      if (!namespaced && !s.namespace) errs.push(required(child(path, 'namespace')));
      break;
    case 'User':
    case 'Group':
      if (s.apiGroup !== RBAC_GROUP) errs.push(notSupported(child(path, 'apiGroup'), s.apiGroup ?? '', [RBAC_GROUP]));
      break;
    default:
      errs.push(notSupported(child(path, 'kind'), s.kind, ['ServiceAccount', 'User', 'Group']));
  }
  return errs;
}

function validateBinding(b: RoleBinding | ClusterRoleBinding, namespaced: boolean, old?: RoleBinding | ClusterRoleBinding): StatusCause[] {
  const errs = meta(b, namespaced, old);
  const ref: Partial<RoleRef> = b.roleRef ?? {};
  // roleRef.apiGroup is defaulted, so only another group is wrong.
  if (ref.apiGroup !== RBAC_GROUP) errs.push(notSupported(child('roleRef', 'apiGroup'), ref.apiGroup ?? '', [RBAC_GROUP]));
  const kinds = namespaced ? ['Role', 'ClusterRole'] : ['ClusterRole'];
  if (!kinds.includes(ref.kind ?? '')) errs.push(notSupported(child('roleRef', 'kind'), ref.kind ?? '', kinds));
  if (!ref.name) errs.push(required(child('roleRef', 'name')));
  else for (const m of isValidPathSegmentName(ref.name)) errs.push(invalid(child('roleRef', 'name'), ref.name, m));
  (b.subjects ?? []).forEach((s, i) => errs.push(...validateSubject(s, namespaced, index('subjects', i))));
  if (old && !sameRef(b.roleRef, old.roleRef)) errs.push(invalid('roleRef', goRoleRef(b.roleRef), 'cannot change roleRef'));
  return errs;
}

export const validateRoleBinding = (b: RoleBinding, old?: RoleBinding): StatusCause[] => validateBinding(b, true, old);
export const validateClusterRoleBinding = (b: ClusterRoleBinding, old?: ClusterRoleBinding): StatusCause[] => validateBinding(b, false, old);

const sameRef = (a: RoleRef | undefined, b: RoleRef | undefined): boolean =>
  a?.apiGroup === b?.apiGroup && a?.kind === b?.kind && a?.name === b?.name;

/** The roleRef as Go's %v prints the internal struct. */
const goRoleRef = (r: RoleRef | undefined): GoRaw =>
  new GoRaw(`rbac.RoleRef{APIGroup:${JSON.stringify(r?.apiGroup ?? '')}, Kind:${JSON.stringify(r?.kind ?? '')}, Name:${JSON.stringify(r?.name ?? '')}}`);
