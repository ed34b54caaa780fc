/**
 * client-go's EventCorrelator (tools/record/events_cache.go), which every component's event
 * recorder runs before it writes: an event is first aggregated (the 10th and later events of
 * one source, object, type and reason with different messages within 10 minutes become one
 * "(combined from similar events): …" event), then observed (a repeat of an event already
 * written is a count + 1 on it, not a new Event), then filtered by the spam filter (a token
 * bucket per source and object: a burst of 25, then one more every 5 minutes; what it stops
 * is dropped). Pure bookkeeping on the recorder's clock, so a spec drives it in virtual time.
 */
import { Lru } from '../base/lru.ts';

/** What the correlator needs of an event. */
export interface CorrelatedEvent {
  /**
   * What tells the source and involved object apart within one recorder (client-go keys on
   * component, host, kind, namespace, name, uid, apiVersion; a recorder has one component and
   * host, and a uid names one object).
   */
  source: readonly string[];
  type: string;
  reason: string;
  message: string;
}

/** What to write: a new Event (`count` 1) or `count` on the one written under `key` before. */
export type Correlation = { skip: true } | { skip: false; key: string; message: string; count: number };

/** maxLruCacheEntries. */
const CACHE_ENTRIES = 4096;
/** defaultAggregateMaxEvents: distinct messages before similar events are combined. */
export const AGGREGATE_MAX_EVENTS = 10;
/** defaultAggregateIntervalInSeconds. */
const AGGREGATE_INTERVAL_MS = 600_000;
/** defaultSpamBurst and defaultSpamQPS (one every 300 s). */
export const SPAM_BURST = 25;
export const SPAM_REFILL_MS = 300_000;

export const COMBINED_PREFIX = '(combined from similar events): ';

/**
 * The distinct messages of similar events: one string while there is one (nearly every
 * object's events), a Set from the second on. A Set per aggregate cost about 100 bytes of
 * heap per entry, several entries per pod.
 */
interface Aggregate {
  messages: string | Set<string>;
  last: number;
}

interface Bucket {
  tokens: number;
  at: number;
}

export class EventCorrelator {
  readonly #aggregates = new Lru<string, Aggregate>(CACHE_ENTRIES);
  /** Events written, by key: their count. */
  readonly #observed = new Lru<string, number>(CACHE_ENTRIES);
  readonly #buckets = new Lru<string, Bucket>(CACHE_ENTRIES);

  constructor(private readonly now: () => number) {}

  correlate(e: CorrelatedEvent): Correlation {
    const t = this.now();
    const similar = [...e.source, e.type, e.reason].join('\u0000');
    // EventAggregate: distinct messages of similar events, reset after the interval.
    let agg = this.#aggregates.get(similar);
    if (!agg || t - agg.last > AGGREGATE_INTERVAL_MS) agg = { messages: e.message, last: t };
    agg.last = t;
    if (typeof agg.messages === 'string' && agg.messages !== e.message) agg.messages = new Set([agg.messages]);
    if (typeof agg.messages !== 'string') agg.messages.add(e.message);
    let key = `${similar}\u0000${e.message}`;
    let message = e.message;
    if (typeof agg.messages !== 'string' && agg.messages.size >= AGGREGATE_MAX_EVENTS) {
      // Keep the set bounded, as upstream pops one; from now on they are one event.
      agg.messages.delete(agg.messages.values().next().value!);
      key = similar;
      message = COMBINED_PREFIX + e.message;
    }
    this.#aggregates.set(similar, agg);
    // eventObserve counts every occurrence, also those the spam filter then drops: a later write carries them.
    const count = (this.#observed.get(key) ?? 0) + 1;
    this.#observed.set(key, count);
    if (!this.#allow(e, t)) return { skip: true };
    return { skip: false, key, message, count };
  }

  /** The Event written under `key` is gone (expired, deleted): the next one is new. */
  forget(key: string): void {
    this.#observed.delete(key);
  }

  /** EventSourceObjectSpamFilter: a token bucket per source, object and type. */
  #allow(e: CorrelatedEvent, t: number): boolean {
    const k = [...e.source, e.type].join('\u0000');
    const b = this.#buckets.get(k) ?? { tokens: SPAM_BURST, at: t };
    b.tokens = Math.min(SPAM_BURST, b.tokens + (t - b.at) / SPAM_REFILL_MS);
    b.at = t;
    const ok = b.tokens >= 1;
    if (ok) b.tokens -= 1;
    this.#buckets.set(k, b);
    return ok;
  }
}
