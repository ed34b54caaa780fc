/**
 * Revision history of StatefulSets and DaemonSets (pkg/controller/history and the two
 * controllers' history code), pure: the ControllerRevision a template is snapshotted as
 * (its data the strategic merge patch that puts the template back, which `kubectl rollout
 * undo` applies), the next revision number, and which old revisions to remove beyond
 * revisionHistoryLimit.
 */
import type { ControllerRevision } from 'kubernetes-types/apps/v1.js';
import type { PodTemplateSpec } from 'kubernetes-types/core/v1.js';
import type { ObjectMeta } from 'kubernetes-types/meta/v1.js';
import { clone } from '../../api/json.ts';
import { newControllerRef } from './owners.ts';

/** apps.ControllerRevisionHashLabelKey (also the DaemonSet's DefaultDaemonSetUniqueLabelKey). */
export const CONTROLLER_REVISION_HASH = 'controller-revision-hash';

/** What a revision is taken of: a StatefulSet or DaemonSet. */
export interface HistoryOwner {
  metadata?: ObjectMeta;
  spec?: { template?: PodTemplateSpec; revisionHistoryLimit?: number };
}

/** getPatch: the template as a strategic merge patch that replaces it whole. */
export function revisionData(template: PodTemplateSpec | undefined): { spec: { template: Record<string, unknown> } } {
  return { spec: { template: { ...(clone(template ?? {}) as Record<string, unknown>), $patch: 'replace' } } };
}

/** The revision number after the highest one (1 for the first). */
export function nextRevision(revisions: readonly ControllerRevision[]): number {
  return revisions.reduce((max, r) => Math.max(max, r.revision ?? 0), 0) + 1;
}

/**
 * newRevision / snapshot: named `<owner>-<hash>` like the pods' controller-revision-hash,
 * labelled with the template's labels and the hash, annotated as the owner is, controlled
 * by the owner.
 */
export function newRevision(owner: HistoryOwner, ownerApiVersion: string, ownerKind: string, hash: string, revision: number): ControllerRevision {
  const m = owner.metadata ?? {};
  return {
    apiVersion: 'apps/v1',
    kind: 'ControllerRevision',
    metadata: {
      name: `${m.name}-${hash}`,
      namespace: m.namespace,
      labels: { ...owner.spec?.template?.metadata?.labels, [CONTROLLER_REVISION_HASH]: hash },
      ...(m.annotations ? { annotations: { ...m.annotations } } : {}),
      ownerReferences: [newControllerRef(owner, ownerApiVersion, ownerKind)],
    },
    data: revisionData(owner.spec?.template),
    revision,
  };
}

/**
 * truncateHistory: the revisions beyond revisionHistoryLimit (default 10) that no live pod
 * or status names, oldest first.
 */
export function revisionsToPrune(revisions: readonly ControllerRevision[], live: ReadonlySet<string>, limit = 10): ControllerRevision[] {
  const old = revisions.filter((r) => !live.has(r.metadata?.name ?? '')).sort((a, b) => (a.revision ?? 0) - (b.revision ?? 0));
  return old.slice(0, Math.max(0, old.length - limit));
}
