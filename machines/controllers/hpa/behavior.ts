/**
 * From the metrics' proposal to the replicas the HPA sets (horizontal.go's normalization):
 * without `spec.behavior`, the highest recommendation of the downscale stabilization window
 * (--horizontal-pod-autoscaler-downscale-stabilization, 5 min) and a scale-up limit of
 * max(2 x current, 4); with it, both stabilization windows and the scale-up / scale-down
 * policies over the recent scale events. Min and max replicas bound both. Pure: the
 * per-HPA memory (recommendations, scale events) is passed in and handed back.
 */
import type { HPAScalingRules, HorizontalPodAutoscalerBehavior } from 'kubernetes-types/autoscaling/v2.js';

/** --horizontal-pod-autoscaler-downscale-stabilization. */
export const DEFAULT_DOWNSCALE_STABILIZATION_MS = 5 * 60_000;

export interface Recommendation {
  readonly replicas: number;
  readonly at: number;
}

export interface ScaleEvent {
  readonly change: number;
  readonly at: number;
}

/** What the controller remembers of one HPA between syncs (lost on restart, as upstream). */
export interface HpaMemory {
  recommendations: Recommendation[];
  scaleUpEvents: ScaleEvent[];
  scaleDownEvents: ScaleEvent[];
}

export const emptyMemory = (): HpaMemory => ({ recommendations: [], scaleUpEvents: [], scaleDownEvents: [] });

/** A condition's reason and message. */
export interface Because {
  readonly reason: string;
  readonly message: string;
}

export interface Normalized {
  readonly replicas: number;
  /** AbleToScale (status True): stabilized or ready for a new scale. */
  readonly ableToScale: Because;
  /** ScalingLimited: its reason and whether the limit applied. */
  readonly limited: Because & { readonly status: 'True' | 'False' };
}

const WITHIN = { reason: 'DesiredWithinRange', message: 'the desired count is within the acceptable range' };
const READY = { reason: 'ReadyForNewScale', message: 'recommended size matches current size' };
const DOWN_STABILIZED = { reason: 'ScaleDownStabilized', message: 'recent recommendations were higher than current one, applying the highest recent recommendation' };
const UP_STABILIZED = { reason: 'ScaleUpStabilized', message: 'recent recommendations were lower than current one, applying the lowest recent recommendation' };
const UP_LIMIT = { reason: 'ScaleUpLimit', message: 'the desired replica count is increasing faster than the maximum scale rate' };
const DOWN_LIMIT = { reason: 'ScaleDownLimit', message: 'the desired replica count is decreasing faster than the maximum scale rate' };
const TOO_MANY = { reason: 'TooManyReplicas', message: 'the desired replica count is more than the maximum replica count' };
const TOO_FEW = { reason: 'TooFewReplicas', message: 'the desired replica count is less than the minimum replica count' };

/** Records `replicas` at `now`, reusing the slot of one sample older than every window (as upstream). */
function record(mem: HpaMemory, replicas: number, now: number, old: (r: Recommendation) => boolean): void {
  const i = mem.recommendations.findLastIndex(old);
  const rec = { replicas, at: now };
  if (i >= 0) mem.recommendations[i] = rec;
  else mem.recommendations.push(rec);
}

/** recordInitialRecommendation: the first sync remembers the current size. */
export function recordInitial(mem: HpaMemory, current: number, now: number): void {
  if (mem.recommendations.length === 0) mem.recommendations.push({ replicas: current, at: now });
}

/** calculateScaleUpLimit and convertDesiredReplicasWithRules: the rules without `behavior`. */
function withRules(current: number, desired: number, min: number, max: number): { replicas: number } & Because {
  const scaleUpLimit = Math.max(2 * current, 4);
  const [maxAllowed, limit] = max > scaleUpLimit ? [scaleUpLimit, UP_LIMIT] : [max, TOO_MANY];
  if (desired < min) return { replicas: min, ...TOO_FEW };
  if (desired > maxAllowed) return { replicas: maxAllowed, ...limit };
  return { replicas: desired, ...WITHIN };
}

/** normalizeDesiredReplicas: no `behavior` on the HPA. */
export function normalizeWithoutBehavior(mem: HpaMemory, current: number, desired: number, min: number, max: number, now: number, windowMs = DEFAULT_DOWNSCALE_STABILIZATION_MS): Normalized {
  const cutoff = now - windowMs;
  let stabilized = desired;
  for (const r of mem.recommendations) if (r.at >= cutoff && r.replicas > stabilized) stabilized = r.replicas;
  record(mem, desired, now, (r) => r.at < cutoff);
  const ableToScale = stabilized !== desired ? DOWN_STABILIZED : READY;
  const limited = withRules(current, stabilized, min, max);
  return { replicas: limited.replicas, ableToScale, limited: { reason: limited.reason, message: limited.message, status: limited.replicas === stabilized ? 'False' : 'True' } };
}

