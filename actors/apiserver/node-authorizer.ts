/**
 * Authorization of the users that node processes speak as, before any verb runs: Kubernetes'
 * Node authorizer with the system:node role's static rules, and a deny-all for
 * system:anonymous (what a `pod.*` address is: pods hold no credentials of their own on the
 * bus; their node holds the address). Every other user is not judged here — there is no
 * RBAC yet — and NodeRestriction (admission.ts) still narrows the writes this lets through.
 *
 * A node may:
 * - get a Secret, ConfigMap, PersistentVolumeClaim (and its PersistentVolume) only when a pod
 *   bound to it references it, and create a token only for a ServiceAccount such a pod runs as;
 * - get, create, update, patch or delete only its own Lease in kube-node-lease;
 * - otherwise do what the system:node ClusterRole grants (nodes, pods, pod status, events,
 *   services and endpoints read-only, the review kinds a kubelet delegates to); nothing else.
 */
import type { Pod } from 'kubernetes-types/core/v1.js';
import type { KubeObject, UserInfo } from '../../bus/catalogue/api.ts';
import type { Status } from '../../base/status.ts';
import { authorizationForbidden, NODE_LEASE_NAMESPACE } from './admission.ts';
import type { ServerContext } from './context.ts';
import { ANONYMOUS_USER, NODE_PROXIER_GROUP, nodeOf } from './identity.ts';
import { claimsOfPod as claimsOf } from '../../api/volumes/claims.ts';

export type RequestVerb = 'get' | 'list' | 'watch' | 'create' | 'update' | 'patch' | 'delete' | 'deletecollection';

export interface RequestAttributes {
  user: UserInfo;
  verb: RequestVerb;
  group: string;
  resource: string;
  subresource?: string | undefined;
  namespace?: string | undefined;
  name?: string | undefined;
}

/** The `api.*` message type → the Kubernetes verb it is (null: not a resource request). */
export function verbOf(type: string): RequestVerb | null {
  const v = type.startsWith('api.') ? type.slice(4) : '';
  return (['get', 'list', 'watch', 'create', 'update', 'patch', 'delete', 'deletecollection'] as const).find((x) => x === v) ?? null;
}

/** system:node's rules, as [group, resource(/subresource), verbs]. */
const NODE_RULES: readonly (readonly [string, string, readonly RequestVerb[]])[] = [
  ['', 'nodes', ['get', 'list', 'watch', 'create', 'update', 'patch', 'delete']],
  ['', 'nodes/status', ['update', 'patch']],
  ['', 'pods', ['get', 'list', 'watch', 'create', 'delete']],
  ['', 'pods/status', ['update', 'patch']],
  ['', 'pods/eviction', ['create']],
  ['', 'events', ['create', 'update', 'patch']],
  ['events.k8s.io', 'events', ['create', 'update', 'patch']],
  ['', 'services', ['get', 'list', 'watch']],
  ['', 'endpoints', ['get', 'list', 'watch']],
  ['authentication.k8s.io', 'tokenreviews', ['create']],
  ['authorization.k8s.io', 'subjectaccessreviews', ['create']],
  ['authorization.k8s.io', 'localsubjectaccessreviews', ['create']],
  ['certificates.k8s.io', 'certificatesigningrequests', ['create', 'get', 'list', 'watch']],
  ['node.k8s.io', 'runtimeclasses', ['get', 'list', 'watch']],
  ['storage.k8s.io', 'csidrivers', ['get', 'list', 'watch']],
];

/** The ClusterRole system:node-proxier's rules (Kubernetes' bootstrap policy). */
const NODE_PROXIER_RULES: typeof NODE_RULES = [
  ['', 'endpoints', ['list', 'watch']],
  ['', 'services', ['list', 'watch']],
  ['', 'nodes', ['get', 'list', 'watch']],
  ['', 'events', ['create', 'patch', 'update']],
  ['events.k8s.io', 'events', ['create', 'patch', 'update']],
  ['discovery.k8s.io', 'endpointslices', ['list', 'watch']],
];

/** The 403 to answer (Kubernetes' forbidden message, with the node authorizer's reason), or null to go on. */
export function authorizeRequest(s: ServerContext, a: RequestAttributes): Status | null {
  if (a.user.username === ANONYMOUS_USER.username) return denied(a, '');
  const node = nodeOf(a.user);
  if (node === null) return null;
  // The union of authorizers: what system:node-proxier's rules allow kube-proxy, the node authorizer need not.
  if (a.user.groups.includes(NODE_PROXIER_GROUP) && allows(NODE_PROXIER_RULES, a)) return null;
  const why = nodeDecision(s, node, a);
  return why === null ? null : denied(a, why);
}

/** null when allowed, else the reason (possibly empty, as RBAC's "no rule matched"). */
function nodeDecision(s: ServerContext, node: string, a: RequestAttributes): string | null {
  const gr = a.group ? `${a.resource}.${a.group}` : a.resource;
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
      if (!['get', 'create', 'update', 'patch', 'delete'].includes(a.verb)) return 'can only get, create, update, patch, or delete a node lease';
      if (a.namespace !== NODE_LEASE_NAMESPACE) return `can only access leases in the "${NODE_LEASE_NAMESPACE}" system namespace`;
      // A create names its lease in the body: NodeRestriction checks it there.
      if (a.verb !== 'create' && a.name !== node) return 'can only access node lease with the same name as the requesting node';
      return null;
  }
  return allows(NODE_RULES, a) ? null : '';
}

function allows(rules: typeof NODE_RULES, a: RequestAttributes): boolean {
  const what = a.subresource ? `${a.resource}/${a.subresource}` : a.resource;
  return rules.some(([g, r, verbs]) => g === a.group && r === what && verbs.includes(a.verb));
}

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
  const pods = s.cache.resources.get('pods')?.items.values() ?? ([] as KubeObject[]).values();
  for (const p of pods as Iterable<Pod>) if (p.spec?.nodeName === node) yield p;
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

const denied = (a: RequestAttributes, reason: string): Status => authorizationForbidden({ ...a, res: a }, reason);
