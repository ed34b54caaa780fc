/**
 * The writes of one StatefulSet sync: carry out the planned creations and deletions (named
 * pods need no expectations: a second create of `<set>-<n>` is AlreadyExists, a second
 * delete NotFound), then the status.
 */
import type { StatefulSet } from 'kubernetes-types/apps/v1.js';
import type { Pod, PodTemplateSpec } from 'kubernetes-types/core/v1.js';
import { newStatefulSetPod, ordinalOf, podName } from '../../../machines/controllers/statefulset/identity.ts';
import { claimsForOrdinal, retentionOwnerRef } from '../../../machines/controllers/statefulset/claims.ts';
import type { StsAction } from '../../../machines/controllers/statefulset/plan.ts';
import { calculateStatus, sameStatus } from '../../../machines/controllers/statefulset/status.ts';
import { isAlreadyExists, isConflict, isNotFound, targets, updateStatusOnConflict } from '../../client/index.ts';
import type { ControllerContext, SyncResult } from '../framework.ts';

export interface StsEnv {
  cc: ControllerContext;
  set: StatefulSet;
  namespace: string;
  currentRevision: string;
  updateRevision: string;
  /** The template of the current revision (the set's own when no pod recorded it). */
  currentTemplate: PodTemplateSpec | undefined;
}

/** Performs one action; a failure message, or null. */
async function perform(env: StsEnv, a: StsAction): Promise<string | null> {
  const { cc, set, namespace } = env;
  const owner = set;
  const kindName = `StatefulSet ${set.metadata?.name}`;
  if (a.kind === 'create') {
    const claimError = await createClaims(env, a.ordinal);
    if (claimError) return claimError;
    const current = a.revision === 'current';
    const pod = newStatefulSetPod(set, current ? env.currentTemplate : set.spec?.template, a.ordinal, current ? env.currentRevision : env.updateRevision);
    const r = await cc.api.create(targets.pods(namespace), pod);
    const name = podName(set, a.ordinal);
    if (r.ok) {
      void cc.events.record(owner, 'Normal', 'SuccessfulCreate', `create Pod ${name} in ${kindName} successful`);
      return null;
    }
    if (isAlreadyExists(r.status)) return null;
    void cc.events.record(owner, 'Warning', 'FailedCreate', `create Pod ${name} in ${kindName} failed error: ${r.status.message}`);
    return r.status.message;
  }
  const name = a.pod.metadata?.name ?? '';
  const uid = a.pod.metadata?.uid;
  if (a.why === 'condemned') await ownClaimsByPod(env, a.pod);
  // The uid precondition: never delete a newer pod that took the name since the cache was read.
  const r = await cc.api.delete(targets.pods(namespace, name), uid ? { preconditions: { uid } } : undefined);
  if (r.ok) {
    void cc.events.record(owner, 'Normal', 'SuccessfulDelete', `delete Pod ${name} in ${kindName} successful`);
    return null;
  }
  if (isNotFound(r.status) || isConflict(r.status)) return null;
  void cc.events.record(owner, 'Warning', 'FailedDelete', `delete Pod ${name} in ${kindName} failed error: ${r.status.message}`);
  return r.status.message;
}

/** createPersistentVolumeClaims: the ordinal's claims, made once (an existing one is kept: it outlives its pods). */
async function createClaims(env: StsEnv, ordinal: number): Promise<string | null> {
  const { cc, set, namespace } = env;
  for (const claim of claimsForOrdinal(set, ordinal)) {
    const r = await cc.api.create(targets.persistentvolumeclaims(namespace), claim);
    if (r.ok || isAlreadyExists(r.status)) continue;
    void cc.events.record(set, 'Warning', 'FailedCreate', `create Claim ${claim.metadata?.name} for Pod ${podName(set, ordinal)} in StatefulSet ${set.metadata?.name} failed error: ${r.status.message}`);
    return r.status.message;
  }
  return null;
}

/** whenScaled=Delete: a pod removed by a scale-down becomes the owner of its claims, so they go with it. */
async function ownClaimsByPod(env: StsEnv, pod: Pod): Promise<void> {
  const { cc, set, namespace } = env;
  if (set.spec?.persistentVolumeClaimRetentionPolicy?.whenScaled !== 'Delete' || !pod.metadata?.uid) return;
  for (const claim of claimsForOrdinal(set, ordinalOf(set, pod))) {
    const target = targets.persistentvolumeclaims(namespace, claim.metadata?.name);
    const cur = await cc.api.get(target);
    if (!cur.ok) continue;
    const refs = cur.value.metadata?.ownerReferences ?? [];
    if (refs.some((r) => r.uid === pod.metadata?.uid)) continue;
    // The pod alone owns it now: the set (whenDeleted=Delete) would keep it alive past the pod.
    const ownerReferences = [...refs.filter((r) => r.uid !== set.metadata?.uid), retentionOwnerRef('v1', 'Pod', pod)];
    await cc.api.update(target, { ...cur.value, metadata: { ...cur.value.metadata, ownerReferences } });
  }
}

/** Carries out every action (the plan already holds one step only under OrderedReady). */
export async function applyActions(env: StsEnv, actions: readonly StsAction[]): Promise<void> {
  const errors = (await Promise.all(actions.map((a) => perform(env, a)))).filter((m) => m !== null);
  if (errors.length) throw new Error(errors[0]);
}

/** Writes the status when it changed (re-reading once on a conflict); asks for a later look while pods are ready but not yet available. */
export async function syncStatus(env: StsEnv, pods: readonly Pod[]): Promise<SyncResult | void> {
  const { cc, set, namespace } = env;
  const target = targets.statefulsets(namespace, set.metadata?.name);
  const written = await updateStatusOnConflict(cc.api, target, set, (cur) => {
    const status = calculateStatus(cur, pods, env.currentRevision, env.updateRevision, cc.actor.clock.now());
    const generation = cur.metadata?.generation ?? 0;
    return sameStatus(cur.status, status) && cur.status?.observedGeneration === generation ? null : { ...cur, status: { ...cur.status, ...status, observedGeneration: generation } };
  });
  if (!written) return;
  const minReady = written.spec?.minReadySeconds ?? 0;
  if (minReady > 0 && (written.status?.readyReplicas ?? 0) !== (written.status?.availableReplicas ?? 0)) return { requeueAfter: minReady * 1000 };
}
