/**
 * RBAC's privilege-escalation prevention (pkg/registry/rbac/*\/policybased): a Role or
 * ClusterRole may be written only with rules its writer holds (where it would apply), unless
 * the writer may `escalate` it; a binding may be written only to a role whose rules its writer
 * holds, unless the writer may `bind` it. system:masters is never checked (EscalationAllowed).
 * An aggregated ClusterRole needs `escalate`, its rules being whatever it selects.
 */
import type { ClusterRole, PolicyRule, Role, RoleBinding, RoleRef } from 'kubernetes-types/rbac/v1.js';
import type { KubeObject, UserInfo } from '../../bus/catalogue/api.ts';
import { forbidden, notFound, type Status } from '../../base/status.ts';
import { escalationMessage, missingRules } from '../../api/rbac/covers.ts';
import { authorize } from './authorizer.ts';
import { MASTERS_GROUP } from './identity.ts';
import type { ServerContext } from './context.ts';
import { CLUSTER_ROLE_BINDINGS, CLUSTER_ROLES, RBAC_GRS, rbacRules, ROLE_BINDINGS, ROLES } from './rbac.ts';
import type { ResourceInfo } from './resources.ts';

const GROUP = 'rbac.authorization.k8s.io';
const RBAC_KINDS = new Set(RBAC_GRS);

/** The 403 (or 404 for a binding to a missing role) that stops the write, or null. */
export function rbacEscalation(s: ServerContext, res: ResourceInfo, user: UserInfo, obj: KubeObject): Status | null {
  // Every write passes here: anything but a role or binding leaves at once.
  if (!RBAC_KINDS.has(res.gr) || !s.authorizationModes.includes('RBAC') || user.groups.includes(MASTERS_GROUP)) return null;
  const name = obj.metadata?.name ?? '';
  const namespace = res.namespaced ? obj.metadata?.namespace : undefined;
  const may = (verb: string, resource: string, n: string) => authorize(s, { user, verb, group: GROUP, resource, namespace, name: n }).allowed;
  const refuse = (why: string) => forbidden(`${res.resource}.${GROUP} "${name}" is forbidden: ${why}`, { kind: res.resource, group: GROUP, name });
  if (res.gr === ROLES || res.gr === CLUSTER_ROLES) {
    if (may('escalate', res.resource, name)) return null;
    if ((obj as unknown as ClusterRole).aggregationRule) return refuse('must have cluster-admin privileges to use the aggregationRule');
    const missing = missingRules(rbacRules(s.cache, user, namespace), (obj as unknown as Role).rules ?? []);
    return missing.length ? refuse(escalationMessage(user, missing)) : null;
  }
  if (res.gr === ROLE_BINDINGS || res.gr === CLUSTER_ROLE_BINDINGS) {
    const ref: Partial<RoleRef> = (obj as unknown as RoleBinding).roleRef ?? {};
    const refResource = ref.kind === 'Role' ? 'roles' : 'clusterroles';
    if (may('bind', refResource, ref.name ?? '')) return null;
    const rules = roleRules(s, ref, namespace);
    if (rules === null) return notFound(refResource, ref.name ?? '', GROUP);
    const missing = missingRules(rbacRules(s.cache, user, namespace), rules);
    return missing.length ? refuse(escalationMessage(user, missing)) : null;
  }
  return null;
}

/** GetRoleReferenceRules: the referenced role's rules, or null when it does not exist. */
function roleRules(s: ServerContext, ref: Partial<RoleRef>, namespace: string | undefined): readonly PolicyRule[] | null {
  const gr = ref.kind === 'Role' ? ROLES : CLUSTER_ROLES;
  const role = s.cache.object(gr, gr === ROLES ? namespace : undefined, ref.name ?? '') as unknown as Role | undefined;
  return role ? (role.rules ?? []) : null;
}
