/**
 * The pod handlers of a controller that owns pods (ReplicaSet, DaemonSet, StatefulSet, Job):
 * Kubernetes' addPod / updatePod / deletePod of replica_set.go, written once. A pod change
 * enqueues the owner its controllerRef names (when the cached owner has that uid); an
 * orphan enqueues the owners whose selector matches it, as they may adopt it; a deleted pod
 * (the last state the informer saw) enqueues its owner. Expectations, when the controller
 * keeps them, are lowered as the creations and deletions are observed.
 */
import type { Pod } from 'kubernetes-types/core/v1.js';
import type { LabelSelector, ObjectMeta } from 'kubernetes-types/meta/v1.js';
import { labelSelectorToSelector, matchesLabels } from '../../api/selectors/labels.ts';
import { controllerOf } from '../../machines/controllers/owners.ts';
import { keyOf } from '../informer.ts';
import { NAMESPACE_INDEX } from '../informers/indexer.ts';
import type { Expectations } from './expectations.ts';
import type { InformerView, ObjectHandlers } from './framework.ts';

/** What an owner of pods looks like to these handlers (ReplicaSet, DaemonSet, StatefulSet, Job). */
export interface PodOwner {
  metadata?: ObjectMeta;
  spec?: { selector?: LabelSelector };
}

export interface OwnedPodsOptions<O extends PodOwner> {
  /** The owners' Kind ('ReplicaSet'), as controllerRefs name it. */
  kind: string;
  /** The owners' informer (keys `namespace/name`). */
  owners: Pick<InformerView<O>, 'get' | 'byIndex'>;
  /** Queues an owner's key. */
  enqueue(key: string): void;
  /** The owners' creation/deletion expectations, when the controller keeps them. */
  expectations?: Expectations;
  /** Whether an orphan enqueues the owners whose selector matches it (default true; the Job controller adopts none here). */
  adoptOrphans?: boolean;
  /** After an update of an owned pod enqueued its owner (the ReplicaSet looks again after minReadySeconds). */
  onOwnedUpdate?(owner: O, old: Pod, cur: Pod): void;
}

export interface OwnedPods<O> {
  /** resolveControllerRef: the cached owner the pod's controllerRef names, if the uid matches. */
  ownerOf(pod: Pod): O | undefined;
  /** The owners in the pod's namespace whose non-empty selector matches its labels. */
  matching(pod: Pod): O[];
  /** The pod informer's handlers. */
  handlers: Required<ObjectHandlers<Pod>>;
}

export function ownedPods<O extends PodOwner>(o: OwnedPodsOptions<O>): OwnedPods<O> {
  const adopt = o.adoptOrphans ?? true;
  const enqueue = (owner: O) => o.enqueue(keyOf(owner));

  const ownerOf = (pod: Pod): O | undefined => {
    const ref = controllerOf(pod);
    if (ref?.kind !== o.kind) return undefined;
    const owner = o.owners.get(`${pod.metadata?.namespace}/${ref.name}`);
    return owner?.metadata?.uid === ref.uid ? owner : undefined;
  };
  const matching = (pod: Pod): O[] =>
    o.owners.byIndex(NAMESPACE_INDEX, pod.metadata?.namespace ?? '').filter((owner) => {
      const sel = labelSelectorToSelector(owner.spec?.selector);
      return sel.ok && sel.value !== undefined && sel.value.length > 0 && matchesLabels(sel.value, pod.metadata?.labels);
    });
  const deleted = (pod: Pod): void => {
    const owner = ownerOf(pod);
    if (!owner) return;
    o.expectations?.deletionObserved(keyOf(owner), keyOf(pod));
    enqueue(owner);
  };

  const handlers: Required<ObjectHandlers<Pod>> = {
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
export function ownerHandlers<O extends PodOwner>(o: Pick<OwnedPodsOptions<O>, 'enqueue' | 'expectations'>): Required<ObjectHandlers<O>> {
  return {
    add: (owner) => o.enqueue(keyOf(owner)),
    update: (_, cur) => o.enqueue(keyOf(cur)),
    delete: (owner) => {
      o.expectations?.delete(keyOf(owner));
      o.enqueue(keyOf(owner));
    },
  };
}
