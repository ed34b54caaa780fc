/**
 * The taints the node lifecycle controller owns and taint-based eviction's arithmetic
 * (pkg/controller/nodelifecycle and pkg/controller/tainteviction). Ready=Unknown means
 * unreachable, Ready=False not-ready; each gets a NoSchedule taint at once and a NoExecute
 * taint through the rate-limited tainter. A pod on a NoExecute-tainted node is deleted when
 * its shortest matching tolerationSeconds has run from the taint's timeAdded — at once
 * when some NoExecute taint is not tolerated at all. Pure functions.
 */
import type { Pod, Taint, Toleration } from 'kubernetes-types/core/v1.js';
import { rfc3339 } from '../../../api/time.ts';
import { toleratesTaint } from '../../scheduler/plugins/helpers/tolerations.ts';
import type { ReadyState } from './health.ts';

export const TAINT_UNREACHABLE = 'node.kubernetes.io/unreachable';
export const TAINT_NOT_READY = 'node.kubernetes.io/not-ready';
const OWNED = [TAINT_UNREACHABLE, TAINT_NOT_READY];

/** The taint key a Ready state calls for, if any. */
export function taintKeyFor(ready: ReadyState | undefined): string | undefined {
  return ready === 'Unknown' ? TAINT_UNREACHABLE : ready === 'False' ? TAINT_NOT_READY : undefined;
}

const isOwned = (t: Taint) => OWNED.includes(t.key);

/**
 * The node's taints with the controller's own set to what `ready` calls for. `noExecute`:
 * whether the NoExecute taint may be added now (the rate limiter's verdict); an existing one
 * of the right key is kept with its timeAdded. Undefined when nothing changes.
 */
export function nextTaints(taints: readonly Taint[] | undefined, ready: ReadyState | undefined, noExecute: boolean, now: number): Taint[] | undefined {
  const cur = [...(taints ?? [])];
  const key = taintKeyFor(ready);
  const others = cur.filter((t) => !isOwned(t));
  const keep = cur.filter((t) => isOwned(t) && t.key === key);
  const hasNoSchedule = keep.some((t) => t.effect === 'NoSchedule');
  const hasNoExecute = keep.some((t) => t.effect === 'NoExecute');
  const add: Taint[] = [];
  if (key && !hasNoSchedule) add.push({ key, effect: 'NoSchedule' });
  if (key && !hasNoExecute && noExecute) add.push({ key, effect: 'NoExecute', timeAdded: rfc3339(now) });
  const next = [...others, ...keep, ...add];
  return next.length === cur.length && add.length === 0 ? undefined : next;
}

/** True when the node lacks the NoExecute taint its Ready state calls for. */
export function needsNoExecute(taints: readonly Taint[] | undefined, ready: ReadyState | undefined): boolean {
  const key = taintKeyFor(ready);
  return key !== undefined && !(taints ?? []).some((t) => t.key === key && t.effect === 'NoExecute');
}

/**
 * When taint-based eviction deletes `pod` from a node with `taints`: undefined when never
 * (no NoExecute taint, or tolerated forever), else epoch ms (possibly already past).
 */
export function evictionTime(pod: Pod, taints: readonly Taint[] | undefined, now: number): number | undefined {
  const noExecute = (taints ?? []).filter((t) => t.effect === 'NoExecute');
  if (noExecute.length === 0) return undefined;
  let at: number | undefined;
  for (const taint of noExecute) {
    const matching = (pod.spec?.tolerations ?? []).filter((t: Toleration) => toleratesTaint(t, taint));
    if (matching.length === 0) return now;
    const bounded = matching.filter((t) => t.tolerationSeconds !== undefined && t.tolerationSeconds !== null);
    // Any matching toleration without tolerationSeconds tolerates the taint forever.
    if (bounded.length < matching.length) continue;
    const seconds = Math.max(0, Math.min(...bounded.map((t) => t.tolerationSeconds ?? 0)));
    const added = taint.timeAdded ? Date.parse(taint.timeAdded) : now;
    const t = (Number.isFinite(added) ? added : now) + seconds * 1000;
    at = at === undefined ? t : Math.min(at, t);
  }
  return at;
}
