/**
 * A `persistentVolumeClaim` or generic `ephemeral` volume resolved to the host directory of
 * the PersistentVolume its claim is bound to (kubelet's desired-state populator,
 * getPVCExtractPV + getPVSpec, then the local/hostPath plugin). The claim and the volume
 * are read through the typed client as the node; the Node authorizer lets a node read only
 * the claims its pods name and the volumes bound to them.
 *
 * Until the claim is Bound the answer is kubelet's error (`error processing PVC ns/name: PVC
 * is not bound`): the volume manager turns it into a FailedMount event and retries it on
 * its retry timer, which also covers WaitForFirstConsumer claims the scheduler binds after
 * the pod is placed.
 */
import type { Pod, Volume } from 'kubernetes-types/core/v1.js';
import { ApiClient, targets } from '../../client/index.ts';
import { hostPathOf } from '../../../api/volumes/pv-path.ts';
import type { VolumeDir } from './mounts.ts';

export type ClaimDir = { ok: true; dir: VolumeDir } | { ok: false; error: string };

/** The claim a volume names: its claimName, or `<pod>-<volume>` for a generic ephemeral volume. */
export function claimNameOf(pod: Pod, v: Volume): string | null {
  if (v.persistentVolumeClaim) return v.persistentVolumeClaim.claimName;
  if (v.ephemeral) return `${pod.metadata?.name ?? ''}-${v.name}`;
  return null;
}

/** The bound PV's directory for the pod's claim volume, or kubelet's error while it cannot be used. */
export async function claimVolumeDir(api: ApiClient, pod: Pod, v: Volume): Promise<ClaimDir> {
  const ns = pod.metadata?.namespace ?? 'default';
  const name = claimNameOf(pod, v) ?? '';
  const fail = (why: string): ClaimDir => ({ ok: false, error: `error processing PVC ${ns}/${name}: ${why}` });
  const got = await api.get(targets.persistentvolumeclaims(ns, name));
  if (!got.ok) return fail(`failed to fetch PVC from API server: ${got.status.message}`);
  const pvc = got.value;
  if (v.ephemeral && !(pvc.metadata?.ownerReferences ?? []).some((o) => o.controller && o.uid === pod.metadata?.uid)) {
    return { ok: false, error: `error processing ephemeral volume: PVC ${ns}/${name} was not created for the pod` };
  }
  if (pvc.metadata?.deletionTimestamp) return fail('PVC is being deleted');
  if (pvc.status?.phase !== 'Bound') return fail('PVC is not bound');
  const volumeName = pvc.spec?.volumeName ?? '';
  if (!volumeName) return fail('PVC has empty pvc.Spec.VolumeName');
  const pvGot = await api.get(targets.persistentvolumes(undefined, volumeName));
  if (!pvGot.ok) return fail(`failed to fetch PV ${JSON.stringify(volumeName)} from API server: ${pvGot.status.message}`);
  const pv = pvGot.value;
  const ref = pv.spec?.claimRef;
  if (!ref) return fail(`found PV object ${JSON.stringify(volumeName)} but it has a nil pv.Spec.ClaimRef indicating it is not yet bound to the claim`);
  if (ref.uid !== pvc.metadata?.uid) return fail(`found PV object ${JSON.stringify(volumeName)} but its pv.Spec.ClaimRef.UID (${JSON.stringify(ref.uid ?? '')}) does not point to claim.UID (${JSON.stringify(pvc.metadata?.uid ?? '')})`);
  const path = hostPathOf(pv);
  if (path === null) return fail(`PV ${JSON.stringify(volumeName)} has no local or hostPath source this kubelet can mount`);
  return { ok: true, dir: { path, readOnly: v.persistentVolumeClaim?.readOnly ?? false } };
}
