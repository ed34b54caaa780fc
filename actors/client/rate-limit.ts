/**
 * client-go's client-side rate limit: `flowcontrol.NewTokenBucketRateLimiter(qps, burst)`, a
 * bucket of `burst` tokens refilled at `qps` a second, one token per request. Time is the
 * component's injected Clock, so a spec asserts the spreading in virtual time.
 */
import type { Clock } from '../../base/clock.ts';

/** QPS and burst of one component's client (client-go's rest.Config QPS and Burst). */
export interface ClientLimits {
  /** Requests a second, sustained; 0 or less means unlimited (as client-go treats a negative QPS). */
  qps: number;
  /** Requests at once before the rate applies; at least 1. */
  burst: number;
}

/**
 * A token bucket with golang.org/x/time/rate's reservation semantics (what client-go's limiter
 * wraps): a request takes its token at once, and a bucket in debt answers how long the caller
 * must wait before using it — so requests keep their order and are spread at exactly `qps`.
 */
export class TokenBucket {
  #tokens: number;
  #last: number;

  constructor(
    readonly limits: ClientLimits,
    private readonly clock: Clock,
  ) {
    this.#tokens = this.burst;
    this.#last = clock.now();
  }

  get burst(): number {
    return Math.max(1, Math.floor(this.limits.burst));
  }

  /** Whether the bucket ever makes a request wait. */
  get unlimited(): boolean {
    return !(this.limits.qps > 0);
  }

  /** Takes a token; answers the milliseconds to wait before the request may be sent (0: now). */
  reserve(): number {
    if (this.unlimited) return 0;
    const now = this.clock.now();
    const elapsed = Math.max(0, now - this.#last);
    this.#last = Math.max(this.#last, now);
    this.#tokens = Math.min(this.burst, this.#tokens + (elapsed * this.limits.qps) / 1000) - 1;
    return this.#tokens >= 0 ? 0 : Math.ceil((-this.#tokens * 1000) / this.limits.qps);
  }
}
