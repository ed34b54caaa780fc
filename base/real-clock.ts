import type { Clock } from './clock.ts';

/** The wall-clock time of the current macrotask (see `realClock`). */
let tickNow: number | undefined;
/** An endTick is queued: a timer that takes a fresh reading queues no second one (a busy turn fires hundreds). */
let ending = false;
const endTick = (): void => {
  tickNow = undefined;
  ending = false;
};

const now = (): number => {
  if (tickNow === undefined) {
    tickNow = Date.now();
    if (!ending) {
      ending = true;
      setImmediate(endTick).unref();
    }
  }
  return tickNow;
};

/**
 * One timer of the real clock. Node arms timers on libuv's monotonic loop time, which is
 * cached at the start of a loop turn and truncated to the millisecond on another phase
 * than `Date.now()`; so a timer can run a millisecond before `now()` says it is due. A
 * firing that comes early is armed again for the rest: a recording then never shows a
 * timer firing before the time it was set for (its replay would refuse it — seen as a
 * lease timer "due 1 ms after the recorded firing" in a recorded NATS run).
 */
class RealTimer {
  handle: ReturnType<typeof globalThis.setTimeout>;
  constructor(
    readonly due: number,
    readonly fn: () => void,
    ms: number,
  ) {
    this.handle = this.#arm(ms);
  }

  #arm(ms: number): ReturnType<typeof globalThis.setTimeout> {
    const h = globalThis.setTimeout(() => {
      // A fresh reading: an earlier timer of this loop turn may have cached an older instant.
      tickNow = undefined;
      const at = now();
      if (at < this.due) this.handle = this.#arm(this.due - at);
      else this.fn();
    }, ms);
    h.unref?.();
    return h;
  }
}

/**
 * The wall clock. Timers are unref'd so a pending timer never keeps the process alive, and
 * never fire before `now()` has reached the time they were set for.
 *
 * Time stands still within one macrotask: `now()` reads the wall clock once per event-loop
 * turn (a bus drain and the promise continuations it wakes all see the same instant), as
 * a virtual clock does during a flush. That makes time an input a recording has: every
 * entry of a turn carries that instant, so a replay that moves its clock to the entries'
 * times reproduces every timestamp an actor wrote, even one taken after an `await`.
 */
export const realClock: Clock = {
  now,
  setTimeout(fn, ms) {
    const wait = ms > 0 ? ms : 0;
    return new RealTimer(now() + wait, fn, wait);
  },
  clearTimeout(id) {
    if (id instanceof RealTimer) globalThis.clearTimeout(id.handle);
  },
};
