/**
 * Which nodes a DaemonSet's pod belongs on (pkg/controller/daemon/daemon_controller.go
 * NodeShouldRunDaemonPod, util/daemonset_util.go): the daemon pod built for a node, its
 * automatic tolerations, and the node a pod is meant for.
 */
import type { DaemonSet } from 'kubernetes-types/apps/v1.js';
import type { Node, Pod, PodSpec, Taint, Toleration } from 'kubernetes-types/core/v1.js';
import { matchesRequired, requiredNodeAffinity } from '../../scheduler/plugins/helpers/node-selector.ts';
import { firstUntoleratedTaint } from '../../scheduler/plugins/helpers/tolerations.ts';

/** DefaultDaemonSetUniqueLabelKey: the revision hash label on daemon pods. */
export const CONTROLLER_REVISION_HASH = 'controller-revision-hash';

/**
 * AddOrUpdateDaemonPodTolerations: a daemon pod stays through node conditions that would
 * evict or keep out ordinary pods (it often is what repairs them).
 */
export const DAEMON_TOLERATIONS: readonly Toleration[] = [
  { key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute' },
  { key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute' },
  { key: 'node.kubernetes.io/disk-pressure', operator: 'Exists', effect: 'NoSchedule' },
  { key: 'node.kubernetes.io/memory-pressure', operator: 'Exists', effect: 'NoSchedule' },
  { key: 'node.kubernetes.io/pid-pressure', operator: 'Exists', effect: 'NoSchedule' },
  { key: 'node.kubernetes.io/unschedulable', operator: 'Exists', effect: 'NoSchedule' },
];

/** The template's tolerations plus every daemon toleration not already there (by key and effect). */
export function withDaemonTolerations(tolerations: readonly Toleration[] | undefined): Toleration[] {
  const out = [...(tolerations ?? [])];
  for (const t of DAEMON_TOLERATIONS) {
    if (!out.some((o) => o.key === t.key && o.effect === t.effect)) out.push({ ...t });
  }
  return out;
}

/**
 * ReplaceDaemonSetPodNodeNameNodeAffinity: the required node affinity becomes one term
 * pinning the pod to `nodeName` by metadata.name, so the default scheduler places it there.
 */
export function pinToNode(spec: PodSpec, nodeName: string): PodSpec {
  const affinity = spec.affinity ?? {};
  const nodeAffinity = affinity.nodeAffinity ?? {};
  return {
    ...spec,
    affinity: {
      ...affinity,
      nodeAffinity: {
        ...nodeAffinity,
        requiredDuringSchedulingIgnoredDuringExecution: {
          nodeSelectorTerms: [{ matchFields: [{ key: 'metadata.name', operator: 'In', values: [nodeName] }] }],
        },
      },
    },
  };
}

/** GetTargetNodeName: spec.nodeName, or the node the matchFields affinity pins the pod to. */
export function targetNodeName(pod: Pod): string | undefined {
  if (pod.spec?.nodeName) return pod.spec.nodeName;
  const terms = pod.spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms ?? [];
  for (const t of terms) {
    for (const f of t.matchFields ?? []) {
      if (f.key === 'metadata.name' && f.operator === 'In' && f.values?.length === 1) return f.values[0];
    }
  }
  return undefined;
}

export interface NodeVerdict {
  /** A daemon pod should be created on the node if none is there. */
  shouldRun: boolean;
  /** A daemon pod already there may stay. */
  shouldContinueRunning: boolean;
}

const noSchedule = (t: Taint) => t.effect === 'NoSchedule' || t.effect === 'NoExecute';
const noExecute = (t: Taint) => t.effect === 'NoExecute';

/**
 * NodeShouldRunDaemonPod: the template (with the daemon tolerations) must fit the node's
 * name, nodeSelector and required node affinity; NoSchedule taints keep new pods out,
 * NoExecute taints also push running ones off.
 */
export function nodeShouldRunDaemonPod(node: Node, ds: DaemonSet): NodeVerdict {
  const spec = ds.spec?.template?.spec ?? { containers: [] };
  const name = node.metadata?.name ?? '';
  if (ds.metadata?.deletionTimestamp) return { shouldRun: false, shouldContinueRunning: false };
  const pod: Pod = { spec: { ...spec, tolerations: withDaemonTolerations(spec.tolerations) } };
  const fitsName = !spec.nodeName || spec.nodeName === name;
  const fitsAffinity = matchesRequired(requiredNodeAffinity(pod), node);
  if (!fitsName || !fitsAffinity) return { shouldRun: false, shouldContinueRunning: false };
  const taints = node.spec?.taints;
  const tols = pod.spec?.tolerations;
  return {
    shouldRun: firstUntoleratedTaint(taints, tols, noSchedule) === undefined,
    shouldContinueRunning: firstUntoleratedTaint(taints, tols, noExecute) === undefined,
  };
}
