/**
 * Per-pod backoff (scheduling_queue.go calculateBackoffDuration): 1 s after the first
 * failed attempt, doubling per attempt, capped at 10 s — 1, 2, 4, 8, 10, 10 … seconds.
 */

export const DEFAULT_INITIAL_BACKOFF_MS = 1_000;
export const DEFAULT_MAX_BACKOFF_MS = 10_000;
/** podMaxInUnschedulablePodsDuration: after this an unschedulable pod is retried anyway. */
export const DEFAULT_MAX_IN_UNSCHEDULABLE_MS = 5 * 60_000;

export function backoffDuration(attempts: number, initialMs = DEFAULT_INITIAL_BACKOFF_MS, maxMs = DEFAULT_MAX_BACKOFF_MS): number {
  if (attempts <= 0) return 0;
  let d = initialMs;
  for (let i = 1; i < attempts; i++) {
    if (d > maxMs - d) return maxMs;
    d += d;
  }
  return Math.min(d, maxMs);
}
