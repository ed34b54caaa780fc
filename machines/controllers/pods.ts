/**
 * Pod predicates and the deletion ranking of pkg/controller/controller_utils.go
 * (IsPodActive, podutil.IsPodReady / IsPodAvailable, ActivePodsWithRanks.Less).
 */
import type { Pod } from 'kubernetes-types/core/v1.js';

const readyCondition = (p: Pod) => p.status?.conditions?.find((c) => c.type === 'Ready');

/** Not finished and not being deleted. */
export function isPodActive(p: Pod): boolean {
  const phase = p.status?.phase;
  return phase !== 'Succeeded' && phase !== 'Failed' && !p.metadata?.deletionTimestamp;
}

export function isPodReady(p: Pod): boolean {
  return readyCondition(p)?.status === 'True';
}

/** Ready for at least minReadySeconds at `nowMs`. */
export function isPodAvailable(p: Pod, minReadySeconds: number, nowMs: number): boolean {
  if (!isPodReady(p)) return false;
  if (minReadySeconds <= 0) return true;
  const since = Date.parse(readyCondition(p)?.lastTransitionTime ?? '');
  return Number.isFinite(since) && since + minReadySeconds * 1000 <= nowMs;
}

const PHASE_RANK: Record<string, number> = { Pending: 0, Unknown: 1, Running: 2 };
const DELETION_COST = 'controller.kubernetes.io/pod-deletion-cost';

function ms(t: string | undefined): number | undefined {
  const v = t ? Date.parse(t) : NaN;
  return Number.isFinite(v) ? v : undefined;
}
const maxRestarts = (p: Pod) => Math.max(0, ...(p.status?.containerStatuses ?? []).map((c) => c.restartCount ?? 0));
const cost = (p: Pod) => Number.parseInt(p.metadata?.annotations?.[DELETION_COST] ?? '0', 10) || 0;

/** LogarithmicScaleDown: compare ages in powers of two of nanoseconds, so similar ages tie. */
function logRankDiff(t1: number, t2: number, nowMs: number): number {
  const r = (t: number) => {
    const d = (nowMs - t) * 1e6;
    return d > 0 ? Math.floor(Math.log2(d)) : -1;
  };
  return r(t1) - r(t2);
}

/**
 * ActivePodsWithRanks.Less: true when `a` should be deleted before `b`. `rank` counts the
 * related active pods on the same node (pods doubled up on a node go first).
 */
export function deleteBefore(a: Pod, rankA: number, b: Pod, rankB: number, nowMs: number): boolean {
  const na = a.spec?.nodeName ?? '', nb = b.spec?.nodeName ?? '';
  if (na !== nb && (na === '' || nb === '')) return na === '';
  const pa = PHASE_RANK[a.status?.phase ?? 'Pending'] ?? 0, pb = PHASE_RANK[b.status?.phase ?? 'Pending'] ?? 0;
  if (pa !== pb) return pa < pb;
  if (isPodReady(a) !== isPodReady(b)) return !isPodReady(a);
  if (cost(a) !== cost(b)) return cost(a) < cost(b);
  if (rankA !== rankB) return rankA > rankB;
  if (isPodReady(a) && isPodReady(b)) {
    const ra = ms(readyCondition(a)?.lastTransitionTime), rb = ms(readyCondition(b)?.lastTransitionTime);
    if (ra !== rb) {
      if (ra === undefined || rb === undefined) return ra === undefined;
      const diff = logRankDiff(ra, rb, nowMs);
      if (diff === 0) return (a.metadata?.uid ?? '') < (b.metadata?.uid ?? '');
      return diff < 0;
    }
  }
  const xa = maxRestarts(a), xb = maxRestarts(b);
  if (xa !== xb) return xa > xb;
  const ca = ms(a.metadata?.creationTimestamp), cb = ms(b.metadata?.creationTimestamp);
  if (ca !== cb) {
    if (ca === undefined || cb === undefined) return ca === undefined;
    const diff = logRankDiff(ca, cb, nowMs);
    if (diff === 0) return (a.metadata?.uid ?? '') < (b.metadata?.uid ?? '');
    return diff < 0;
  }
  return false;
}

/**
 * getPodsToDelete: the `diff` pods to delete first among `pods`, ranked against
 * `related` (every active pod of the same owner family) per node.
 */
export function podsToDelete(pods: readonly Pod[], related: readonly Pod[], diff: number, nowMs: number): Pod[] {
  if (diff >= pods.length) return [...pods];
  const onNode = new Map<string, number>();
  for (const p of related) {
    if (!isPodActive(p)) continue;
    const n = p.spec?.nodeName ?? '';
    onNode.set(n, (onNode.get(n) ?? 0) + 1);
  }
  const ranked = pods.map((p) => ({ p, rank: onNode.get(p.spec?.nodeName ?? '') ?? 0 }));
  ranked.sort((x, y) => (deleteBefore(x.p, x.rank, y.p, y.rank, nowMs) ? -1 : deleteBefore(y.p, y.rank, x.p, x.rank, nowMs) ? 1 : 0));
  return ranked.slice(0, diff).map((r) => r.p);
}
