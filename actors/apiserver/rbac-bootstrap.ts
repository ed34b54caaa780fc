/**
 * The RBAC bootstrap hook (kube-apiserver's rbac/bootstrap-roles post-start hook): on every
 * start the bootstrap ClusterRoles and ClusterRoleBindings (api/rbac/bootstrap-policy.ts) are
 * made when missing, and reconciled when present — missing rules, labels, annotations,
 * aggregation selectors and subjects are added, nothing a user added is removed. An object
 * annotated rbac.authorization.kubernetes.io/autoupdate=false is left as it is. The rules of an
 * aggregated role are the clusterrole-aggregation controller's, never touched here.
 */
import type { ClusterRole, ClusterRoleBinding, PolicyRule, Role, RoleBinding, Subject } from 'kubernetes-types/rbac/v1.js';
import type { KubeObject } from '../../bus/catalogue/api.ts';
import { isConflictOrExists } from '../../base/status.ts';
import { AUTOUPDATE_ANNOTATION, BOOTSTRAP_CLUSTER_ROLE_BINDINGS, BOOTSTRAP_CLUSTER_ROLES, BOOTSTRAP_ROLE_BINDINGS, BOOTSTRAP_ROLES } from '../../api/rbac/bootstrap-policy.ts';
import type { ServerContext } from './context.ts';
import { create } from './create.ts';
import { userForAddress } from './identity.ts';
import { CLUSTER_ROLE_BINDINGS, CLUSTER_ROLES, ROLE_BINDINGS, ROLES } from './rbac.ts';
import { objectStorageKey } from './storage-keys.ts';
import { update } from './update.ts';

const json = (x: unknown): string => JSON.stringify(x);

/** The role with what the bootstrap one has and it lacks; null when nothing is missing. */
export function reconcileRole(have: ClusterRole, want: ClusterRole): ClusterRole | null {
  const meta = mergeMeta(have, want);
  let changed = meta.changed;
  let rules = have.rules ?? [];
  let aggregationRule = have.aggregationRule;
  if (want.aggregationRule) {
    const sels = [...(have.aggregationRule?.clusterRoleSelectors ?? [])];
    for (const sel of want.aggregationRule.clusterRoleSelectors ?? []) {
      if (!sels.some((x) => json(x) === json(sel))) (sels.push(sel), (changed = true));
    }
    aggregationRule = { clusterRoleSelectors: sels };
  } else {
    const missing = (want.rules ?? []).filter((r) => !rules.some((x) => sameRule(x, r)));
    if (missing.length) (rules = [...rules, ...missing]), (changed = true);
  }
  return changed ? { ...have, metadata: meta.metadata, rules, ...(aggregationRule ? { aggregationRule } : {}) } : null;
}

/** The binding with the bootstrap subjects it lacks; null when nothing is missing. */
export function reconcileBinding(have: ClusterRoleBinding, want: ClusterRoleBinding): ClusterRoleBinding | null {
  const meta = mergeMeta(have, want);
  const subjects: Subject[] = [...(have.subjects ?? [])];
  let changed = meta.changed;
  for (const s of want.subjects ?? []) {
    if (!subjects.some((x) => x.kind === s.kind && x.name === s.name && (x.namespace ?? '') === (s.namespace ?? ''))) (subjects.push(s), (changed = true));
  }
  return changed ? { ...have, metadata: meta.metadata, subjects } : null;
}

function mergeMeta(have: { metadata?: ClusterRole['metadata'] }, want: { metadata?: ClusterRole['metadata'] }) {
  const labels = { ...want.metadata?.labels, ...have.metadata?.labels };
  const annotations = { ...want.metadata?.annotations, ...have.metadata?.annotations };
  const changed = json(labels) !== json({ ...have.metadata?.labels }) || json(annotations) !== json({ ...have.metadata?.annotations });
  return { changed, metadata: { ...have.metadata, labels, annotations } };
}

const sameRule = (a: PolicyRule, b: PolicyRule): boolean =>
  json([a.verbs, a.apiGroups ?? [], a.resources ?? [], a.resourceNames ?? [], a.nonResourceURLs ?? []]) ===
  json([b.verbs, b.apiGroups ?? [], b.resources ?? [], b.resourceNames ?? [], b.nonResourceURLs ?? []]);

/** Makes and reconciles the bootstrap policy; a failure is logged, never fatal (as the hook retries). */
export async function ensureRbacBootstrap(s: ServerContext): Promise<void> {
  await ensureAll(s, CLUSTER_ROLES, 'clusterroles', BOOTSTRAP_CLUSTER_ROLES, (h, w) => reconcileRole(h as ClusterRole, w as ClusterRole));
  await ensureAll(s, CLUSTER_ROLE_BINDINGS, 'clusterrolebindings', BOOTSTRAP_CLUSTER_ROLE_BINDINGS, (h, w) => reconcileBinding(h as ClusterRoleBinding, w as ClusterRoleBinding));
  await ensureAll(s, ROLES, 'roles', BOOTSTRAP_ROLES, (h, w) => reconcileRole(h as unknown as ClusterRole, w as unknown as ClusterRole) as unknown as Role | null);
  await ensureAll(s, ROLE_BINDINGS, 'rolebindings', BOOTSTRAP_ROLE_BINDINGS, (h, w) => reconcileBinding(h as unknown as ClusterRoleBinding, w as unknown as ClusterRoleBinding) as unknown as RoleBinding | null);
}

async function ensureAll<T extends { metadata?: { name?: string; namespace?: string } }>(
  s: ServerContext,
  gr: string,
  resource: string,
  wanted: readonly T[],
  reconcile: (have: T, want: T) => T | null,
): Promise<void> {
  const kind = s.lookup('rbac.authorization.k8s.io', 'v1', resource);
  if (!kind) return;
  const call = { from: 'apiserver', user: userForAddress('apiserver') };
  for (const want of wanted) {
    const name = want.metadata?.name ?? '';
    const namespace = want.metadata?.namespace;
    const target = { group: 'rbac.authorization.k8s.io', version: 'v1', resource, name, ...(namespace ? { namespace } : {}) };
    const have = s.cache.resource(gr).items.get(objectStorageKey(gr, namespace, name)) as unknown as T | undefined;
    if (!have) {
      const r = await create(s, kind, { ...call, payload: { target: { ...target, name: undefined }, object: structuredClone(want) as unknown as KubeObject } });
      if (!r.ok && !isConflictOrExists(r)) s.log.warn('apiserver: could not create an RBAC bootstrap object', { resource, name, status: r.status.message });
      continue;
    }
    if ((have as { metadata?: { annotations?: Record<string, string> } }).metadata?.annotations?.[AUTOUPDATE_ANNOTATION] === 'false') continue;
    const next = reconcile(have, want);
    if (!next) continue;
    const r = await update(s, kind, { ...call, payload: { target, object: next as unknown as KubeObject } });
    if (!r.ok) s.log.warn('apiserver: could not reconcile an RBAC bootstrap object', { resource, name, status: r.status.message });
  }
}
