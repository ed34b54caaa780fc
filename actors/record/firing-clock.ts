import type { Clock, TimerId } from '../../base/clock.ts';
import type { TimerFiring } from '../clock/virtual.ts';

/** A clock that reports each timer firing, like `VirtualClock.onFire`, and when its callback is done. */
export interface FiringClock extends Clock {
  onFire(hook: (f: TimerFiring) => void): () => void;
}

/**
 * Wraps a clock (the real one, in production) so the recorder sees its timer firings.
 * Build the bus and the actor host with the wrapper when recording a real-time run; a
 * `VirtualClock` already has `onFire`.
 */
export function firingClock(base: Clock): FiringClock {
  let seq = 0;
  let hooks: ((f: TimerFiring) => void)[] = [];
  return {
    now: () => base.now(),
    setTimeout(fn, ms, owner): TimerId {
      const timer = ++seq;
      const scheduledAt = base.now();
      return base.setTimeout(() => {
        const firing: TimerFiring = { seq: timer, at: base.now(), scheduledAt };
        if (owner !== undefined) firing.owner = owner;
        for (const h of hooks) h(firing);
        fn();
      }, ms);
    },
    clearTimeout: (id) => base.clearTimeout(id),
    onFire(hook) {
      hooks = [...hooks, hook];
      return () => {
        hooks = hooks.filter((h) => h !== hook);
      };
    },
  };
}

/** True when `clock` reports its firings. */
export const hasOnFire = (clock: Clock): clock is FiringClock => typeof (clock as Partial<FiringClock>).onFire === 'function';
