import type { Clock, TimerId } from '../../base/clock.ts';
import { TimerHeap, VirtualTimer } from './timer-heap.ts';

/** Where virtual time starts by default: a fixed, realistic instant (2025-01-01T00:00:00Z), so timestamps read well. */
export const VIRTUAL_EPOCH = Date.UTC(2025, 0, 1);

/** What the `onFire` hook is told about each timer just before its callback runs. */
export interface TimerFiring {
  /** Insertion order of the timer (1, 2, ...): deterministic for a deterministic run. */
  seq: number;
  /** Its due time, which is also `now()` while it fires. */
  at: number;
  scheduledAt: number;
  /** The actor that set it, when it was set through an `ownedClock`. */
  owner?: string;
}

export interface VirtualClockOptions {
  /** Initial `now()`; default `VIRTUAL_EPOCH`. */
  start?: number;
  /** What the async methods await before the first firing, between firings and after the last; default `settle`. */
  flush?: () => Promise<void>;
}

/**
 * One turn of the event loop's check phase (a `setImmediate`). When it resolves, every
 * microtask queued before it — and every microtask those queued, transitively — has run,
 * and so has every `setImmediate` callback queued before it. The in-process bus delivers
 * on microtasks, so a cascade of sends, replies and awaited requests settles within one
 * flush as long as it stays within the bus's drain batch (4096 envelopes); a bigger burst
 * continues in a later `setImmediate` and may be overtaken by the next firing.
 */
export const settle = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/**
 * A clock whose time moves only when told to. Timers live in a heap ordered by (due time,
 * insertion order): scheduling and clearing are O(log n) and O(1), so 100k pending timers
 * are cheap (XState's SimulatedClock sorts on every tick and does not scale).
 *
 * Advancing fires every timer due within the window in that order, setting `now()` to the
 * timer's due time while it runs; timers scheduled by a firing timer that fall within the
 * window fire too. A delay that is negative or NaN counts as 0: the timer is due now and
 * fires on the next advance, even `advance(0)`.
 *
 * The async methods (`advance`, `advanceTo`, `next`, `runUntilIdle`) await `flush` before
 * the first firing, between firings and after the last, so bus deliveries caused by one
 * firing happen before the next. The `*Sync` variants never yield.
 */
export class VirtualClock implements Clock {
  #now: number;
  #seq = 0;
  readonly #heap = new TimerHeap();
  readonly #flush: () => Promise<void>;
  #hooks: ((f: TimerFiring) => void)[] = [];

  constructor(opts: VirtualClockOptions = {}) {
    this.#now = opts.start ?? VIRTUAL_EPOCH;
    this.#flush = opts.flush ?? settle;
  }

  now(): number {
    return this.#now;
  }

  setTimeout(fn: () => void, ms: number, owner?: string): TimerId {
    const t = new VirtualTimer(this.#now + (ms > 0 ? ms : 0), ++this.#seq, this.#now, fn, owner);
    this.#heap.push(t);
    return t;
  }

  /** Ignores ids it did not issue and timers that already fired or were cleared. */
  clearTimeout(id: TimerId): void {
    if (id instanceof VirtualTimer) this.#heap.cancel(id);
  }

  /** Timers scheduled and neither fired nor cleared. */
  get pending(): number {
    return this.#heap.live;
  }

  /** Due time of the earliest pending timer. */
  nextDue(): number | undefined {
    return this.#heap.peek()?.due;
  }

  /** Calls `hook` just before each timer fires (the recorder logs firings); returns the function that removes it. */
  onFire(hook: (f: TimerFiring) => void): () => void {
    this.#hooks = [...this.#hooks, hook];
    return () => {
      this.#hooks = this.#hooks.filter((h) => h !== hook);
    };
  }

  /** Moves time forward by `ms`, firing what falls due; resolves to the number of timers fired. */
  advance(ms: number): Promise<number> {
    return this.advanceTo(this.#now + ms);
  }

  /** Moves time forward to `t` (never backwards: throws a RangeError). */
  async advanceTo(t: number): Promise<number> {
    this.#check(t);
    await this.#flush();
    let fired = 0;
    for (let next = this.#heap.peek(); next !== undefined && next.due <= t; next = this.#heap.peek()) {
      this.#fire(next);
      fired++;
      await this.#flush();
    }
    this.#now = t;
    return fired;
  }

  /** Fires the earliest pending timer, whenever it is due; false when none is pending. */
  async next(): Promise<boolean> {
    await this.#flush();
    const t = this.#heap.peek();
    if (t === undefined) return false;
    this.#fire(t);
    await this.#flush();
    return true;
  }

  /**
   * Fires timers in order until none is pending or the next one is due more than `maxMs`
   * after the current time; `now()` is left at the last firing. With a periodic timer and
   * no `maxMs` it never returns: use `advance` for those.
   */
  async runUntilIdle(maxMs = Number.POSITIVE_INFINITY): Promise<number> {
    const limit = this.#now + maxMs;
    await this.#flush();
    let fired = 0;
    for (let next = this.#heap.peek(); next !== undefined && next.due <= limit; next = this.#heap.peek()) {
      this.#fire(next);
      fired++;
      await this.#flush();
    }
    return fired;
  }

  /** `advance` without yielding: microtasks queued by one firing run only after all of them. */
  advanceSync(ms: number): number {
    return this.advanceToSync(this.#now + ms);
  }

  advanceToSync(t: number): number {
    this.#check(t);
    let fired = 0;
    for (let next = this.#heap.peek(); next !== undefined && next.due <= t; next = this.#heap.peek()) {
      this.#fire(next);
      fired++;
    }
    this.#now = t;
    return fired;
  }

  #fire(t: VirtualTimer): void {
    this.#now = t.due;
    const fn = this.#heap.take();
    const hooks = this.#hooks;
    if (hooks.length > 0) {
      const firing: TimerFiring = { seq: t.seq, at: t.due, scheduledAt: t.scheduledAt };
      if (t.owner !== undefined) firing.owner = t.owner;
      for (const h of hooks) h(firing);
    }
    fn();
  }

  #check(t: number): void {
    if (!(t >= this.#now)) throw new RangeError(`virtual clock: cannot move from ${this.#now} to ${t}`);
  }
}
