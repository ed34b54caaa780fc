/**
 * Deleting a namespace's content (pkg/controller/namespace/deletion/
 * namespaced_resources_deleter.go, deleteAllContent): for every namespaced resource the
 * server serves and can delete, estimate how long graceful deletion may take, delete the
 * whole collection (or each item where deletecollection is not served), then list what
 * remains. Remaining objects are normal while pods terminate or finalizers run; anything
 * else left over is an error.
 */
import type { Pod } from 'kubernetes-types/core/v1.js';
import type { ApiTarget, KubeObject } from '../../../bus/catalogue/api.ts';
import { allKinds, type KindInfo } from '../../../api/kinds.ts';
import type { ContentTotals } from '../../../machines/controllers/namespace/conditions.ts';
import { type ApiClient, isNotFound } from '../../client/index.ts';

/** How long to wait for objects held by finalizers before looking again (finalizerEstimateSeconds). */
export const FINALIZER_ESTIMATE_SECONDS = 15;

export interface ContentPass extends ContentTotals {
  /** Seconds until the content might be gone; 0 when nothing remains. */
  estimate: number;
}

/** Namespaced resources with the delete verb (discovery filtered by verbs). */
export function deletableNamespacedKinds(): KindInfo[] {
  return allKinds().filter((k) => k.namespaced && k.verbs.includes('delete') && k.verbs.includes('list'));
}

const groupResource = (k: KindInfo) => `${k.resource}.${k.group}`;
const target = (k: KindInfo, namespace: string, name?: string): ApiTarget => ({
  group: k.group,
  version: k.version,
  resource: k.resource,
  namespace,
  ...(name !== undefined ? { name } : {}),
});

const statusText = (s: { message: string }) => s.message;

async function list(api: ApiClient, k: KindInfo, namespace: string): Promise<KubeObject[]> {
  const r = await api.list(target(k, namespace));
  if (!r.ok) throw new Error(statusText(r.status));
  return r.value.items ?? [];
}

/** estimateGracefulTerminationForPods: the longest grace period of the pods not yet finished. */
function podEstimate(pods: KubeObject[]): number {
  let estimate = 0;
  for (const p of pods as Pod[]) {
    const phase = p.status?.phase;
    if (phase === 'Succeeded' || phase === 'Failed') continue;
    const grace = p.spec?.terminationGracePeriodSeconds;
    if (typeof grace === 'number' && grace > estimate) estimate = grace;
  }
  return estimate;
}

interface ResourcePass {
  estimate: number;
  remaining: number;
  finalizers: Map<string, number>;
}

async function deleteResource(api: ApiClient, k: KindInfo, namespace: string): Promise<ResourcePass> {
  const estimate = k.group === '' && k.resource === 'pods' ? podEstimate(await list(api, k, namespace)) : 0;
  const background = { propagationPolicy: 'Background' as const };
  if (k.verbs.includes('deletecollection')) {
    const r = await api.deleteCollection(target(k, namespace), background);
    if (!r.ok && !isNotFound(r.status)) throw new Error(statusText(r.status));
  } else {
    for (const obj of await list(api, k, namespace)) {
      const r = await api.delete(target(k, namespace, obj.metadata?.name), background);
      if (!r.ok && !isNotFound(r.status)) throw new Error(statusText(r.status));
    }
  }
  const left = await list(api, k, namespace);
  const finalizers = new Map<string, number>();
  for (const obj of left) for (const f of obj.metadata?.finalizers ?? []) finalizers.set(f, (finalizers.get(f) ?? 0) + 1);
  if (left.length === 0 || estimate > 0) return { estimate, remaining: left.length, finalizers };
  if (finalizers.size > 0) return { estimate: FINALIZER_ESTIMATE_SECONDS, remaining: left.length, finalizers };
  throw Object.assign(new Error(`unexpected items still remain in namespace: ${namespace} for gvr: ${k.group}/${k.version}, Resource=${k.resource}`), {
    pass: { estimate, remaining: left.length, finalizers },
  });
}

/** One pass over every deletable resource of `namespace`; errors are collected, not thrown. */
export async function deleteAllContent(api: ApiClient, namespace: string): Promise<ContentPass> {
  let estimate = 0;
  const remaining = new Map<string, number>();
  const finalizers = new Map<string, number>();
  const deleteErrors: string[] = [];
  for (const k of deletableNamespacedKinds()) {
    let pass: ResourcePass | undefined;
    try {
      pass = await deleteResource(api, k, namespace);
    } catch (err) {
      deleteErrors.push(err instanceof Error ? err.message : String(err));
      pass = (err as { pass?: ResourcePass }).pass;
    }
    if (!pass) continue;
    estimate = Math.max(estimate, pass.estimate);
    if (pass.remaining > 0) remaining.set(groupResource(k), pass.remaining);
    for (const [f, n] of pass.finalizers) finalizers.set(f, (finalizers.get(f) ?? 0) + n);
  }
  return { estimate, remaining, finalizers, deleteErrors };
}
