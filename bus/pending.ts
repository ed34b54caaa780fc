import type { Clock, TimerId } from '../base/clock.ts';
import { REPLY, type Envelope } from '../base/envelope.ts';
import { fail, timeout, type Result, type Status } from '../base/status.ts';

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
  /**
   * `onLocal` hears every request the bus answers itself (a timeout, no recipient, a
   * refusal, a closing port): no reply envelope is delivered for those, so the bus taps
   * one (`localReply`) and a recording has the answer the requester saw.
   */
  constructor(
    private readonly clock: Clock,
    private readonly onLocal?: (corr: string, result: Result<unknown>) => void,
  ) {}

  add(corr: string, type: string, to: string, timeoutMs: number): Promise<Result<unknown>> {
    return new Promise((resolve) => {
      const timer = this.clock.setTimeout(() => {
        this.#waiters.delete(corr);
        const result = fail(timeout(`request "${type}" to "${to}" timed out after ${timeoutMs}ms`));
        this.onLocal?.(corr, result);
        resolve(result);
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

  /** Answers a pending request on the bus's own behalf (see `onLocal`); false when it is not pending. */
  fail(corr: string, status: Status): boolean {
    if (!this.#waiters.has(corr)) return false;
    const result = fail(status);
    this.onLocal?.(corr, result);
    return this.settle(corr, result);
  }

  /** Settles a pending request with the reply that arrived; false when it already timed out or never existed. */
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
    for (const [corr] of this.#waiters) if (corr.startsWith(prefix)) this.fail(corr, status);
  }

  /** Fails every pending request sent to `to` (e.g. when the NATS server refused to carry messages there). */
  failTo(to: string, status: Status): void {
    for (const [corr, w] of this.#waiters) if (w.to === to) this.fail(corr, status);
  }

  get size(): number {
    return this.#waiters.size;
  }
}

/** The sender of replies the bus makes up itself (`localReply`). */
export const BUS_SENDER = 'bus';

/** The envelope a tap sees for a request the bus answered itself: from `bus` to the requester (the `ADDRESS#n` correlation id names it). */
export function localReply(corr: string, result: Result<unknown>, at: number): Envelope {
  return { seq: 0, from: BUS_SENDER, to: corr.slice(0, corr.lastIndexOf('#')), type: REPLY, payload: result, corr, at };
}
