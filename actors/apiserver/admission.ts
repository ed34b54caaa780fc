/**
 * Admission the apiserver applies to writes: NamespaceLifecycle (content only in existing,
 * non-terminating namespaces; the system namespaces cannot be deleted), NodeRestriction
 * (a kubelet may write only its own Node, its own Lease and pods bound to it), and the
 * mutating DefaultTolerationSeconds, DefaultStorageClass, StorageObjectInUseProtection and
 * ServiceAccount plugins on create. Defaulting
 * and validation run in the verbs through the ObjectModel.
 */
import type { Toleration } from 'kubernetes-types/core/v1.js';
import type { StorageClass } from 'kubernetes-types/storage/v1.js';
import type { IngressClass } from 'kubernetes-types/networking/v1.js';
import { IS_DEFAULT_INGRESS_CLASS } from '../../api/ingress/classes.ts';
import { INGRESS_CLASS_ANNOTATION } from '../../api/validation/ingress.ts';
import type { KubeObject, UserInfo } from '../../bus/catalogue/api.ts';
import { addDefaultTolerations, type DefaultTolerationSeconds } from '../../api/defaults/pod.ts';
import { admitServiceAccount } from '../../api/defaults/service-account.ts';
import type { Pod, ServiceAccount } from 'kubernetes-types/core/v1.js';
import { BETA_STORAGE_CLASS, defaultClass, PV_PROTECTION_FINALIZER, PVC_PROTECTION_FINALIZER } from '../../api/volumes/claims.ts';
import { forbidden, notFound, type Result, type Status } from '../../base/status.ts';
import type { ServerContext } from './context.ts';
import { nodeOf } from './identity.ts';
import type { ResourceInfo } from './resources.ts';
import { readCurrent } from './store.ts';
import { objectStorageKey } from './storage-keys.ts';

export type WriteVerb = 'create' | 'update' | 'patch' | 'delete' | 'deletecollection';

export interface Attributes {
  verb: WriteVerb;
  res: ResourceInfo;
  namespace?: string;
  name?: string;
  subresource?: string;
  user: UserInfo;
  /** The object being written (create/update/patch). */
  object?: KubeObject;
  /** The stored object (update/patch/delete). */
  old?: KubeObject;
}

export const NODE_LEASE_NAMESPACE = 'kube-node-lease';
/** Namespaces the apiserver creates at boot and refuses to delete (kube-node-lease may go, as in Kubernetes). */
export const SYSTEM_NAMESPACES = ['default', 'kube-system', 'kube-public', 'kube-node-lease'] as const;
export const UNDELETABLE_NAMESPACES = ['default', 'kube-system', 'kube-public'];

/** `pods "x" is forbidden: <why>` (`pods is forbidden` without a name), as admission.NewForbidden words it. */
export function admissionForbidden(a: { res: Pick<ResourceInfo, 'resource' | 'group'>; name?: string | undefined }, why: string): Status {
  const what = a.res.group ? `${a.res.resource}.${a.res.group}` : a.res.resource;
  return forbidden(`${what}${a.name ? ` "${a.name}"` : ''} is forbidden: ${why}`, {
    kind: a.res.resource,
    ...(a.name ? { name: a.name } : {}),
    ...(a.res.group ? { group: a.res.group } : {}),
  });
}

/**
 * An authorizer's refusal, as the apiserver words it: `secrets is forbidden: User "u" cannot
 * list resource "secrets" in API group "" at the cluster scope[: reason]`.
 */
export function authorizationForbidden(
  a: { user: UserInfo; verb: string; res: Pick<ResourceInfo, 'resource' | 'group'>; subresource?: string | undefined; namespace?: string | undefined; name?: string | undefined },
  reason = '',
): Status {
  const sub = a.subresource ? `${a.res.resource}/${a.subresource}` : a.res.resource;
  const where = a.namespace ? ` in the namespace "${a.namespace}"` : ' at the cluster scope';
  return admissionForbidden(a, `User "${a.user.username}" cannot ${a.verb} resource "${sub}" in API group "${a.res.group}"${where}${reason ? `: ${reason}` : ''}`);
}