/** getReplicasChangePerPeriod: the replicas added (or removed) by the events within `periodSeconds`. */
function changeInPeriod(periodSeconds: number, events: readonly ScaleEvent[], now: number): number {
  const cutoff = now - periodSeconds * 1000;
  let n = 0;
  for (const e of events) if (e.at > cutoff) n += e.change;
  return n;
}

/** calculateScaleUpLimitWithScalingRules. */
export function scaleUpLimit(current: number, mem: HpaMemory, rules: HPAScalingRules, now: number): number {
  if (rules.selectPolicy === 'Disabled') return current;
  const pickMin = rules.selectPolicy === 'Min';
  let result = pickMin ? Infinity : -Infinity;
  for (const p of rules.policies ?? []) {
    const start = current - changeInPeriod(p.periodSeconds, mem.scaleUpEvents, now) + changeInPeriod(p.periodSeconds, mem.scaleDownEvents, now);
    const proposed = p.type === 'Pods' ? start + p.value : Math.ceil(start * (1 + p.value / 100));
    result = pickMin ? Math.min(result, proposed) : Math.max(result, proposed);
  }
  return result;
}

/** calculateScaleDownLimitWithBehaviors. */
export function scaleDownLimit(current: number, mem: HpaMemory, rules: HPAScalingRules, now: number): number {
  if (rules.selectPolicy === 'Disabled') return current;
  const pickMin = rules.selectPolicy === 'Min';
  let result = pickMin ? -Infinity : Infinity;
  for (const p of rules.policies ?? []) {
    const start = current - changeInPeriod(p.periodSeconds, mem.scaleUpEvents, now) + changeInPeriod(p.periodSeconds, mem.scaleDownEvents, now);
    const proposed = p.type === 'Pods' ? start - p.value : Math.trunc(start * (1 - p.value / 100));
    result = pickMin ? Math.max(result, proposed) : Math.min(result, proposed);
  }
  return result;
}

/** normalizeDesiredReplicasWithBehaviors: both windows, then the policies' rate. */
export function normalizeWithBehavior(mem: HpaMemory, behavior: HorizontalPodAutoscalerBehavior, current: number, desired: number, min: number, max: number, now: number, windowMs = DEFAULT_DOWNSCALE_STABILIZATION_MS): Normalized {
  const up = behavior.scaleUp ?? {};
  const down = behavior.scaleDown ?? {};
  // maybeInitScaleDownStabilizationWindow: an unset scale-down window is the controller's default.
  const upCutoff = now - (up.stabilizationWindowSeconds ?? 0) * 1000;
  const downCutoff = now - (down.stabilizationWindowSeconds !== undefined ? down.stabilizationWindowSeconds * 1000 : windowMs);
  let upRec = desired;
  let downRec = desired;
  for (const r of mem.recommendations) {
    if (r.at > upCutoff) upRec = Math.min(upRec, r.replicas);
    if (r.at > downCutoff) downRec = Math.max(downRec, r.replicas);
  }
  let stabilized = current;
  if (stabilized < upRec) stabilized = upRec;
  if (stabilized > downRec) stabilized = downRec;
  record(mem, desired, now, (r) => r.at < upCutoff && r.at < downCutoff);
  const ableToScale = stabilized === desired ? READY : desired >= current ? UP_STABILIZED : DOWN_STABILIZED;

  let result: { replicas: number } & Because = { replicas: stabilized, ...WITHIN };
  if (stabilized > current) {
    const limit = Math.max(scaleUpLimit(current, mem, up, now), current);
    const [maxAllowed, why] = max > limit ? [limit, UP_LIMIT] : [max, TOO_MANY];
    if (stabilized > maxAllowed) result = { replicas: maxAllowed, ...why };
  } else if (stabilized < current) {
    const limit = Math.min(scaleDownLimit(current, mem, down, now), current);
    const [minAllowed, why] = min < limit ? [limit, DOWN_LIMIT] : [min, TOO_FEW];
    if (stabilized < minAllowed) result = { replicas: minAllowed, ...why };
  }
  return { replicas: result.replicas, ableToScale, limited: { reason: result.reason, message: result.message, status: result.replicas === stabilized ? 'False' : 'True' } };
}

/** storeScaleEvent: remembers a rescale for the policies, dropping events older than the longest period. */
export function storeScaleEvent(mem: HpaMemory, behavior: HorizontalPodAutoscalerBehavior | undefined, previous: number, next: number, now: number): void {
  if (!behavior) return;
  const longest = (r: HPAScalingRules | undefined) => Math.max(0, ...(r?.policies ?? []).map((p) => p.periodSeconds)) * 1000;
  if (next > previous) {
    mem.scaleUpEvents = mem.scaleUpEvents.filter((e) => e.at > now - longest(behavior.scaleUp));
    mem.scaleUpEvents.push({ change: next - previous, at: now });
  } else if (next < previous) {
    mem.scaleDownEvents = mem.scaleDownEvents.filter((e) => e.at > now - longest(behavior.scaleDown));
    mem.scaleDownEvents.push({ change: previous - next, at: now });
  }
}
