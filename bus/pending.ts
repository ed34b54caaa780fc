import type { Clock, TimerId } from '../actors/clock/clock.ts';
import { fail, timeout, type Result, type Status } from './status.ts';

interface Waiter {
  type: string;
  to: string;
  resolve: (r: Result<unknown>) => void;
  timer: TimerId;
}

/**
 * Requests awaiting their reply, keyed by correlation id. Shared by the transports so that
 * timeouts (a 504 Timeout Status, on the injected clock) behave the same on both.
 */
export class PendingRequests {
  readonly #waiters = new Map<string, Waiter>();
  constructor(private readonly clock: Clock) {}

  add(corr: string, type: string, to: string, timeoutMs: number): Promise<Result<unknown>> {
    return new Promise((resolve) => {
      const timer = this.clock.setTimeout(() => {
        this.#waiters.delete(corr);
        resolve(fail(timeout(`request "${type}" to "${to}" timed out after ${timeoutMs}ms`)));
      }, timeoutMs);
      this.#waiters.set(corr, { type, to, resolve, timer });
    });
  }

  /** The request type a correlation id belongs to (for checking its reply), if still pending. */
  typeOf(corr: string): string | undefined {
    return this.#waiters.get(corr)?.type;
  }

  /** The address a pending request was sent to (a reply must come from it), if still pending. */
  targetOf(corr: string): string | undefined {
    return this.#waiters.get(corr)?.to;
  }

  /** Settles a pending request; false when it already timed out or never existed. */
  settle(corr: string, result: Result<unknown>): boolean {
    const w = this.#waiters.get(corr);
    if (!w) return false;
    this.#waiters.delete(corr);
    this.clock.clearTimeout(w.timer);
    w.resolve(result);
    return true;
  }

  /** Fails every pending request whose correlation id starts with `prefix` (a closing port's). */
  failAll(status: Status, prefix = ''): void {
    for (const [corr] of this.#waiters) if (corr.startsWith(prefix)) this.settle(corr, fail(status));
  }

  /** Fails every pending request sent to `to` (e.g. when the NATS server refused to carry messages there). */
  failTo(to: string, status: Status): void {
    for (const [corr, w] of this.#waiters) if (w.to === to) this.settle(corr, fail(status));
  }

  get size(): number {
    return this.#waiters.size;
  }
}
