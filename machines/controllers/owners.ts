/**
 * ownerReferences helpers (k8s.io/apimachinery metav1.GetControllerOf / NewControllerRef).
 */
import type { KubeObject } from '../../base/object.ts';

export type OwnerReference = NonNullable<NonNullable<KubeObject['metadata']>['ownerReferences']>[number];

/** The reference with controller=true, if any (of any typed object: Pod, ReplicaSet, … or KubeObject). */
export function controllerOf<R extends { controller?: boolean }>(obj: { metadata?: { ownerReferences?: readonly R[] } }): R | undefined {
  return obj.metadata?.ownerReferences?.find((r) => r.controller === true);
}

/** What an owner needs to be referenced: its name and uid (any typed object has them). */
export interface OwnerMeta {
  metadata?: { name?: string; namespace?: string; uid?: string; deletionTimestamp?: string };
}

/** A controller reference to `owner`: controller=true, blockOwnerDeletion=true. */
export function newControllerRef(owner: OwnerMeta, apiVersion: string, kind: string): OwnerReference {
  return { apiVersion, kind, name: owner.metadata?.name ?? '', uid: owner.metadata?.uid ?? '', controller: true, blockOwnerDeletion: true };
}

/** True when `ref` points at `owner` of `kind` (by uid: a re-created owner of the same name is another object). */
export function refersTo(ref: OwnerReference | undefined, owner: KubeObject, kind: string): boolean {
  return ref !== undefined && ref.kind === kind && ref.uid === owner.metadata?.uid;
}
