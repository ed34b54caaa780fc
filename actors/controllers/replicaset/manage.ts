/**
 * manageReplicas and the status write of the ReplicaSet controller: create pods from the
 * template in slow-start batches (1, 2, 4, …; a failing batch stops the rest), or delete the
 * best-ranked surplus; at most 500 per sync (burstReplicas). Expectations are raised before
 * the writes and lowered again for writes that did not happen.
 */
import type { ReplicaSet } from 'kubernetes-types/apps/v1.js';
import type { Pod, PodTemplateSpec } from 'kubernetes-types/core/v1.js';
import type { Selector } from '../../../api/selectors/labels.ts';
import { keyOf } from '../../informer.ts';
import { newControllerRef, type OwnerMeta } from '../../../machines/controllers/owners.ts';
import { podsToDelete } from '../../../machines/controllers/pods.ts';
import { calculateStatus, sameStatus, type ManageError } from '../../../machines/controllers/replicaset/status.ts';
import { isNotFound, targets, updateStatusOnConflict, type ResourceTargets, type Target } from '../../client/index.ts';
import type { Expectations } from '../expectations.ts';
import type { ControllerContext, InformerView, ObjectHandlers, SyncResult } from '../framework.ts';
import { clone } from '../../../api/json.ts';

export const BURST_REPLICAS = 500;

/**
 * What differs between ReplicaSets and ReplicationControllers for their shared controller:
 * the owner's kind and apiVersion (controllerRefs, events), its resource (claims, status
 * writes) and its informer, which shows every owner as a ReplicaSet (a label-selector
 * object) whatever it is stored as.
 */
export interface ReplicaFlavor {
  kind: string;
  apiVersion: string;
  targets: ResourceTargets<unknown>;
  informer(cc: ControllerContext, handlers: ObjectHandlers<ReplicaSet>): InformerView<ReplicaSet>;
  /** The object as stored, for writes of its status (a ReplicaSet is itself). */
  stored(rs: ReplicaSet): ReplicaSet;
}

export interface SyncEnv {
  cc: ControllerContext;
  flavor: ReplicaFlavor;
  expectations: Expectations;
  key: string;
  rs: ReplicaSet;
  selector: Selector;
  namespace: string;
}

/** GetPodFromTemplate: the pod a controller creates, named `<owner>-<random>` by the apiserver. */
export function podFromTemplate(owner: OwnerMeta, template: PodTemplateSpec | undefined, ownerApiVersion: string, ownerKind: string): Pod {
  const meta = template?.metadata ?? {};
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      generateName: `${owner.metadata?.name}-`,
      namespace: owner.metadata?.namespace,
      ...(meta.labels ? { labels: { ...meta.labels } } : {}),
      ...(meta.annotations ? { annotations: { ...meta.annotations } } : {}),
      ...(meta.finalizers ? { finalizers: [...meta.finalizers] } : {}),
      ownerReferences: [newControllerRef(owner, ownerApiVersion, ownerKind)],
    },
    spec: clone(template?.spec ?? { containers: [] }),
  };
}

export async function manageReplicas(env: SyncEnv, pods: Pod[], related: Pod[]): Promise<ManageError | null> {
  const { cc, rs, key, expectations, namespace } = env;
  const want = rs.spec?.replicas ?? 1;
  const diff = pods.length - want;
  const owner = rs;
  if (diff < 0) {
    const n = Math.min(-diff, BURST_REPLICAS);
    expectations.expectCreations(key, n);
    let done = 0;
    let error: ManageError | null = null;
    for (let batch = 1; done < n && !error; batch = Math.min(2 * batch, n - done)) {
      const size = Math.min(batch, n - done);
      const results = await Promise.all(
        Array.from({ length: size }, async () => {
          const r = await cc.api.create(targets.pods(namespace), podFromTemplate(owner, rs.spec?.template, env.flavor.apiVersion, env.flavor.kind));
          if (r.ok) {
            void cc.events.record(owner, 'Normal', 'SuccessfulCreate', `Created pod: ${r.value.object.metadata?.name}`);
            return null;
          }
          void cc.events.record(owner, 'Warning', 'FailedCreate', `Error creating: ${r.status.message}`);
          return r.status.message;
        }),
      );
      done += size;
      const failed = results.filter((m) => m !== null);
      for (let i = 0; i < failed.length; i++) expectations.creationObserved(key);
      if (failed.length) error = { reason: 'FailedCreate', message: failed[0]! };
    }
    // Creations never attempted are not expected either.
    for (let i = done; i < n; i++) expectations.creationObserved(key);
    return error;
  }
  if (diff > 0) {
    const victims = podsToDelete(pods, related, Math.min(diff, BURST_REPLICAS), cc.actor.clock.now());
    expectations.expectDeletions(key, victims.map((p) => keyOf(p)));
    const errors = await Promise.all(
      victims.map(async (p) => {
        const r = await cc.api.delete(targets.pods(namespace, p.metadata?.name));
        if (r.ok) {
          void cc.events.record(owner, 'Normal', 'SuccessfulDelete', `Deleted pod: ${p.metadata?.name}`);
          return null;
        }
        if (isNotFound(r.status)) return null;
        expectations.deletionObserved(key, keyOf(p));
        void cc.events.record(owner, 'Warning', 'FailedDelete', `Error deleting: ${r.status.message}`);
        return r.status.message;
      }),
    );
    const first = errors.find((m) => m !== null);
    return first ? { reason: 'FailedDelete', message: first } : null;
  }
  return null;
}

/** Writes the status when it changed (re-reading once on a conflict) and asks for a later look while pods are ready but not yet available. */
export async function syncStatus(env: SyncEnv, pods: Pod[], err: ManageError | null): Promise<SyncResult | void> {
  const { cc, rs, namespace } = env;
  const target = env.flavor.targets(namespace, rs.metadata?.name) as Target<ReplicaSet>;
  const written = await updateStatusOnConflict(cc.api, target, env.flavor.stored(rs), (cur) => {
    const status = calculateStatus(cur, pods, err, cc.actor.clock.now());
    const generation = cur.metadata?.generation ?? 0;
    return sameStatus(cur.status, status) && cur.status?.observedGeneration === generation ? null : { ...cur, status: { ...status, observedGeneration: generation } };
  });
  if (!written) return;
  if (err) throw new Error(err.message);
  const want = written.spec?.replicas ?? 1;
  const minReady = written.spec?.minReadySeconds ?? 0;
  if (minReady > 0 && (written.status?.readyReplicas ?? 0) === want && (written.status?.availableReplicas ?? 0) !== want) {
    return { requeueAfter: minReady * 1000 };
  }
}
