/**
 * Kubernetes' Node authorizer, one link of the authorizer chain (authorizer.ts): a node
 * (system:node:<n> in system:nodes) may
 * - get a Secret, ConfigMap, PersistentVolumeClaim (and its PersistentVolume) only when a pod
 *   bound to it references it, and create a token only for a ServiceAccount such a pod runs as;
 * - get, create, update, patch or delete only its own Lease in kube-node-lease;
 * - otherwise do what the system:node rules grant (NODE_RULES of the bootstrap policy).
 * It has no opinion on anyone else. NodeRestriction (admission.ts) still narrows the writes
 * this lets through.
 */
import type { Pod } from 'kubernetes-types/core/v1.js';
import type { UserInfo } from '../../bus/catalogue/api.ts';
import { NODE_RULES } from '../../api/rbac/bootstrap-policy.ts';
import type { ResourceAttributes } from '../../api/rbac/rules.ts';
import { rulesAllowRemembered } from './rbac.ts';
import { NODE_LEASE_NAMESPACE } from './admission.ts';
import type { ServerContext } from './context.ts';
import { claimsOfPod as claimsOf } from '../../api/volumes/claims.ts';

export type RequestVerb = 'get' | 'list' | 'watch' | 'create' | 'update' | 'patch' | 'delete' | 'deletecollection';

const VERB_OF: ReadonlyMap<string, RequestVerb> = new Map((['get', 'list', 'watch', 'create', 'update', 'patch', 'delete', 'deletecollection'] as const).map((v) => [`api.${v}`, v]));

/** The `api.*` message type → the Kubernetes verb it is (null: not a resource request). */
export function verbOf(type: string): RequestVerb | null {
  return VERB_OF.get(type) ?? null;
}

/** The attributes of a resource request, with the user making it. */
export type RequestAttributes = ResourceAttributes & { readonly user: UserInfo };

/** null when the node may, else the reason it may not (possibly empty, as "no rule matched"). */
export function nodeDecision(s: ServerContext, node: string, a: RequestAttributes): string | null {
  // The resource named with its group only where one matters: every kubelet request asks, and joining them made a string each time.
  const gr = a.group === '' ? a.resource : a.group === 'coordination.k8s.io' && a.resource === 'leases' ? 'leases.coordination.k8s.io' : '';
  switch (gr) {
    case 'secrets':
    case 'configmaps':
      if (a.verb !== 'get' && a.verb !== 'list' && a.verb !== 'watch') return 'can only read resources of this type';
      if (a.subresource) return 'cannot read subresource';
      if (!a.namespace) return 'can only read namespaced object of this type';
      return related(s, node, a, (pod) => (gr === 'secrets' ? secretsOf(pod) : configMapsOf(pod)));
    case 'persistentvolumeclaims':
      if (a.verb !== 'get') return 'can only get individual resources of this type';
      if (a.subresource) return 'cannot get subresource';
      return related(s, node, a, claimsOf);
    case 'persistentvolumes':
      if (a.verb !== 'get') return 'can only get individual resources of this type';
      if (a.subresource) return 'cannot get subresource';
      return boundVolumes(s, node).has(a.name ?? '') ? null : noRelationship(node);
    case 'serviceaccounts':
      if (a.verb !== 'create' || !a.name) return 'can only create tokens for individual service accounts';
      if (a.subresource !== 'token') return 'can only create token subresource of serviceaccount';
      return related(s, node, a, (pod) => [pod.spec?.serviceAccountName || 'default']);
    case 'leases.coordination.k8s.io':
      if (!LEASE_VERBS.has(a.verb)) return 'can only get, create, update, patch, or delete a node lease';
      if (a.namespace !== NODE_LEASE_NAMESPACE) return `can only access leases in the "${NODE_LEASE_NAMESPACE}" system namespace`;
      // A create names its lease in the body: NodeRestriction checks it there.
      if (a.verb !== 'create' && a.name !== node) return 'can only access node lease with the same name as the requesting node';
      return null;
  }
  return rulesAllowRemembered(a, NODE_RULES) ? null : '';
}

const LEASE_VERBS: ReadonlySet<string> = new Set(['get', 'create', 'update', 'patch', 'delete']);

const noRelationship = (node: string): string => `no relationship found between node "${node}" and this object`;

/** Whether a pod bound to `node` in the object's namespace names it (the node authorizer's graph, read from the cache). */
function related(s: ServerContext, node: string, a: RequestAttributes, refs: (pod: Pod) => Iterable<string>): string | null {
  if (!a.name) return 'No Object name found';
  for (const pod of podsOn(s, node)) {
    if (pod.metadata?.namespace !== a.namespace) continue;
    for (const r of refs(pod)) if (r === a.name) return null;
  }
  return noRelationship(node);
}

function* podsOn(s: ServerContext, node: string): Iterable<Pod> {
  const pods = s.cache.resources.get('pods');
  for (const key of pods?.byNode.get(node) ?? []) {
    const p = pods!.items.get(key) as Pod | undefined;
    if (p) yield p;
  }
}

function boundVolumes(s: ServerContext, node: string): Set<string> {
  const out = new Set<string>();
  const claims = s.cache.resources.get('persistentvolumeclaims')?.items;
  for (const pod of podsOn(s, node)) {
    for (const c of claimsOf(pod)) {
      for (const pvc of claims?.values() ?? []) {
        const spec = pvc.spec as { volumeName?: string } | undefined;
        if (pvc.metadata?.namespace === pod.metadata?.namespace && pvc.metadata?.name === c && spec?.volumeName) out.add(spec.volumeName);
      }
    }
  }
  return out;
}

function secretsOf(pod: Pod): string[] {
  const out: string[] = (pod.spec?.imagePullSecrets ?? []).map((r) => r.name ?? '');
  for (const v of pod.spec?.volumes ?? []) {
    if (v.secret?.secretName) out.push(v.secret.secretName);
    for (const p of v.projected?.sources ?? []) if (p.secret?.name) out.push(p.secret.name);
    for (const ref of [v.azureFile?.secretName, v.cephfs?.secretRef?.name, v.cinder?.secretRef?.name, v.flexVolume?.secretRef?.name, v.iscsi?.secretRef?.name, v.rbd?.secretRef?.name, v.scaleIO?.secretRef?.name, v.storageos?.secretRef?.name, v.csi?.nodePublishSecretRef?.name]) {
      if (ref) out.push(ref);
    }
  }
  for (const c of containersOf(pod)) {
    for (const e of c.envFrom ?? []) if (e.secretRef?.name) out.push(e.secretRef.name);
    for (const e of c.env ?? []) if (e.valueFrom?.secretKeyRef?.name) out.push(e.valueFrom.secretKeyRef.name);
  }
  return out;
}

function configMapsOf(pod: Pod): string[] {
  const out: string[] = [];
  for (const v of pod.spec?.volumes ?? []) {
    if (v.configMap?.name) out.push(v.configMap.name);
    for (const p of v.projected?.sources ?? []) if (p.configMap?.name) out.push(p.configMap.name);
  }
  for (const c of containersOf(pod)) {
    for (const e of c.envFrom ?? []) if (e.configMapRef?.name) out.push(e.configMapRef.name);
    for (const e of c.env ?? []) if (e.valueFrom?.configMapKeyRef?.name) out.push(e.valueFrom.configMapKeyRef.name);
  }
  return out;
}

const containersOf = (pod: Pod) => [...(pod.spec?.initContainers ?? []), ...(pod.spec?.containers ?? []), ...(pod.spec?.ephemeralContainers ?? [])];

