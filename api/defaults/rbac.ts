/** Defaulting of the RBAC bindings (pkg/apis/rbac/v1 defaults.go); roles have none. */
import type { ClusterRoleBinding, RoleBinding, Subject } from 'kubernetes-types/rbac/v1.js';
import { clone } from '../json.ts';
import { RBAC_GROUP } from '../validation/rbac.ts';

/** SetDefaults_Subject: User and Group subjects are of the RBAC group, ServiceAccounts of the core one. */
function defaultSubject(s: Subject): void {
  if (s.apiGroup) return;
  if (s.kind === 'User' || s.kind === 'Group') s.apiGroup = RBAC_GROUP;
  else if (s.kind === 'ServiceAccount') s.apiGroup = '';
}

/** SetDefaults_RoleBinding / ClusterRoleBinding: roleRef.apiGroup and each subject's apiGroup. */
export function defaultBinding<B extends RoleBinding | ClusterRoleBinding>(b: B): B {
  const o = clone(b);
  if (o.roleRef && !o.roleRef.apiGroup) o.roleRef.apiGroup = RBAC_GROUP;
  for (const s of o.subjects ?? []) defaultSubject(s);
  return o;
}
