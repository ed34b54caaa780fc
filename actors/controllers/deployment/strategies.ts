/**
 * The Deployment's steps: proportional scaling (sync.go scale), RollingUpdate (rolling.go)
 * and Recreate (recreate.go). Each returns whether it changed a ReplicaSet; the caller then
 * writes the rollout status and waits for the next event (level-triggered).
 */
import type { ReplicaSet } from 'kubernetes-types/apps/v1.js';
import type { Pod } from 'kubernetes-types/core/v1.js';
import * as u from '../../../machines/controllers/deployment/util.ts';
import type { Rollout } from './rollout.ts';

/** scale: a Deployment resized mid-rollout spreads the change over its active ReplicaSets. */
export async function scaleDeployment(r: Rollout, newRS: ReplicaSet | undefined, old: ReplicaSet[]): Promise<void> {
  const d = r.d;
  const desired = d.spec?.replicas ?? 1;
  const all = [...old, ...(newRS ? [newRS] : [])].map((x) => r.fresh(x));
  const activeRSs = u.active(all);
  const activeOrLatest = activeRSs.length === 1 ? activeRSs[0] : activeRSs.length === 0 ? (newRS ?? [...old].sort(u.byCreation).at(-1)) : undefined;
  if (activeOrLatest) {
    if (u.replicas(r.fresh(activeOrLatest)) !== desired) await r.scale(activeOrLatest, desired);
    return;
  }
  if (u.isSaturated(d, newRS && r.fresh(newRS))) {
    for (const rs of u.active(old.map((x) => r.fresh(x)))) await r.scale(rs, 0);
    return;
  }
  if ((d.spec?.strategy?.type ?? 'RollingUpdate') !== 'RollingUpdate') return;
  const allowed = desired > 0 ? desired + u.maxSurge(d) : 0;
  const toAdd = allowed - u.sumSpec(activeRSs);
  activeRSs.sort(toAdd > 0 ? u.bySizeNewer : u.bySizeOlder);
  const sizes = new Map<ReplicaSet, number>();
  let added = 0;
  for (const rs of activeRSs) {
    const p = toAdd !== 0 ? u.proportion(rs, d, toAdd, added) : 0;
    sizes.set(rs, u.replicas(rs) + p);
    added += p;
  }
  const first = activeRSs[0];
  if (first && added !== toAdd) sizes.set(first, Math.max(0, (sizes.get(first) ?? 0) + toAdd - added));
  for (const [rs, n] of sizes) await r.scale(rs, n);
}

/** isScalingEvent: an active ReplicaSet's desired-replicas annotation differs from spec.replicas. */
export function isScalingEvent(r: Rollout, all: ReplicaSet[]): boolean {
  const want = String(r.d.spec?.replicas ?? 1);
  return u.active(all).some((rs) => {
    const a = rs.metadata?.annotations?.[u.DESIRED_REPLICAS];
    return a !== undefined && a !== want;
  });
}

/** reconcileNewReplicaSet: scale the new ReplicaSet up within maxSurge (or down to spec.replicas). */
export async function reconcileNew(r: Rollout, newRS: ReplicaSet, old: ReplicaSet[]): Promise<boolean> {
  const desired = r.d.spec?.replicas ?? 1;
  const cur = r.fresh(newRS);
  if (u.replicas(cur) === desired) return false;
  if (u.replicas(cur) > desired) return r.scale(cur, desired);
  return r.scale(cur, u.newRSNewReplicas(r.d, [...old.map((x) => r.fresh(x)), cur], cur));
}

/** reconcileOldReplicaSets: scale old ReplicaSets down, never below spec.replicas − maxUnavailable available. */
export async function reconcileOld(r: Rollout, newRS: ReplicaSet, old: ReplicaSet[]): Promise<boolean> {
  const d = r.d;
  const olds = () => old.map((x) => r.fresh(x));
  if (u.sumSpec(olds()) === 0) return false;
  const all = () => [...olds(), r.fresh(newRS)];
  const minAvailable = (d.spec?.replicas ?? 1) - u.maxUnavailable(d);
  const fresh = r.fresh(newRS);
  const newUnavailable = u.replicas(fresh) - (fresh.status?.availableReplicas ?? 0);
  const maxScaledDown = u.sumSpec(all()) - minAvailable - newUnavailable;
  if (maxScaledDown <= 0) return false;
  // cleanupUnhealthyReplicas: unavailable old pods go first, they add nothing to availability.
  let cleaned = 0;
  for (const rs of u.active(olds()).sort(u.byCreation)) {
    if (cleaned >= maxScaledDown) break;
    const unhealthy = u.replicas(rs) - (rs.status?.availableReplicas ?? 0);
    if (unhealthy <= 0) continue;
    const n = Math.min(maxScaledDown - cleaned, unhealthy);
    await r.scale(rs, u.replicas(rs) - n);
    cleaned += n;
  }
  // scaleDownOldReplicaSetsForRollingUpdate.
  const available = u.sumAvailable(all());
  let scaled = 0;
  if (available > minAvailable) {
    const total = available - minAvailable;
    for (const rs of u.active(olds()).sort(u.byCreation)) {
      if (scaled >= total) break;
      const n = Math.min(u.replicas(rs), total - scaled);
      await r.scale(rs, u.replicas(rs) - n);
      scaled += n;
    }
  }
  return cleaned + scaled > 0;
}

/** oldPodsRunning (Recreate): an old ReplicaSet still has pods that are not finished. */
export function oldPodsRunning(r: Rollout, newRS: ReplicaSet | undefined, old: ReplicaSet[], pods: Pod[]): boolean {
  if (u.sumActual(old.map((x) => r.fresh(x))) > 0) return true;
  const oldUids = new Set(old.map((rs) => rs.metadata?.uid));
  return pods.some((p) => {
    const ref = p.metadata?.ownerReferences?.find((o) => o.controller);
    if (!ref || ref.uid === newRS?.metadata?.uid || !oldUids.has(ref.uid)) return false;
    return p.status?.phase !== 'Failed' && p.status?.phase !== 'Succeeded';
  });
}
