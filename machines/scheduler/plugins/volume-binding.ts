/**
 * VolumeBinding (pkg/scheduler/framework/plugins/volumebinding), for local volumes: every
 * claim the pod names must exist; an unbound claim of an Immediate class holds the pod back
 * until the binder binds it; a bound volume's node affinity limits the nodes; an unbound
 * WaitForFirstConsumer claim fits a node when its class can provision there or an available
 * volume there satisfies it. The binding step then writes the chosen node on those claims
 * (volume.kubernetes.io/selected-node), which sets the provisioner going.
 */
import type { PersistentVolume, PersistentVolumeClaim, Pod } from 'kubernetes-types/core/v1.js';
import { claimsOfPod } from '../../../api/volumes/claims.ts';
import { satisfies } from '../../controllers/volume/binding.ts';
import type { FilterPlugin } from '../framework.ts';
import { stateKey, unresolvable } from '../framework.ts';
import { compileTerm, termMatches } from './helpers/node-selector.ts';
import type { Node } from 'kubernetes-types/core/v1.js';

export const ERR_UNBOUND_IMMEDIATE = 'pod has unbound immediate PersistentVolumeClaims';
export const ERR_NODE_CONFLICT = 'node(s) had volume node affinity conflict';
export const ERR_BIND_CONFLICT = "node(s) didn't find available persistent volumes to bind";

const NAME = 'VolumeBinding';
const STATE = stateKey<{ bound: PersistentVolume[]; delayed: PersistentVolumeClaim[] }>('PreFilterVolumeBinding');

/** A volume's required node affinity admits the node (no affinity admits every node). */
function volumeFits(pv: PersistentVolume, node: Node): boolean {
  const terms = pv.spec?.nodeAffinity?.required?.nodeSelectorTerms;
  if (!terms) return true;
  return terms.some((t) => {
    const c = compileTerm(t);
    return c !== undefined && termMatches(c, node);
  });
}

export const volumeBinding: FilterPlugin = {
  name: NAME,
  events: ['NodeAdd', 'NodeUpdate', 'VolumeChange'],
  preFilter(state, pod: Pod) {
    const names = claimsOfPod(pod);
    if (names.length === 0) return 'skip';
    const store = state.snapshot.volumes;
    const ns = pod.metadata?.namespace ?? 'default';
    const ephemeral = new Set((pod.spec?.volumes ?? []).filter((v) => v.ephemeral).map((v) => `${pod.metadata?.name}-${v.name}`));
    const bound: PersistentVolume[] = [];
    const delayed: PersistentVolumeClaim[] = [];
    let immediate = false;
    for (const name of names) {
      const pvc = store.claim(ns, name);
      if (!pvc) {
        return unresolvable(NAME, ephemeral.has(name) ? `waiting for ephemeral volume controller to create the persistentvolumeclaim "${name}"` : `persistentvolumeclaim "${name}" not found`);
      }
      if (pvc.metadata?.deletionTimestamp) return unresolvable(NAME, `persistentvolumeclaim "${name}" is being deleted`);
      const volumeName = pvc.spec?.volumeName;
      if (volumeName) {
        const pv = store.volumes.get(volumeName);
        if (!pv) return unresolvable(NAME, `node(s) unavailable due to one or more pvc(s) bound to non-existent pv(s)`);
        bound.push(pv);
      } else if (store.isDelayed(pvc)) delayed.push(pvc);
      else immediate = true;
    }
    if (immediate) return unresolvable(NAME, ERR_UNBOUND_IMMEDIATE);
    state.write(STATE, { bound, delayed });
    return null;
  },
  filter(state, _pod, ni) {
    const node = ni.node;
    if (!node) return null;
    const { bound, delayed } = state.read(STATE);
    if (bound.some((pv) => !volumeFits(pv, node))) return unresolvable(NAME, ERR_NODE_CONFLICT);
    const store = state.snapshot.volumes;
    for (const pvc of delayed) {
      const selected = pvc.metadata?.annotations?.['volume.kubernetes.io/selected-node'];
      if (selected && selected !== node.metadata?.name) return unresolvable(NAME, ERR_NODE_CONFLICT);
      if (store.classOf(pvc)?.provisioner) continue;
      const fits = [...store.volumes.values()].some((pv) => !pv.spec?.claimRef && pv.status?.phase === 'Available' && satisfies(pv, pvc) && volumeFits(pv, node));
      if (!fits) return unresolvable(NAME, ERR_BIND_CONFLICT);
    }
    return null;
  },
};
