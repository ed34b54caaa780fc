/**
 * The LimitRanger and ResourceQuota admission plugins, on the apiserver's writes (the rules
 * are pure, in api/quota/). LimitRanger defaults a new pod's container resources from the
 * namespace's LimitRanges and then refuses a pod or claim outside their min, max and ratio.
 * ResourceQuota checks a create (and a Service's or claim's update) against the namespace's
 * quotas and charges status.used before the object is stored, with a compare on each quota's
 * modRevision: two concurrent creates cannot both pass on the same room, the one that loses
 * the compare reads the quota again and is checked against the new usage (the quota
 * evaluator's conflict retry). An object whose write then fails stays charged until the
 * resource-quota controller's next count, as in Kubernetes.
 */
import type { LimitRange, PersistentVolumeClaim, Pod, ResourceQuota } from 'kubernetes-types/core/v1.js';
import type { KubeObject } from '../../bus/catalogue/api.ts';
import { fail, ok, type Result } from '../../base/status.ts';
import { aggregate, checkQuotas } from '../../api/quota/check.ts';
import { evaluatorFor } from '../../api/quota/evaluators.ts';
import { defaultPodResources, validateClaimLimits, validatePodLimits } from '../../api/quota/limit-ranger.ts';
import { admissionForbidden } from './admission.ts';
import type { ServerContext } from './context.ts';
import type { ResourceInfo } from './resources.ts';
import { MAX_WRITE_ATTEMPTS, storable, storageError } from './store.ts';
import { namespacePrefix } from './storage-keys.ts';
import { decorate } from './watch-cache.ts';
import { Unreadable } from './encryption/storage.ts';

/** The namespace's objects of a resource as the watch cache holds them. */
function cachedIn<T>(s: ServerContext, gr: string, namespace: string): T[] {
  const out: T[] = [];
  for (const o of s.cache.resources.get(gr)?.items.values() ?? []) if (o.metadata?.namespace === namespace) out.push(o as T);
  return out;
}

/**
 * LimitRanger's mutation of a new pod: containers without a request or limit get the
 * LimitRanges' defaults. The pod is defaulted first, as decoding defaults it before admission
 * in Kubernetes, so a container that states only a limit has that limit as its request.
 */
export function withLimitRangeDefaults(s: ServerContext, res: ResourceInfo, pod: KubeObject): KubeObject {
  if (res.gr !== 'pods' || s.admissionDisabled.has('LimitRanger')) return pod;
  const ranges = cachedIn<LimitRange>(s, 'limitranges', pod.metadata?.namespace ?? '');
  if (!ranges.length) return pod;
  const defaulted = s.model.default(res, pod) as Pod;
  const out = defaultPodResources(defaulted, ranges);
  return out === defaulted ? pod : (out as KubeObject);
}

/** LimitRanger's validation of a new pod or claim: 403 `pods "x" is forbidden: minimum cpu usage per Container is 100m, but request is 50m`. */
export function limitRangeViolation(s: ServerContext, res: ResourceInfo, obj: KubeObject): Result<true> {
  if ((res.gr !== 'pods' && res.gr !== 'persistentvolumeclaims') || s.admissionDisabled.has('LimitRanger')) return ok(true);
  const ranges = cachedIn<LimitRange>(s, 'limitranges', obj.metadata?.namespace ?? '');
  if (!ranges.length) return ok(true);
  const errs = res.gr === 'pods' ? validatePodLimits(obj as Pod, ranges) : validateClaimLimits(obj as PersistentVolumeClaim, ranges);
  return errs.length ? fail(admissionForbidden({ res, name: obj.metadata?.name }, aggregate(errs))) : ok(true);
}

/**
 * ResourceQuota admission of a create (`old` absent) or an update: refused with 403
 * `exceeded quota: …` (or a constraint's reason), else the matching quotas' status.used
 * grows by what the object adds — unless `dryRun`, which checks only.
 */
export async function admitQuota(s: ServerContext, res: ResourceInfo, obj: KubeObject, old: KubeObject | undefined, dryRun: boolean | undefined): Promise<Result<true>> {
  const ns = obj.metadata?.namespace;
  if (!res.namespaced || !ns || s.admissionDisabled.has('ResourceQuota')) return ok(true);
  if (old && !evaluatorFor(res.gr).chargesUpdates) return ok(true);
  // The cache says whether the namespace has any quota at all: most creates stop here. A quota
  // it has not seen yet has no status.hard from the controller, so it would not match anyway.
  if (!cachedIn(s, 'resourcequotas', ns).length) return ok(true);
  for (let attempt = 0; attempt < MAX_WRITE_ATTEMPTS; attempt++) {
    const read = await s.kv.range(namespacePrefix('resourcequotas', ns));
    if (!read.ok) return fail(storageError(read.status));
    const revisions = new Map<string, number>();
    const quotas: { key: string; quota: ResourceQuota }[] = [];
    // Through the storage codec, as every other read and write: quotas may be encrypted at rest too.
    for (const kv of read.value.items.map((r) => s.codec.decode(r))) {
      if (kv.value instanceof Unreadable) return fail(kv.value.status);
      revisions.set(kv.key, kv.modRevision);
      quotas.push({ key: kv.key, quota: decorate(kv.value, kv.modRevision) as ResourceQuota });
    }
    const decision = checkQuotas(res.gr, quotas.map((q) => q.quota), obj, old, s.clock.now());
    if (!decision.allowed) return fail(admissionForbidden({ res, name: obj.metadata?.name }, decision.reason));
    if (!decision.charged.length || dryRun) return ok(true);
    const ops = decision.charged.map((q) => {
      const k = quotas.find((x) => x.quota.metadata?.name === q.metadata?.name)!.key;
      return { op: 'put' as const, key: k, value: s.codec.encode(k, storable(q as KubeObject)), ifModRevision: revisions.get(k)! };
    });
    const w = await s.kv.txn(ops);
    if (!w.ok) return fail(storageError(w.status));
    if (w.value.succeeded) return ok(true);
  }
  return fail(admissionForbidden({ res, name: obj.metadata?.name }, 'unable to charge the quota: too many conflicting writes'));
}
