/**
 * Per-kind registry strategy rules (Kubernetes' PrepareForCreate / PrepareForUpdate /
 * CheckGracefulDelete) that are about lifecycle rather than the object model: what status a
 * new object starts with, what a main-resource or /status update may change, and how long
 * a delete is graceful.
 */
import type { KubeObject } from '../../bus/catalogue/api.ts';
import type { DeleteOptions } from '../../bus/catalogue/api.ts';
import type { ResourceInfo } from './resources.ts';

type Obj = KubeObject & { spec?: Record<string, unknown>; status?: Record<string, unknown> };

/** The finalizer the namespace controller removes once a namespace is empty. */
export const NAMESPACE_FINALIZER = 'kubernetes';
export const FOREGROUND_FINALIZER = 'foregroundDeletion';
export const ORPHAN_FINALIZER = 'orphan';

/**
 * Kinds whose Kubernetes 1.32 strategy tracks metadata.generation: PrepareForCreate sets it
 * to 1 and PrepareForUpdate bumps it when the spec changes. Every other kind (ConfigMap,
 * Secret, ServiceAccount, Endpoints, Event, Lease, Namespace, Node, Service, and Pod until
 * the PodGeneration feature of 1.33) carries no generation at all.
 */
const GENERATION_KINDS: ReadonlySet<string> = new Set([
  'deployments.apps', 'replicasets.apps', 'statefulsets.apps', 'daemonsets.apps',
  'replicationcontrollers', 'podtemplates', 'jobs.batch', 'cronjobs.batch',
  'endpointslices.discovery.k8s.io', 'poddisruptionbudgets.policy',
  'networkpolicies.networking.k8s.io', 'ingresses.networking.k8s.io', 'ingressclasses.networking.k8s.io',
]);

/** Whether objects of this kind carry metadata.generation. */
export function tracksGeneration(res: Pick<ResourceInfo, 'gr'>): boolean {
  return GENERATION_KINDS.has(res.gr);
}

/** Status a freshly created object starts with (controllers and kubelets fill it in). */
export function prepareForCreate(res: ResourceInfo, stamped: Obj): Obj {
  const obj = tracksGeneration(res) ? stamped : withoutGeneration(stamped);
  switch (res.gr) {
    case 'pods':
      return { ...obj, status: { phase: 'Pending', ...(obj.status?.qosClass ? { qosClass: obj.status.qosClass } : {}) } };
    case 'namespaces': {
      const finalizers = (obj.spec?.finalizers as string[] | undefined) ?? [NAMESPACE_FINALIZER];
      return { ...obj, spec: { ...obj.spec, finalizers }, status: { phase: 'Active' } };
    }
    case 'services':
      return { ...obj, status: { loadBalancer: {} } };
    case 'nodes':
    case 'events':
    case 'leases.coordination.k8s.io':
      return obj;
    default:
      return res.hasStatus ? { ...obj, status: {} } : obj;
  }
}

function withoutGeneration(obj: Obj): Obj {
  const { generation: _g, ...metadata } = obj.metadata ?? {};
  return { ...obj, metadata };
}

/** A main-resource update keeps the stored status; a /status update takes only status. */
export function prepareForUpdate(res: ResourceInfo, old: Obj, next: Obj, subresource: string | undefined): Obj {
  if (subresource === 'status') {
    const out: Obj = { ...old, metadata: mergeMutableMeta(old, next) };
    if (next.status === undefined) delete out.status;
    else out.status = next.status;
    return out;
  }
  // pods/binding writes spec.nodeName and the PodScheduled condition together.
  if (subresource === 'binding') return next;
  if (subresource === 'finalize') return { ...old, spec: { ...old.spec, finalizers: next.spec?.finalizers ?? [] } };
  const out: Obj = { ...next };
  if (res.hasStatus) {
    if (old.status === undefined) delete out.status;
    else out.status = old.status;
  }
  return out;
}

/** On /status Kubernetes keeps metadata edits to labels/annotations but nothing structural. */
function mergeMutableMeta(old: Obj, next: Obj): Obj['metadata'] {
  return { ...old.metadata, resourceVersion: next.metadata?.resourceVersion ?? old.metadata?.resourceVersion };
}

/** System-owned metadata is copied from the stored object: a client cannot rewrite it. */
export function keepSystemMeta(old: KubeObject, next: KubeObject): KubeObject {
  const m = { ...next.metadata };
  const om = old.metadata ?? {};
  for (const k of ['uid', 'creationTimestamp', 'deletionTimestamp', 'deletionGracePeriodSeconds', 'generation', 'namespace', 'name'] as const) {
    if (om[k] === undefined) delete m[k];
    else (m as Record<string, unknown>)[k] = om[k];
  }
  if (m.generateName === undefined && om.generateName !== undefined) m.generateName = om.generateName;
  return { ...next, metadata: m };
}

/**
 * The grace period of a delete (Kubernetes' CheckGracefulDelete): pods bound to a node and
 * not yet finished get the requested or their own terminationGracePeriodSeconds (30 s
 * default) so the kubelet can stop them; everything else goes at once.
 */
export function gracePeriod(res: ResourceInfo, obj: Obj, opts: DeleteOptions | undefined): number {
  if (res.gr !== 'pods') return 0;
  const phase = obj.status?.phase;
  if (!obj.spec?.nodeName || phase === 'Succeeded' || phase === 'Failed') return 0;
  const asked = opts?.gracePeriodSeconds;
  const own = typeof obj.spec.terminationGracePeriodSeconds === 'number' ? obj.spec.terminationGracePeriodSeconds : 30;
  const grace = asked ?? own;
  // Kubernetes turns a negative or 0 request into 1 s for a bound pod unless it is forced; 0 still means "now" here.
  return Math.max(0, grace);
}

/** The finalizer a propagation policy adds (the garbage collector removes it when done). */
export function propagationFinalizer(opts: DeleteOptions | undefined): string | null {
  if (opts?.propagationPolicy === 'Foreground') return FOREGROUND_FINALIZER;
  if (opts?.propagationPolicy === 'Orphan') return ORPHAN_FINALIZER;
  return null;
}

/** Whether an update that leaves a marked object without finalizers should delete it (pods: only once their grace is 0). */
export function shouldDeleteDuringUpdate(res: ResourceInfo, next: KubeObject): boolean {
  const m = next.metadata;
  if (!m?.deletionTimestamp || (m.finalizers?.length ?? 0) > 0) return false;
  if (res.gr === 'pods') return (m.deletionGracePeriodSeconds ?? 0) === 0;
  if (res.gr === 'namespaces') return ((next.spec as { finalizers?: string[] } | undefined)?.finalizers?.length ?? 0) === 0;
  return true;
}
