/**
 * getExpectedScale of pkg/controller/disruption: the desired replicas of the controllers
 * that own a budget's pods, each controller counted once. A ReplicaSet owned by a
 * Deployment counts as its Deployment (a rollout's two ReplicaSets are one workload).
 */
import type { Deployment, ReplicaSet, StatefulSet } from 'kubernetes-types/apps/v1.js';
import type { Pod } from 'kubernetes-types/core/v1.js';
import type { OwnerReference } from 'kubernetes-types/meta/v1.js';
import { controllerOf } from '../../../machines/controllers/owners.ts';
import type { InformerView } from '../../informers/shared.ts';

export interface ScaleSources {
  replicasets: Pick<InformerView<ReplicaSet>, 'get'>;
  deployments: Pick<InformerView<Deployment>, 'get'>;
  statefulsets: Pick<InformerView<StatefulSet>, 'get'>;
}

export type ScaleResult =
  | { ok: true; scale: number; unmanaged: string[] }
  | { ok: false; message: string };

const replicasOf = (o: { spec?: { replicas?: number } }): number => o.spec?.replicas ?? 1;

/** The owning workload of one controllerRef: [uid, replicas], or null when it is not known. */
function workload(src: ScaleSources, ns: string, ref: OwnerReference): [string, number] | null {
  const group = ref.apiVersion.split('/')[0];
  if (group !== 'apps') return null;
  if (ref.kind === 'StatefulSet') {
    const sts = src.statefulsets.get(`${ns}/${ref.name}`);
    return sts && sts.metadata?.uid === ref.uid ? [ref.uid, replicasOf(sts)] : null;
  }
  if (ref.kind !== 'ReplicaSet') return null;
  const rs = src.replicasets.get(`${ns}/${ref.name}`);
  if (!rs || rs.metadata?.uid !== ref.uid) return null;
  const owner = controllerOf(rs);
  if (owner?.kind === 'Deployment' && owner.apiVersion.startsWith('apps/')) {
    const d = src.deployments.get(`${ns}/${owner.name}`);
    return d && d.metadata?.uid === owner.uid ? [owner.uid, replicasOf(d)] : null;
  }
  return [ref.uid, replicasOf(rs)];
}

export function expectedScale(src: ScaleSources, ns: string, pods: readonly Pod[]): ScaleResult {
  const seen = new Map<string, number>();
  const unmanaged: string[] = [];
  for (const p of pods) {
    const ref = controllerOf(p);
    if (!ref) {
      unmanaged.push(p.metadata?.name ?? '');
      continue;
    }
    const w = workload(src, ns, ref);
    if (!w) return { ok: false, message: `found no controllers for pod "${p.metadata?.name ?? ''}"` };
    seen.set(w[0], w[1]);
  }
  let scale = 0;
  for (const n of seen.values()) scale += n;
  return { ok: true, scale, unmanaged };
}
