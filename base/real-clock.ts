import type { Clock } from './clock.ts';

/** The wall-clock time of the current macrotask (see `realClock`). */
let tickNow: number | undefined;
const endTick = (): void => {
  tickNow = undefined;
};

/**
 * The wall clock. Timers are unref'd so a pending timer never keeps the process alive.
 *
 * Time stands still within one macrotask: `now()` reads the wall clock once per event-loop
 * turn (a bus drain and the promise continuations it wakes all see the same instant), as
 * a virtual clock does during a flush. That makes time an input a recording has: every
 * entry of a turn carries that instant, so a replay that moves its clock to the entries'
 * times reproduces every timestamp an actor wrote, even one taken after an `await`.
 */
export const realClock: Clock = {
  now() {
    if (tickNow === undefined) {
      tickNow = Date.now();
      setImmediate(endTick).unref();
    }
    return tickNow;
  },
  setTimeout(fn, ms) {
    const t = globalThis.setTimeout(fn, ms);
    t.unref?.();
    return t;
  },
  clearTimeout(id) {
    globalThis.clearTimeout(id as ReturnType<typeof globalThis.setTimeout>);
  },
};
