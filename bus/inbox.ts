/**
 * Bounded mailboxes (issue 21). An actor's inbox is the requests addressed to it that it has
 * not answered yet — queued on the bus or being worked on (the kv actor's transactions waiting
 * for their commit, an apiserver request waiting for its kv). At its limit the bus answers a
 * new request at once with 429 TooManyRequests and `retryAfterSeconds` 1 (the typed client
 * backs off and retries), instead of letting it wait out its timeout behind the others.
 * One-way messages, publishes and replies are never refused: dropping a watch event or a reply
 * would lose state a sender had acknowledged.
 */
import { tooManyRequests, type Status } from '../base/status.ts';

/** Requests an actor may hold unanswered unless it registers with its own limit. */
export const DEFAULT_INBOX_LIMIT = 20_000;

export interface RegisterOptions {
  /** Requests this actor may hold unanswered before the bus answers 429 for it (default: the bus's `inboxLimit`). */
  inboxLimit?: number;
  /**
   * NATS only: the queue group the address joins (one member gets each message), so several
   * processes can hold one address, as several apiservers hold `apiserver` (bus/split.ts).
   */
  queue?: string;
}

/** One actor's unanswered requests, by correlation id, with when each stops counting. */
export class Inbox {
  readonly #open = new Map<string, number>();

  /**
   * `ttlMs`: a request its actor never answered stops counting after this long (the
   * requester gave up on it long before), so a lost reply cannot fill the inbox for good.
   */
  constructor(
    readonly limit: number,
    private readonly ttlMs: number,
  ) {}

  /** Takes a request in (true), or says the inbox is full (false). */
  admit(corr: string, now: number): boolean {
    if (this.#open.size >= this.limit) {
      // Oldest first (a Map keeps arrival order): only requests past their time are dropped.
      for (const [c, until] of this.#open) {
        if (until > now) break;
        this.#open.delete(c);
      }
      if (this.#open.size >= this.limit) return false;
    }
    this.#open.set(corr, now + this.ttlMs);
    return true;
  }

  /** The actor answered the request. */
  answered(corr: string): void {
    this.#open.delete(corr);
  }

  get size(): number {
    return this.#open.size;
  }
}

/** What a requester gets when the actor's inbox is full. */
export const inboxFull = (address: string, limit: number): Status =>
  tooManyRequests(`the inbox of "${address}" is full (${limit} requests unanswered); try again later`, 1);

/** The inbox limit for an actor: its own, else the bus's, else the default. */
export const inboxLimitOf = (opts: RegisterOptions | undefined, busLimit: number | undefined): number =>
  Math.max(1, opts?.inboxLimit ?? busLimit ?? DEFAULT_INBOX_LIMIT);
