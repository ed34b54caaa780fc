/**
 * The scheduler's view of storage (the VolumeBinding plugin's listers): claims by
 * `namespace/name`, volumes and StorageClasses by name, kept by the actor's informers.
 * `delayedClaims` is what the binding step annotates with the chosen node.
 */
import type { PersistentVolume, PersistentVolumeClaim, Pod } from 'kubernetes-types/core/v1.js';
import type { StorageClass } from 'kubernetes-types/storage/v1.js';
import { claimClass, claimsOfPod } from '../../api/volumes/claims.ts';

export class VolumeStore {
  readonly claims = new Map<string, PersistentVolumeClaim>();
  readonly volumes = new Map<string, PersistentVolume>();
  readonly classes = new Map<string, StorageClass>();

  claim(namespace: string, name: string): PersistentVolumeClaim | undefined {
    return this.claims.get(`${namespace}/${name}`);
  }

  classOf(pvc: PersistentVolumeClaim): StorageClass | undefined {
    const name = claimClass(pvc);
    return name ? this.classes.get(name) : undefined;
  }

  /** An unbound claim whose class binds when the first consumer is scheduled. */
  isDelayed(pvc: PersistentVolumeClaim): boolean {
    return !pvc.spec?.volumeName && this.classOf(pvc)?.volumeBindingMode === 'WaitForFirstConsumer';
  }

  /** The pod's WaitForFirstConsumer claims (namespace/name) not yet Bound: what PreBind waits for. */
  unboundDelayedClaims(pod: Pod): string[] {
    const ns = pod.metadata?.namespace ?? 'default';
    return claimsOfPod(pod).filter((name) => {
      const pvc = this.claim(ns, name);
      return pvc !== undefined && pvc.status?.phase !== 'Bound' && this.classOf(pvc)?.volumeBindingMode === 'WaitForFirstConsumer';
    }).map((name) => `${ns}/${name}`);
  }

  /** The pod's unbound WaitForFirstConsumer claims not yet given a node: what PreBind annotates. */
  delayedClaims(pod: Pod): PersistentVolumeClaim[] {
    const ns = pod.metadata?.namespace ?? 'default';
    const out: PersistentVolumeClaim[] = [];
    for (const name of claimsOfPod(pod)) {
      const pvc = this.claim(ns, name);
      if (pvc && this.isDelayed(pvc) && !pvc.metadata?.annotations?.['volume.kubernetes.io/selected-node']) out.push(pvc);
    }
    return out;
  }
}
