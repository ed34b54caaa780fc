/**
 * ControllerRefManager.ClaimObjects (pkg/controller/controller_ref_manager.go): of the
 * candidate objects, keep those this owner controls and whose labels still match; adopt
 * matching orphans (a controllerRef is added, after re-reading the owner from the apiserver
 * to be sure it is not being deleted); release those it controls that no longer match.
 */
import type { ApiTarget } from '../../bus/catalogue/api.ts';
import type { ObjectMeta } from 'kubernetes-types/meta/v1.js';
import { matchesLabels, type Selector } from '../../api/selectors/labels.ts';
import { controllerOf, newControllerRef, type OwnerMeta } from '../../machines/controllers/owners.ts';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { apiVersionOf } from '../../api/kinds.ts';
import { type ApiClient, isNotFound, type ResourceTargets, type Target, targets, unwrap } from '../client/index.ts';

/** Any object with metadata (Pod, ReplicaSet, …). */
export interface Claimable {
  metadata?: ObjectMeta;
}

export interface ClaimRequest<T extends Claimable> {
  api: ApiClient;
  owner: OwnerMeta;
  ownerApiVersion: string;
  ownerKind: string;
  /** The owner's own target (re-read before adopting). */
  ownerTarget: ApiTarget;
  selector: Selector;
  /** The candidate's target by name. */
  targetOf(obj: T): Target<T>;
}

/** The owner side of the usual claim: a workload claiming the pods of its namespace. */
export interface PodOwner {
  owner: OwnerMeta;
  kind: string;
  /** The owner's resource (its apiVersion and target come from it). */
  targets: ResourceTargets<unknown>;
  selector: Selector;
}

/** claimObjects for pods: the ReplicaSet, DaemonSet, StatefulSet and Job controllers' case. */
export function claimPods(api: ApiClient, o: PodOwner, candidates: readonly Pod[]): Promise<Pod[]> {
  const namespace = o.owner.metadata?.namespace;
  // Not async: an extra await would move the sync by a microtask, which a replay notices.
  return claimObjects(
    {
      api,
      owner: o.owner,
      ownerApiVersion: apiVersionOf(o.targets),
      ownerKind: o.kind,
      ownerTarget: o.targets(namespace, o.owner.metadata?.name),
      selector: o.selector,
      targetOf: (p) => targets.pods(namespace, p.metadata?.name),
    },
    candidates,
  );
}

/** The objects the owner controls after adoption and release. */
export async function claimObjects<T extends Claimable>(req: ClaimRequest<T>, candidates: readonly T[]): Promise<T[]> {
  const { api, owner, selector } = req;
  const uid = owner.metadata?.uid;
  const claimed: T[] = [];
  let canAdopt: Promise<boolean> | null = null;
  const recheck = (): Promise<boolean> =>
    (canAdopt ??= api.get(req.ownerTarget).then((r) => {
      if (!r.ok) return false;
      return r.value.metadata?.uid === uid && !r.value.metadata?.deletionTimestamp;
    }));

  for (const obj of candidates) {
    const ref = controllerOf(obj);
    const matches = matchesLabels(selector, obj.metadata?.labels);
    if (ref) {
      if (ref.uid !== uid) continue;
      if (matches) {
        claimed.push(obj);
        continue;
      }
      if (owner.metadata?.deletionTimestamp) continue;
      await patchRefs(req, obj, (obj.metadata?.ownerReferences ?? []).filter((r) => r.uid !== uid));
      continue;
    }
    if (!matches || obj.metadata?.deletionTimestamp || owner.metadata?.deletionTimestamp) continue;
    if (!(await recheck())) continue;
    const adopted = await patchRefs(req, obj, [...(obj.metadata?.ownerReferences ?? []), newControllerRef(owner, req.ownerApiVersion, req.ownerKind)]);
    if (adopted) claimed.push(adopted);
  }
  return claimed;
}

/** Writes the object's ownerReferences, guarded by its resourceVersion; null if it is gone. */
async function patchRefs<T extends Claimable>(req: ClaimRequest<T>, obj: T, refs: ObjectMeta['ownerReferences']): Promise<T | null> {
  const patch = { metadata: { ownerReferences: refs && refs.length ? refs : null, resourceVersion: obj.metadata?.resourceVersion } };
  const r = await req.api.patch(req.targetOf(obj), patch, 'merge');
  if (!r.ok && isNotFound(r.status)) return null;
  return unwrap(r).object;
}
