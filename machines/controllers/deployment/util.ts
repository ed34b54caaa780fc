/**
 * Deployment helpers (pkg/controller/deployment/util/deployment_util.go): the
 * pod-template-hash, revisions and their annotations, maxSurge / maxUnavailable resolution,
 * replica counts over ReplicaSets, and finding the new and old ReplicaSets.
 */
import type { Deployment, ReplicaSet } from 'kubernetes-types/apps/v1.js';
import type { PodTemplateSpec } from 'kubernetes-types/core/v1.js';

export const REVISION = 'deployment.kubernetes.io/revision';
export const REVISION_HISTORY = 'deployment.kubernetes.io/revision-history';
export const DESIRED_REPLICAS = 'deployment.kubernetes.io/desired-replicas';
export const MAX_REPLICAS = 'deployment.kubernetes.io/max-replicas';
export const POD_TEMPLATE_HASH = 'pod-template-hash';
/** Deployment annotations never copied onto its ReplicaSets (annotationsToSkip). */
const SKIPPED = new Set(['kubectl.kubernetes.io/last-applied-configuration', REVISION, REVISION_HISTORY, DESIRED_REPLICAS, MAX_REPLICAS, 'deprecated.deployment.rollback.to']);

const ALPHANUMS = 'bcdfghjklmnpqrstvwxz2456789';

/** JSON with sorted keys and empty maps/lists dropped: Semantic.DeepEqual's view of "the same". */
export function canonical(v: unknown): string {
  const norm = (x: unknown): unknown => {
    if (Array.isArray(x)) return x.map(norm);
    if (x && typeof x === 'object') {
      const out: Record<string, unknown> = {};
      for (const k of Object.keys(x).sort()) {
        const val = norm((x as Record<string, unknown>)[k]);
        // Go reads a null field as its zero value: kubectl's `rollout undo` sends `creationTimestamp: null`
        // in the template, which must still equal the old ReplicaSet's template.
        if (val === undefined || val === null || (typeof val === 'object' && Object.keys(val).length === 0)) continue;
        out[k] = val;
      }
      return out;
    }
    return x;
  };
  return JSON.stringify(norm(v) ?? null);
}

/** ComputeHash: FNV-32a of the template (and collisionCount), encoded with rand.SafeEncodeString. */
export function computeHash(template: PodTemplateSpec | undefined, collisionCount?: number): string {
  let h = 0x811c9dc5;
  const write = (bytes: Iterable<number>) => {
    for (const b of bytes) h = Math.imul(h ^ b, 0x01000193) >>> 0;
  };
  write(new TextEncoder().encode(canonical(template)));
  if (collisionCount !== undefined) write([collisionCount & 255, (collisionCount >>> 8) & 255, (collisionCount >>> 16) & 255, (collisionCount >>> 24) & 255]);
  return [...String(h >>> 0)].map((c) => ALPHANUMS[c.charCodeAt(0) % ALPHANUMS.length]).join('');
}

/** EqualIgnoreHash: templates equal once the pod-template-hash label is dropped. */
export function equalIgnoreHash(a: PodTemplateSpec | undefined, b: PodTemplateSpec | undefined): boolean {
  const strip = (t: PodTemplateSpec | undefined) => {
    const labels = { ...(t?.metadata?.labels ?? {}) };
    delete labels[POD_TEMPLATE_HASH];
    return { ...t, metadata: { ...t?.metadata, labels } };
  };
  return canonical(strip(a)) === canonical(strip(b));
}

export const revisionOf = (rs: ReplicaSet): number => Number.parseInt(rs.metadata?.annotations?.[REVISION] ?? '0', 10) || 0;
export const maxRevision = (rss: readonly ReplicaSet[]): number => Math.max(0, ...rss.map(revisionOf));
const created = (rs: ReplicaSet) => Date.parse(rs.metadata?.creationTimestamp ?? '') || 0;

/** ReplicaSetsByCreationTimestamp. */
export const byCreation = (a: ReplicaSet, b: ReplicaSet): number => created(a) - created(b) || (a.metadata?.name ?? '').localeCompare(b.metadata?.name ?? '');
/** ReplicaSetsByRevision. */
export const byRevision = (a: ReplicaSet, b: ReplicaSet): number => revisionOf(a) - revisionOf(b) || byCreation(a, b);
/** ReplicaSetsBySizeNewer (larger first; on a tie the newer first). */
export const bySizeNewer = (a: ReplicaSet, b: ReplicaSet): number => replicas(b) - replicas(a) || byCreation(b, a);
/** ReplicaSetsBySizeOlder (larger first; on a tie the older first). */
export const bySizeOlder = (a: ReplicaSet, b: ReplicaSet): number => replicas(b) - replicas(a) || byCreation(a, b);

export const replicas = (rs: ReplicaSet | undefined): number => rs?.spec?.replicas ?? 0;
export const sumSpec = (rss: readonly ReplicaSet[]): number => rss.reduce((n, rs) => n + replicas(rs), 0);
export const sumActual = (rss: readonly ReplicaSet[]): number => rss.reduce((n, rs) => n + (rs.status?.replicas ?? 0), 0);
export const sumReady = (rss: readonly ReplicaSet[]): number => rss.reduce((n, rs) => n + (rs.status?.readyReplicas ?? 0), 0);
export const sumAvailable = (rss: readonly ReplicaSet[]): number => rss.reduce((n, rs) => n + (rs.status?.availableReplicas ?? 0), 0);
export const active = (rss: readonly ReplicaSet[]): ReplicaSet[] => rss.filter((rs) => replicas(rs) > 0);

