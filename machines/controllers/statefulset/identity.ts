/**
 * A StatefulSet pod's stable identity (pkg/controller/statefulset/stateful_set_utils.go):
 * the name `<set>-<ordinal>`, hostname and subdomain, the pod-name and pod-index labels,
 * and the revision it was made from.
 *
 * Revision history: a revision is named `<set>-<hash of the template and collisionCount>`,
 * as its ControllerRevision is (actors/controllers/history.ts); each pod carries it in the
 * controller-revision-hash label and the template it was made from in the
 * {@link REVISION_TEMPLATE} annotation, so the current revision's template can be recovered
 * from any pod of it after the set's template moved on.
 */
import type { StatefulSet } from 'kubernetes-types/apps/v1.js';
import type { Pod, PodTemplateSpec } from 'kubernetes-types/core/v1.js';
import { computeHash } from '../deployment/util.ts';
import { withClaimVolumes } from './claims.ts';
import { clone } from '../../../api/json.ts';

export const CONTROLLER_REVISION_HASH = 'controller-revision-hash';
export const POD_NAME_LABEL = 'statefulset.kubernetes.io/pod-name';
export const POD_INDEX_LABEL = 'apps.kubernetes.io/pod-index';
/** Where a pod keeps the template of its revision (this project's stand-in for a ControllerRevision). */
export const REVISION_TEMPLATE = 'kubeactor.io/revision-template';

export const podName = (set: StatefulSet, ordinal: number): string => `${set.metadata?.name}-${ordinal}`;

/** getOrdinal: the ordinal in `<set>-<n>`, or -1 when the name is not of this set. */
export function ordinalOf(set: StatefulSet, pod: Pod): number {
  const name = pod.metadata?.name ?? '';
  const prefix = `${set.metadata?.name}-`;
  if (!name.startsWith(prefix)) return -1;
  const rest = name.slice(prefix.length);
  return /^(0|[1-9]\d*)$/.test(rest) ? Number(rest) : -1;
}

/** The revision name of the set's current template. */
export function revisionName(set: StatefulSet): string {
  return `${set.metadata?.name}-${computeHash(set.spec?.template, set.status?.collisionCount)}`;
}

export const revisionOf = (pod: Pod): string | undefined => pod.metadata?.labels?.[CONTROLLER_REVISION_HASH];

/** The template a pod was made from, if it recorded one. */
export function templateOf(pod: Pod): PodTemplateSpec | undefined {
  const raw = pod.metadata?.annotations?.[REVISION_TEMPLATE];
  if (!raw) return undefined;
  try {
    return JSON.parse(raw) as PodTemplateSpec;
  } catch {
    return undefined;
  }
}

/**
 * newVersionedStatefulSetPod: the pod for `ordinal` from `template` of `revision`, with its
 * identity (name, hostname, subdomain = serviceName, pod-name / pod-index labels) and the
 * volumes of its claims.
 */
export function newStatefulSetPod(set: StatefulSet, template: PodTemplateSpec | undefined, ordinal: number, revision: string): Pod {
  const meta = template?.metadata ?? {};
  const name = podName(set, ordinal);
  const serviceName = set.spec?.serviceName;
  return withClaimVolumes(set, {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name,
      namespace: set.metadata?.namespace,
      labels: { ...meta.labels, [POD_NAME_LABEL]: name, [POD_INDEX_LABEL]: String(ordinal), [CONTROLLER_REVISION_HASH]: revision },
      annotations: { ...meta.annotations, [REVISION_TEMPLATE]: JSON.stringify(template ?? {}) },
      ...(meta.finalizers ? { finalizers: [...meta.finalizers] } : {}),
      ownerReferences: [
        { apiVersion: 'apps/v1', kind: 'StatefulSet', name: set.metadata?.name ?? '', uid: set.metadata?.uid ?? '', controller: true, blockOwnerDeletion: true },
      ],
    },
    spec: { ...clone(template?.spec ?? { containers: [] }), hostname: name, ...(serviceName ? { subdomain: serviceName } : {}) },
  }, ordinal);
}
