/**
 * Registry strategy rules (Kubernetes' PrepareForCreate / PrepareForUpdate /
 * CheckGracefulDelete) that are about lifecycle rather than the object model: what a
 * main-resource or /status update may change, and how long a delete is graceful. What a new
 * object starts with and whether it carries a generation are each kind's descriptor's
 * (api/kinds/<group>/<kind>.ts, its `strategy`).
 */
import type { KubeObject } from '../../bus/catalogue/api.ts';
import type { DeleteOptions } from '../../bus/catalogue/api.ts';
import type { ObjectModel } from './context.ts';
import type { ResourceInfo } from './resources.ts';

type Obj = KubeObject & { spec?: Record<string, unknown>; status?: Record<string, unknown> };

export { NAMESPACE_FINALIZER } from '../../api/kinds/core/namespace.ts';
export const FOREGROUND_FINALIZER = 'foregroundDeletion';
export const ORPHAN_FINALIZER = 'orphan';

/**
 * What a create stores (Kubernetes' PrepareForCreate): generation 1 for kinds whose strategy
 * tracks it (none at all otherwise), and the status the kind's descriptor starts it with.
 */
export function prepareForCreate(model: Pick<ObjectModel, 'prepareForCreate' | 'tracksGeneration'>, res: ResourceInfo, stamped: Obj): Obj {
  const obj = model.tracksGeneration(res) ? stamped : withoutGeneration(stamped);
  return model.prepareForCreate(res, obj) as Obj;
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
