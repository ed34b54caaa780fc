/**
 * The pod handlers of a controller that owns pods (ReplicaSet, DaemonSet, StatefulSet, Job):
 * Kubernetes' addPod / updatePod / deletePod of replica_set.go, written once. A pod change
 * enqueues the owner its controllerRef names (when the cached owner has that uid); an
 * orphan enqueues the owners whose selector matches it, as they may adopt it; a deleted pod
 * (the last state the informer saw) enqueues its owner. Expectations, when the controller
 * keeps them, are lowered as the creations and deletions are observed.
 */
import type { LabelSelector } from 'kubernetes-types/meta/v1.js';
import type { KubeObject } from '../../bus/catalogue/api.ts';
import { labelSelectorToSelector, matchesLabels } from '../../api/selectors/labels.ts';
import { controllerOf } from '../../machines/controllers/owners.ts';
import { keyOf, type Informer } from '../informer.ts';
import type { Expectations } from './expectations.ts';
import type { ObjectHandlers } from './framework.ts';

export interface OwnedPodsOptions {
  /** The owners' Kind ('ReplicaSet'), as controllerRefs name it. */
  kind: string;
  /** The owners' informer (keys `namespace/name`). */
  owners: Pick<Informer, 'get' | 'list'>;
  /** Queues an owner's key. */
  enqueue(key: string): void;
  /** The owners' creation/deletion expectations, when the controller keeps them. */
  expectations?: Expectations;
  /** Whether an orphan enqueues the owners whose selector matches it (default true; the Job controller adopts none here). */
  adoptOrphans?: boolean;
  /** After an update of an owned pod enqueued its owner (the ReplicaSet looks again after minReadySeconds). */
  onOwnedUpdate?(owner: KubeObject, old: KubeObject, cur: KubeObject): void;
}

export interface OwnedPods {
  /** resolveControllerRef: the cached owner the pod's controllerRef names, if the uid matches. */
  ownerOf(pod: KubeObject): KubeObject | undefined;
  /** The owners in the pod's namespace whose non-empty selector matches its labels. */
  matching(pod: KubeObject): KubeObject[];
  /** The pod informer's handlers. */
  handlers: Required<ObjectHandlers>;
}

const selectorOf = (owner: KubeObject): LabelSelector | undefined => (owner.spec as { selector?: LabelSelector } | undefined)?.selector;

export function ownedPods(o: OwnedPodsOptions): OwnedPods {
  const adopt = o.adoptOrphans ?? true;
  const enqueue = (owner: KubeObject) => o.enqueue(keyOf(owner));

  const ownerOf = (pod: KubeObject): KubeObject | undefined => {
    const ref = controllerOf(pod);
    if (ref?.kind !== o.kind) return undefined;
    const owner = o.owners.get(`${pod.metadata?.namespace}/${ref.name}`);
    return owner?.metadata?.uid === ref.uid ? owner : undefined;
  };
  const matching = (pod: KubeObject): KubeObject[] =>
    o.owners.list().filter((owner) => {
      if (owner.metadata?.namespace !== pod.metadata?.namespace) return false;
      const sel = labelSelectorToSelector(selectorOf(owner));
      return sel.ok && sel.value !== undefined && sel.value.length > 0 && matchesLabels(sel.value, pod.metadata?.labels);
    });
  const deleted = (pod: KubeObject): void => {
    const owner = ownerOf(pod);
    if (!owner) return;
    o.expectations?.deletionObserved(keyOf(owner), keyOf(pod));
    enqueue(owner);
  };

  const handlers: Required<ObjectHandlers> = {
    add(pod) {
      // A pod that shows up already terminating (a restarted informer) counts as deleted.
      if (pod.metadata?.deletionTimestamp) return deleted(pod);
      const owner = ownerOf(pod);
      if (owner) {
        o.expectations?.creationObserved(keyOf(owner));
        return enqueue(owner);
      }
      if (controllerOf(pod) || !adopt) return;
      for (const m of matching(pod)) enqueue(m);
    },
    update(old, cur) {
      // A periodic resync: nothing changed.
      if (old.metadata?.resourceVersion === cur.metadata?.resourceVersion) return;
      const labelsChanged = JSON.stringify(old.metadata?.labels ?? {}) !== JSON.stringify(cur.metadata?.labels ?? {});
      if (cur.metadata?.deletionTimestamp) {
        deleted(cur);
        // The old labels may have matched another owner, which should learn of the deletion too.
        if (labelsChanged) deleted(old);
        return;
      }
      const oldRef = controllerOf(old), curRef = controllerOf(cur);
      const refChanged = oldRef?.uid !== curRef?.uid;
      if (refChanged && oldRef) {
        const was = ownerOf(old);
        if (was) enqueue(was);
      }
      if (curRef) {
        const owner = ownerOf(cur);
        if (!owner) return;
        enqueue(owner);
        o.onOwnedUpdate?.(owner, old, cur);
        return;
      }
      if (adopt && (labelsChanged || refChanged)) for (const m of matching(cur)) enqueue(m);
    },
    delete: deleted,
  };
  return { ownerOf, matching, handlers };
}

/**
 * The owners' own informer handlers: any change enqueues the owner; a deleted owner's
 * expectations are dropped first (a re-created owner of the same name starts afresh).
 */
export function ownerHandlers(o: Pick<OwnedPodsOptions, 'enqueue' | 'expectations'>): Required<ObjectHandlers> {
  return {
    add: (owner) => o.enqueue(keyOf(owner)),
    update: (_, cur) => o.enqueue(keyOf(cur)),
    delete: (owner) => {
      o.expectations?.delete(keyOf(owner));
      o.enqueue(keyOf(owner));
    },
  };
}
