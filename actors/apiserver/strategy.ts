/**
 * Registry strategy rules (Kubernetes' PrepareForCreate / PrepareForUpdate /
 * CheckGracefulDelete / ShouldDeleteDuringUpdate) as every kind shares them: what a
 * main-resource or /status update may change, and when a delete or an update removes an
 * object. What is particular to a kind — what a new object starts with, whether it carries a
 * generation, its grace period and its own finalizers — is its descriptor's `strategy`
 * (api/kinds/<group>/<kind>.ts); nothing here names a kind.
 */
import type { KubeObject } from '../../bus/catalogue/api.ts';
import type { DeleteOptions } from '../../bus/catalogue/api.ts';
import type { KindStrategy } from '../../api/kinds.ts';
import type { ResourceInfo } from './resources.ts';

type Obj = KubeObject & { spec?: Record<string, unknown>; status?: Record<string, unknown> };

export { NAMESPACE_FINALIZER } from '../../api/kinds/core/namespace.ts';
export const FOREGROUND_FINALIZER = 'foregroundDeletion';
export const ORPHAN_FINALIZER = 'orphan';

/**
 * What a create stores (Kubernetes' PrepareForCreate): generation 1 for kinds whose strategy
 * tracks it (none at all otherwise), and the status the kind's descriptor starts it with.
 */
export function prepareForCreate(strategy: KindStrategy, stamped: Obj): Obj {
  return strategy.prepareForCreate(strategy.tracksGeneration ? stamped : withoutGeneration(stamped));
}

function withoutGeneration(obj: Obj): Obj {
  const { generation: _g, ...metadata } = obj.metadata ?? {};
  return { ...obj, metadata };
}

/**
 * A main-resource update keeps the stored status; a /status update takes only status — or
 * the kind's own rule instead, if it has one (`now`: the server's time, RFC 3339).
 */
export function prepareForUpdate(res: ResourceInfo, old: Obj, next: Obj, subresource: string | undefined, strategy?: KindStrategy, now = ''): Obj {
  if (strategy?.prepareForUpdate) return strategy.prepareForUpdate(old, next, subresource, now) as Obj;
  return sharedPrepareForUpdate(res, old, next, subresource);
}

function sharedPrepareForUpdate(res: ResourceInfo, old: Obj, next: Obj, subresource: string | undefined): Obj {
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

/** The grace period of a delete (Kubernetes' CheckGracefulDelete): the kind's own rule, else 0 (at once). */
export function gracePeriod(strategy: KindStrategy, obj: KubeObject, opts: DeleteOptions | undefined): number {
  return strategy.checkGracefulDelete?.(obj, opts) ?? 0;
}

/** The finalizer a propagation policy adds (the garbage collector removes it when done). */
export function propagationFinalizer(opts: DeleteOptions | undefined): string | null {
  if (opts?.propagationPolicy === 'Foreground') return FOREGROUND_FINALIZER;
  if (opts?.propagationPolicy === 'Orphan') return ORPHAN_FINALIZER;
  return null;
}

/**
 * Whether an update that leaves a marked object without finalizers should delete it
 * (Kubernetes' ShouldDeleteDuringUpdate): none in its metadata nor in the kind's own spec
 * finalizers, and, for a kind with graceful deletion, only once its grace period is 0.
 */
export function shouldDeleteDuringUpdate(strategy: KindStrategy, next: KubeObject): boolean {
  const m = next.metadata;
  if (!m?.deletionTimestamp || (m.finalizers?.length ?? 0) > 0) return false;
  if ((strategy.specFinalizers?.(next).length ?? 0) > 0) return false;
  return !strategy.checkGracefulDelete || (m.deletionGracePeriodSeconds ?? 0) === 0;
}
