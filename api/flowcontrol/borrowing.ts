/**
 * Seat borrowing between priority levels, as upstream's API Priority and Fairness controller
 * does it (KEP-1040; apf_controller.go's updateBorrowing and conc_alloc.go): every
 * BORROWING_PERIOD_MS each level's current concurrency limit is set anew from its seat demand
 * over the period — the seats its requests held or waited for —, within the bounds its
 * configuration gives it: no lower than its nominal limit less what it lends
 * (`lendablePercent`), no higher than its nominal limit plus what it may borrow
 * (`borrowingLimitPercent`; none given: the whole server). The limits always sum to the
 * nominal ones' sum: a busy level takes the seats idle levels lend. Pure: the caller owns the
 * clock.
 */

/** How often the limits are set anew (upstream's borrowingAdjustmentPeriod). */
export const BORROWING_PERIOD_MS = 10_000;

/** How much of the smoothed demand carries over from one period to the next (upstream's seatDemandSmoothingCoefficient). */
export const SEAT_DEMAND_SMOOTHING = 0.977;

/** A target below this counts as this (upstream's MinTarget: no division by zero). */
const MIN_TARGET = 0.001;

/** One period's seat demand: its length (ms), time-weighted average and standard deviation, and highest value. */
export interface DemandSample {
  duration: number;
  average: number;
  deviation: number;
  max: number;
}

/**
 * A level's seat demand over time (upstream's fairqueuing Integrator): a step function set
 * at each change, integrated so that a period's average and deviation weigh each value by how
 * long it held.
 */
export class SeatDemand {
  #x = 0;
  #last: number;
  #start: number;
  #sum = 0;
  #sumSquares = 0;
  #max = 0;

  constructor(now: number) {
    this.#last = now;
    this.#start = now;
  }

  /** The demand is `x` from `now` on. */
  set(x: number, now: number): void {
    if (x === this.#x) return;
    this.#advance(now);
    this.#x = x;
    if (x > this.#max) this.#max = x;
  }

  /** The period that ends `now`; the next one starts with the current demand as its highest. */
  reset(now: number): DemandSample {
    this.#advance(now);
    const duration = now - this.#start;
    const average = duration > 0 ? this.#sum / duration : 0;
    const variance = duration > 0 ? this.#sumSquares / duration - average * average : 0;
    const out = { duration, average, deviation: Math.sqrt(Math.max(0, variance)), max: this.#max };
    this.#start = now;
    this.#sum = 0;
    this.#sumSquares = 0;
    this.#max = this.#x;
    return out;
  }

  #advance(now: number): void {
    const dt = now - this.#last;
    if (dt <= 0) return;
    this.#sum += dt * this.#x;
    this.#sumSquares += dt * this.#x * this.#x;
    this.#last = now;
  }
}

/** A level's demand as the limits are computed from it (upstream's seatDemandStats). */
export interface DemandStats {
  average: number;
  deviation: number;
  highWatermark: number;
  /** Average plus deviation, smoothed over periods: it rises at once and falls slowly. */
  smoothed: number;
}

export const NO_DEMAND: DemandStats = Object.freeze({ average: 0, deviation: 0, highWatermark: 0, smoothed: 0 });

/** The stats after one more period. */
export function nextStats(prev: DemandStats, obs: DemandSample): DemandStats {
  if (obs.duration <= 0) return { ...prev, highWatermark: obs.max };
  const envelope = obs.average + obs.deviation;
  return {
    average: obs.average,
    deviation: obs.deviation,
    highWatermark: obs.max,
    smoothed: Math.max(envelope, SEAT_DEMAND_SMOOTHING * prev.smoothed + (1 - SEAT_DEMAND_SMOOTHING) * envelope),
  };
}

/** A level's bounds: `lower` is its nominal limit less what it lends, `upper` its nominal limit plus what it may borrow. */
export interface LevelBounds {
  nominal: number;
  lower: number;
  upper: number;
}

/** What one level asks of the allocation: a share proportional to `target`, within [lower, upper]. */
export interface AllocationItem {
  target: number;
  lower: number;
  upper: number;
}

/**
 * The target and bounds of a level for the next period: its bounds' lower one raised to its
 * demand's high watermark (no higher than its nominal limit), and a target of its smoothed
 * demand, no lower than that.
 */
export function allocationItem(b: LevelBounds, s: DemandStats): AllocationItem {
  const lower = Math.max(b.lower, Math.min(b.nominal, s.highWatermark));
  return { target: Math.max(lower, s.smoothed), lower, upper: b.upper };
}

/**
 * Splits `total` seats: the one fair proportion p such that the allocations
 * clamp(p × target, lower, upper) sum to `total` (upstream's computeConcurrencyAllocation). The
 * sum of the clamped allocations grows piecewise linearly with p, bending where an item's
 * bound starts or stops to hold, so the answer lies on the segment between two such points.
 */
export function allocate(total: number, items: readonly AllocationItem[]): { allocations: number[]; fairProp: number } {
  if (items.length === 0) return { allocations: [], fairProp: 0 };
  const targets = items.map((i) => Math.max(i.target, MIN_TARGET));
  const share = (p: number, i: number): number => Math.min(items[i]!.upper, Math.max(items[i]!.lower, p * targets[i]!));
  const at = (p: number): number => items.reduce((n, _, i) => n + share(p, i), 0);
  const bends = [...new Set(items.flatMap((it, i) => [it.lower / targets[i]!, it.upper / targets[i]!]))].sort((a, b) => a - b);
  // Past the last bend every item is at its upper bound; before the first, at its lower one.
  let fairProp = bends[bends.length - 1]!;
  if (at(bends[0]!) >= total) fairProp = bends[0]!;
  else {
    for (let k = 1; k < bends.length; k++) {
      const lo = bends[k - 1]!;
      const hi = bends[k]!;
      const sumLo = at(lo);
      const sumHi = at(hi);
      if (sumHi < total) continue;
      fairProp = sumHi === sumLo ? hi : lo + ((total - sumLo) * (hi - lo)) / (sumHi - sumLo);
      break;
    }
  }
  return { allocations: items.map((_, i) => share(fairProp, i)), fairProp };
}
