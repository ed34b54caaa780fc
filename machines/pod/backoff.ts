/**
 * kubelet's container restart back-off (flowcontrol.Backoff keyed by pod and container):
 * 10 s initial, doubling, capped at MaxContainerBackOff = 300 s. An entry expires when the
 * container finished more than 2 × 300 s = 10 minutes after the back-off was last bumped,
 * i.e. after 10 minutes of clean running the next crash counts as the first again.
 *
 * As in kubelet, the first restart after a crash is immediate (no entry yet: `next` makes
 * one of 10 s); each later crash waits out the current window from its finish, then bumps
 * it: restarts after 0, 10, 20, 40, 80, 160, 300, 300 … seconds.
 */
export const INITIAL_BACKOFF_MS = 10_000;
export const MAX_BACKOFF_MS = 300_000;

export interface BackoffEntry {
  /** Current window; 0 = no entry. */
  backoffMs: number;
  /** When the window was last bumped. */
  backoffAt: number;
}

const expired = (e: BackoffEntry, finishedAt: number): boolean => e.backoffMs === 0 || finishedAt - e.backoffAt > 2 * MAX_BACKOFF_MS;

/** When a container that finished at `finishedAt` may restart (== finishedAt: at once). */
export function restartAt(e: BackoffEntry, finishedAt: number): number {
  return expired(e, finishedAt) ? finishedAt : finishedAt + e.backoffMs;
}

/** The entry after a restart at `now` (kubelet's Backoff.Next). */
export function next(e: BackoffEntry, finishedAt: number, now: number): BackoffEntry {
  return {
    backoffMs: expired(e, finishedAt) ? INITIAL_BACKOFF_MS : Math.min(e.backoffMs * 2, MAX_BACKOFF_MS),
    backoffAt: now,
  };
}

/** Image pull back-off: same window, no expiry (a failed pull always waits). */
export const nextPull = (ms: number): number => (ms === 0 ? INITIAL_BACKOFF_MS : Math.min(ms * 2, MAX_BACKOFF_MS));

/** `10s`, `5m0s` — Go's time.Duration text, as kubelet prints windows. */
export function goDuration(ms: number): string {
  const s = Math.round(ms / 1000);
  return s < 60 ? `${s}s` : `${Math.floor(s / 60)}m${s % 60}s`;
}