const rbacDenied = (a: Attributes): Status => authorizationForbidden(a);

/** NodeRestriction: null when allowed, else the 403 to answer. Reads are never restricted here. */
export function nodeRestriction(a: Attributes): Status | null {
  const node = nodeOf(a.user);
  if (node === null) return null;
  const { res } = a;
  if (res.gr === 'events' || res.gr === 'events.events.k8s.io') return null;
  if (res.gr === 'nodes') {
    if (a.name !== node) return admissionForbidden(a, `node "${node}" is not allowed to modify node "${a.name ?? ''}"`);
    return null;
  }
  if (res.gr === 'leases.coordination.k8s.io') {
    if (a.namespace !== NODE_LEASE_NAMESPACE) return admissionForbidden(a, `can only access leases in the "${NODE_LEASE_NAMESPACE}" namespace`);
    if (a.name !== node) return admissionForbidden(a, 'can only access node lease with the same name as the requesting node');
    return null;
  }
  if (res.gr === 'pods') return podRestriction(a, node);
  return rbacDenied(a);
}

function podRestriction(a: Attributes, node: string): Status | null {
  const boundTo = (o: KubeObject | undefined) => (o?.spec as { nodeName?: string } | undefined)?.nodeName;
  if (a.verb === 'create' && !a.subresource) {
    if (a.object?.metadata?.annotations?.['kubernetes.io/config.mirror'] === undefined) {
      return admissionForbidden(a, `pod does not have "kubernetes.io/config.mirror" annotation, node "${node}" can only create mirror pods`);
    }
    if (boundTo(a.object) !== node) return admissionForbidden(a, `node "${node}" can only create pods with spec.nodeName set to itself`);
    return null;
  }
  if (a.verb === 'delete') {
    return boundTo(a.old) === node ? null : admissionForbidden(a, `node "${node}" can only delete pods with spec.nodeName set to itself`);
  }
  if ((a.verb === 'update' || a.verb === 'patch') && a.subresource === 'status') {
    return boundTo(a.old) === node ? null : admissionForbidden(a, `node "${node}" can only update pod status for pods with spec.nodeName set to itself`);
  }
  return rbacDenied(a);
}

/** NamespaceLifecycle on delete: the namespaces the system runs in may not be deleted; null when allowed. */
export function namespaceDeletion(res: ResourceInfo, name: string): Status | null {
  return res.gr === 'namespaces' && UNDELETABLE_NAMESPACES.includes(name) ? admissionForbidden({ res, name }, 'this namespace may not be deleted') : null;
}

/** NamespaceLifecycle for a create of namespaced content: the namespace must exist and not be terminating. */
export async function namespaceLifecycle(s: ServerContext, res: ResourceInfo, namespace: string, name: string): Promise<Result<true>> {
  let ns = s.cache.object('namespaces', undefined, namespace);
  if (!ns) {
    // The cache may not have seen a namespace created a moment ago: ask storage before saying 404.
    const cur = await readCurrent(s, objectStorageKey('namespaces', undefined, namespace));
    if (!cur.ok) return cur;
    ns = cur.value?.obj;
  }
  if (!ns) return { ok: false, status: notFound('namespaces', namespace) };
  const phase = (ns.status as { phase?: string } | undefined)?.phase;
  if (ns.metadata?.deletionTimestamp || phase === 'Terminating') {
    return {
      ok: false,
      status: admissionForbidden({ res, name }, `unable to create new content in namespace ${namespace} because it is being terminated`),
    };
  }
  return { ok: true, value: true };
}

/** The DefaultTolerationSeconds admission plugin, on pod create (other resources pass as they are): Kubernetes runs it before validation. */
export function withDefaultTolerations(res: ResourceInfo, pod: KubeObject, seconds: DefaultTolerationSeconds): KubeObject {
  if (res.gr !== 'pods') return pod;
  const spec = (pod.spec ?? {}) as { tolerations?: Toleration[] };
  return { ...pod, spec: { ...spec, tolerations: addDefaultTolerations(spec.tolerations, seconds) } };
}

