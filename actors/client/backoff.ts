/**
 * When a client retries an apiserver answer, and after how long: client-go's rule (rest.Request
 * with `maxRetries` 10 and `checkWait`) — a 429 or a 5xx that carries Retry-After
 * (`details.retryAfterSeconds` > 0) was not applied and may be sent again; any other failure is
 * returned at once (a 504 of a write may have been applied). The wait is the longer of
 * Retry-After and an exponential back-off, plus jitter, so clients refused together do not
 * come back together.
 */
import type { Result, Status } from '../../base/status.ts';

/** client-go's default `maxRetries` of a request. */
export const MAX_RETRIES = 10;
/** The first retry's back-off; it doubles with every retry of the same request. */
export const BACKOFF_BASE_MS = 1000;
/** The back-off stops doubling here. */
export const BACKOFF_CAP_MS = 30_000;
/** Up to this fraction of the wait is added at random (wait.Jitter's maxFactor). */
export const JITTER_FACTOR = 0.5;

/** The Retry-After a failure carries, in seconds, when the server said it may be retried. */
export function retryAfterOf(status: Status): number | undefined {
  const after = status.details?.retryAfterSeconds;
  if (after === undefined || !(after > 0)) return undefined;
  return status.code === 429 || status.code >= 500 ? after : undefined;
}

/**
 * The milliseconds to wait before retrying `result` (whose request has been retried `retries`
 * times), or undefined: return it as it is. `random` is the actor's seeded [0, 1) source.
 */
export function retryDelayMs(result: Result<unknown>, retries: number, random: () => number): number | undefined {
  if (result.ok || retries >= MAX_RETRIES) return undefined;
  const after = retryAfterOf(result.status);
  if (after === undefined) return undefined;
  const backoff = Math.min(BACKOFF_CAP_MS, BACKOFF_BASE_MS * 2 ** retries);
  const wait = Math.max(after * 1000, backoff);
  return Math.round(wait * (1 + JITTER_FACTOR * random()));
}
