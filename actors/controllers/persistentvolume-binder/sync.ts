/**
 * The writes of the binder: binding a claim to a volume in Kubernetes' order (volume first,
 * so a crash between the writes leaves a volume that names its claim and is finished on the
 * next sync), phases, and the claim-side annotations that ask a provisioner for a volume.
 */
import type { PersistentVolume, PersistentVolumeClaim } from 'kubernetes-types/core/v1.js';
import type { StorageClass } from 'kubernetes-types/storage/v1.js';
import { rfc3339 } from '../../../api/time.ts';
import { claimClass } from '../../../api/volumes/claims.ts';
import {
  BETA_STORAGE_PROVISIONER,
  BIND_COMPLETED,
  BOUND_BY_CONTROLLER,
  SELECTED_NODE,
  STORAGE_PROVISIONER,
  claimRefTo,
  findMatchingVolume,
  volumeBoundTo,
} from '../../../machines/controllers/volume/binding.ts';
import { isNotFound, targets, unwrap } from '../../client/index.ts';
import type { ControllerContext } from '../framework.ts';

export interface BinderEnv {
  cc: ControllerContext;
  volumes(): PersistentVolume[];
  classOf(pvc: PersistentVolumeClaim): StorageClass | undefined;
}

type Phase = 'Pending' | 'Available' | 'Bound' | 'Released' | 'Failed';

/** Writes a volume's phase when it differs (a volume gone meanwhile is fine). */
export async function setVolumePhase(cc: ControllerContext, pv: PersistentVolume, phase: Phase): Promise<PersistentVolume | undefined> {
  if (pv.status?.phase === phase) return pv;
  const r = await cc.api.updateStatus(targets.persistentvolumes(undefined, pv.metadata?.name), {
    ...pv,
    status: { ...pv.status, phase, lastPhaseTransitionTime: rfc3339(cc.actor.clock.now()) },
  });
  if (!r.ok && isNotFound(r.status)) return undefined;
  return unwrap(r).object;
}

async function setClaimStatus(cc: ControllerContext, pvc: PersistentVolumeClaim, pv: PersistentVolume | undefined, phase: 'Bound' | 'Lost' | 'Pending'): Promise<void> {
  const status = { ...pvc.status, phase, ...(pv && phase === 'Bound' ? { accessModes: pv.spec?.accessModes ?? [], capacity: { ...pv.spec?.capacity } } : {}) };
  if (pvc.status?.phase === phase && (phase !== 'Bound' || pvc.status?.capacity)) return;
  const r = await cc.api.updateStatus(targets.persistentvolumeclaims(pvc.metadata?.namespace, pvc.metadata?.name), { ...pvc, status });
  if (!r.ok && isNotFound(r.status)) return;
  unwrap(r);
}

/** bind(): the volume's claimRef and phase, then the claim's volumeName, annotations and phase. */
async function bind(env: BinderEnv, pvc: PersistentVolumeClaim, pv: PersistentVolume): Promise<void> {
  const { cc } = env;
  let volume = pv;
  if (!volumeBoundTo(pv, pvc)) {
    const byController = !pv.spec?.claimRef;
    const annotations = { ...pv.metadata?.annotations, ...(byController ? { [BOUND_BY_CONTROLLER]: 'yes' } : {}) };
    const r = await cc.api.update(targets.persistentvolumes(undefined, pv.metadata?.name), {
      ...pv,
      metadata: { ...pv.metadata, annotations },
      spec: { ...pv.spec, claimRef: claimRefTo(pvc) },
    });
    volume = unwrap(r).object;
  }
  volume = (await setVolumePhase(cc, volume, 'Bound')) ?? volume;
  const claimTarget = targets.persistentvolumeclaims(pvc.metadata?.namespace, pvc.metadata?.name);
  let claim = pvc;
  if (pvc.spec?.volumeName !== volume.metadata?.name || pvc.metadata?.annotations?.[BIND_COMPLETED] !== 'yes') {
    const byController = !pvc.spec?.volumeName;
    const annotations = { ...pvc.metadata?.annotations, [BIND_COMPLETED]: 'yes', ...(byController ? { [BOUND_BY_CONTROLLER]: 'yes' } : {}) };
    const r = await cc.api.update(claimTarget, { ...pvc, metadata: { ...pvc.metadata, annotations }, spec: { ...pvc.spec, volumeName: volume.metadata?.name ?? '' } });
    claim = unwrap(r).object;
  }
  await setClaimStatus(cc, claim, volume, 'Bound');
}

/**
 * syncUnboundClaim: bind to a matching volume, else ask the class's provisioner (after the
 * scheduler chose a node, for WaitForFirstConsumer), else say why the claim waits.
 */
export async function syncUnboundClaim(env: BinderEnv, pvc: PersistentVolumeClaim): Promise<void> {
  const { cc } = env;
  const sc = env.classOf(pvc);
  const delayed = sc?.volumeBindingMode === 'WaitForFirstConsumer';
  const selected = pvc.metadata?.annotations?.[SELECTED_NODE];
  const pv = findMatchingVolume(pvc, env.volumes());
  if (pv && (!delayed || selected || pv.spec?.claimRef)) return bind(env, pvc, pv);
  const className = claimClass(pvc);
  if (!className) {
    void cc.events.record(pvc, 'Normal', 'FailedBinding', 'no persistent volumes available for this claim and no storage class is set');
    return;
  }
  if (!sc) {
    void cc.events.record(pvc, 'Warning', 'ProvisioningFailed', `storageclass.storage.k8s.io "${className}" not found`);
    return;
  }
  if (delayed && !selected) {
    void cc.events.record(pvc, 'Normal', 'WaitForFirstConsumer', 'waiting for first consumer to be created before binding');
    return;
  }
  if (pvc.metadata?.annotations?.[STORAGE_PROVISIONER] !== sc.provisioner) {
    const annotations = { ...pvc.metadata?.annotations, [STORAGE_PROVISIONER]: sc.provisioner, [BETA_STORAGE_PROVISIONER]: sc.provisioner };
    unwrap(await cc.api.update(targets.persistentvolumeclaims(pvc.metadata?.namespace, pvc.metadata?.name), { ...pvc, metadata: { ...pvc.metadata, annotations } }));
  }
  void cc.events.record(
    pvc,
    'Normal',
    'ExternalProvisioning',
    `Waiting for a volume to be created either by the external provisioner '${sc.provisioner}' or manually by the system administrator. If volume creation is delayed, please verify that the provisioner is running and correctly registered.`,
  );
}

/** syncBoundClaim: finish a half-written bind; a claim whose volume is gone is Lost. */
export async function syncBoundClaim(env: BinderEnv, pvc: PersistentVolumeClaim, pv: PersistentVolume | undefined): Promise<void> {
  const { cc } = env;
  if (!pv) {
    if (pvc.status?.phase !== 'Lost') void cc.events.record(pvc, 'Warning', 'ClaimLost', 'Bound claim has lost its PersistentVolume. Data on the volume is lost!');
    return setClaimStatus(cc, pvc, undefined, 'Lost');
  }
  if (!pv.spec?.claimRef || volumeBoundTo(pv, pvc)) return bind(env, pvc, pv);
  void cc.events.record(pvc, 'Warning', 'ClaimMisbound', 'Two claims are bound to the same volume, this one is bound incorrectly');
}
