import type { Clock, TimerId } from '../../base/clock.ts';

class Timer {
  constructor(
    readonly due: number,
    readonly seq: number,
    readonly fn: () => void,
  ) {}
}

/**
 * The clock of one replayed actor. Time moves only to the recorded times of the actor's
 * inputs, and a timer fires only where the log says the actor's timer fired — so the
 * replay keeps the recorded order of timers and messages even when both fell on the same
 * millisecond, and works for logs of real-time runs (where timers fire late).
 */
export class ReplayClock implements Clock {
  #now: number;
  /** What `now()` reads off the recorded time (the log's `clock` entries: a skewed kubelet); timers are due on the recorded time. */
  offset = 0;
  #seq = 0;
  #timers: Timer[] = [];

  constructor(start: number) {
    this.#now = start;
  }

  now(): number {
    return this.#now + this.offset;
  }

  setTimeout(fn: () => void, ms: number): TimerId {
    const t = new Timer(this.#now + (ms > 0 ? ms : 0), ++this.#seq, fn);
    this.#timers.push(t);
    return t;
  }

  clearTimeout(id: TimerId): void {
    const i = this.#timers.indexOf(id as Timer);
    if (i >= 0) this.#timers.splice(i, 1);
  }

  /** Moves time to `at` (never backwards). */
  moveTo(at: number): void {
    if (at > this.#now) this.#now = at;
  }

  /** Due time of the earliest pending timer. */
  nextDue(): number | undefined {
    return this.#earliest()?.due;
  }

  /**
   * Fires the earliest pending timer with `now()` = `at`. Returns null, or why it could
   * not: no timer pending, or the earliest is not due by `at`.
   */
  fire(at: number): string | null {
    const t = this.#earliest();
    if (t === undefined) return 'no timer is pending';
    if (t.due > at) return `the earliest pending timer is due at ${t.due}, after the recorded firing at ${at}`;
    this.#timers.splice(this.#timers.indexOf(t), 1);
    this.moveTo(at);
    t.fn();
    return null;
  }

  get pending(): number {
    return this.#timers.length;
  }

  #earliest(): Timer | undefined {
    let best: Timer | undefined;
    for (const t of this.#timers) if (best === undefined || t.due < best.due || (t.due === best.due && t.seq < best.seq)) best = t;
    return best;
  }
}
