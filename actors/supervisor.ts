/**
 * How the host restarts a failed actor: exponential backoff on the injected clock, like the
 * kubelet's CrashLoopBackOff (there 10 s doubling to 5 min, reset after 10 min of running).
 */
export interface RestartPolicy {
  /** Delay before the first restart; default 1000 ms. */
  initialMs: number;
  /** Cap on the delay; default 30 000 ms. */
  maxMs: number;
  /** Growth per consecutive failure; default 2. */
  factor: number;
  /** An incarnation that ran this long without failing resets the backoff; default 2 × `maxMs`. */
  resetAfterMs: number;
}

export const DEFAULT_RESTART: Readonly<Omit<RestartPolicy, 'resetAfterMs'>> = { initialMs: 1000, maxMs: 30_000, factor: 2 };

/** Fills in the defaults and rejects policies that would spin or never restart. */
export function restartPolicy(p: Partial<RestartPolicy> = {}): RestartPolicy {
  const initialMs = p.initialMs ?? DEFAULT_RESTART.initialMs;
  const maxMs = p.maxMs ?? DEFAULT_RESTART.maxMs;
  const factor = p.factor ?? DEFAULT_RESTART.factor;
  const resetAfterMs = p.resetAfterMs ?? 2 * maxMs;
  if (!(initialMs > 0 && maxMs >= initialMs && factor >= 1 && resetAfterMs >= 0)) {
    throw new RangeError(`restart policy: need 0 < initialMs <= maxMs, factor >= 1, resetAfterMs >= 0 (got ${JSON.stringify(p)})`);
  }
  return { initialMs, maxMs, factor, resetAfterMs };
}

/** Delay before the restart that follows failure number `failures` (0 for the first of a run). */
export function backoffDelay(p: RestartPolicy, failures: number): number {
  return Math.min(p.maxMs, p.initialMs * p.factor ** failures);
}