/**
 * The DefaultStorageClass admission plugin, on claim create: a claim that names no class
 * (neither spec.storageClassName nor the beta annotation; an explicit "" stays) gets the
 * default StorageClass's name, when there is one.
 */
export function withDefaultStorageClass(s: ServerContext, pvc: KubeObject): KubeObject {
  const spec = (pvc.spec ?? {}) as { storageClassName?: string };
  if (spec.storageClassName !== undefined || pvc.metadata?.annotations?.[BETA_STORAGE_CLASS] !== undefined) return pvc;
  const classes = s.cache.resources.get('storageclasses.storage.k8s.io')?.items.values() ?? [];
  const sc = defaultClass(classes as Iterable<StorageClass>);
  return sc?.metadata?.name ? { ...pvc, spec: { ...spec, storageClassName: sc.metadata.name } } : pvc;
}

/**
 * The DefaultIngressClass admission plugin, on Ingress create: an Ingress that names no class
 * (neither spec.ingressClassName nor the kubernetes.io/ingress.class annotation) gets the
 * default IngressClass's name, when there is one.
 */
export function withDefaultIngressClass(s: ServerContext, ing: KubeObject): KubeObject {
  const spec = (ing.spec ?? {}) as { ingressClassName?: string };
  if (spec.ingressClassName !== undefined || ing.metadata?.annotations?.[INGRESS_CLASS_ANNOTATION] !== undefined) return ing;
  const classes = s.cache.resources.get('ingressclasses.networking.k8s.io')?.items.values() ?? [];
  const ic = defaultClass(classes as Iterable<IngressClass>, IS_DEFAULT_INGRESS_CLASS);
  return ic?.metadata?.name ? { ...ing, spec: { ...spec, ingressClassName: ic.metadata.name } } : ing;
}

/** StorageObjectInUseProtection, on create: claims and volumes start with their protection finalizer. */
export function withStorageProtection(gr: string, obj: KubeObject): KubeObject {
  const f = gr === 'persistentvolumeclaims' ? PVC_PROTECTION_FINALIZER : gr === 'persistentvolumes' ? PV_PROTECTION_FINALIZER : null;
  if (!f || obj.metadata?.finalizers?.includes(f)) return obj;
  return { ...obj, metadata: { ...obj.metadata, finalizers: [...(obj.metadata?.finalizers ?? []), f] } };
}

/** Admission plugins that `disableAdmissionPlugins` may turn off (kube-apiserver's --disable-admission-plugins names). */
export const OPTIONAL_ADMISSION_PLUGINS = ['ServiceAccount', 'LimitRanger', 'ResourceQuota'] as const;
export type OptionalAdmissionPlugin = (typeof OPTIONAL_ADMISSION_PLUGINS)[number];

/**
 * The ServiceAccount admission plugin, on pod create (api/defaults/service-account.ts):
 * serviceAccountName defaults to `default`, and the kube-api-access projected volume is
 * added unless automounting is off. Mirror pods are left as they are.
 */
export function withServiceAccount(s: ServerContext, res: ResourceInfo, pod: KubeObject): KubeObject {
  if (res.gr !== 'pods' || s.admissionDisabled.has('ServiceAccount')) return pod;
  if (pod.metadata?.annotations?.['kubernetes.io/config.mirror'] !== undefined) return pod;
  const ns = pod.metadata?.namespace ?? 'default';
  const accounts = s.cache.resources.get('serviceaccounts')?.items;
  const account = (name: string) => accounts?.get(objectStorageKey('serviceaccounts', ns, name)) as ServiceAccount | undefined;
  return admitServiceAccount(pod as Pod, account, (n) => Math.floor(s.random() * n)) as KubeObject;
}