/** FindNewReplicaSet: the oldest ReplicaSet whose template equals the Deployment's. */
export function findNewReplicaSet(d: Deployment, rss: readonly ReplicaSet[]): ReplicaSet | undefined {
  return [...rss].sort(byCreation).find((rs) => equalIgnoreHash(rs.spec?.template, d.spec?.template));
}

/** GetScaledValueFromIntOrPercent. */
export function scaledValue(v: number | string | undefined, total: number, roundUp: boolean): number {
  if (v === undefined) return 0;
  if (typeof v === 'number') return v;
  const m = /^(\d+)%$/.exec(v);
  if (!m) return Number.parseInt(v, 10) || 0;
  const x = (Number(m[1]) * total) / 100;
  return roundUp ? Math.ceil(x) : Math.floor(x);
}

const isRolling = (d: Deployment) => (d.spec?.strategy?.type ?? 'RollingUpdate') === 'RollingUpdate';

/** ResolveFenceposts: [maxSurge, maxUnavailable]; both 0 would deadlock, so unavailable becomes 1. */
export function fenceposts(d: Deployment): [number, number] {
  const ru = d.spec?.strategy?.rollingUpdate;
  const desired = d.spec?.replicas ?? 1;
  const surge = scaledValue(ru?.maxSurge ?? '25%', desired, true);
  const unavailable = scaledValue(ru?.maxUnavailable ?? '25%', desired, false);
  return surge === 0 && unavailable === 0 ? [0, 1] : [surge, unavailable];
}

export const maxSurge = (d: Deployment): number => (isRolling(d) ? fenceposts(d)[0] : 0);

export function maxUnavailable(d: Deployment): number {
  const desired = d.spec?.replicas ?? 1;
  if (!isRolling(d) || desired === 0) return 0;
  return Math.min(fenceposts(d)[1], desired);
}

/** NewRSNewReplicas: how big the new ReplicaSet may be now. */
export function newRSNewReplicas(d: Deployment, all: readonly ReplicaSet[], newRS: ReplicaSet): number {
  const desired = d.spec?.replicas ?? 1;
  if (!isRolling(d)) return desired;
  const current = sumSpec(all);
  const maxTotal = desired + maxSurge(d);
  if (current >= maxTotal) return replicas(newRS);
  return replicas(newRS) + Math.min(maxTotal - current, desired - replicas(newRS));
}

/** SetReplicasAnnotations: true when desired-replicas / max-replicas changed. */
export function setReplicasAnnotations(rs: ReplicaSet, desired: number, max: number): boolean {
  const a = (rs.metadata!.annotations ??= {});
  if (a[DESIRED_REPLICAS] === String(desired) && a[MAX_REPLICAS] === String(max)) return false;
  a[DESIRED_REPLICAS] = String(desired);
  a[MAX_REPLICAS] = String(max);
  return true;
}

/**
 * SetNewReplicaSetAnnotations: copies the Deployment's annotations, raises the revision
 * (remembering the old one in revision-history) and, for a new ReplicaSet, the replicas
 * annotations. Mutates `rs`; true when anything changed.
 */
export function setNewReplicaSetAnnotations(d: Deployment, rs: ReplicaSet, newRevision: number, exists: boolean): boolean {
  const a = ((rs.metadata ??= {}).annotations ??= {});
  let changed = false;
  for (const [k, v] of Object.entries(d.metadata?.annotations ?? {})) {
    if (SKIPPED.has(k) || a[k] === v) continue;
    a[k] = v;
    changed = true;
  }
  const old = a[REVISION];
  const oldN = Number.parseInt(old ?? '0', 10) || 0;
  if (oldN < newRevision) {
    a[REVISION] = String(newRevision);
    changed = true;
    if (old !== undefined) a[REVISION_HISTORY] = a[REVISION_HISTORY] ? `${a[REVISION_HISTORY]},${old}` : old;
  }
  if (!exists && setReplicasAnnotations(rs, d.spec?.replicas ?? 1, (d.spec?.replicas ?? 1) + maxSurge(d))) changed = true;
  return changed;
}

/** IsSaturated: the ReplicaSet alone runs every desired replica, all available. */
export function isSaturated(d: Deployment, rs: ReplicaSet | undefined): boolean {
  const desired = d.spec?.replicas ?? 1;
  return rs !== undefined && rs.metadata?.annotations?.[DESIRED_REPLICAS] === String(desired) && replicas(rs) === desired && (rs.status?.availableReplicas ?? 0) === desired;
}

/** GetProportion: this ReplicaSet's share of `toAdd` when a Deployment is scaled mid-rollout. */
export function proportion(rs: ReplicaSet, d: Deployment, toAdd: number, added: number): number {
  if (replicas(rs) === 0 || toAdd === 0 || toAdd === added) return 0;
  const desired = d.spec?.replicas ?? 1;
  let fraction: number;
  if (desired === 0) fraction = -replicas(rs);
  else {
    const max = desired + maxSurge(d);
    const annotated = Number.parseInt(rs.metadata?.annotations?.[MAX_REPLICAS] ?? '', 10);
    const before = Number.isFinite(annotated) && annotated > 0 ? annotated : (d.status?.replicas ?? 0);
    fraction = Math.round((replicas(rs) * max) / (before || 1)) - replicas(rs);
  }
  const allowed = toAdd - added;
  return toAdd > 0 ? Math.min(fraction, allowed) : Math.max(fraction, allowed);
}
