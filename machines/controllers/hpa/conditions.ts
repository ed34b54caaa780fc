/**
 * The HPA's status conditions (horizontal.go's setCondition / setConditionInList): AbleToScale,
 * ScalingActive and ScalingLimited, in the order they are first set; a condition's
 * lastTransitionTime moves only when its status changes.
 */
import type { HorizontalPodAutoscalerCondition } from 'kubernetes-types/autoscaling/v2.js';

export type ConditionType = 'AbleToScale' | 'ScalingActive' | 'ScalingLimited';

/** `list` with the condition of `type` set (a new list). */
export function setCondition(list: readonly HorizontalPodAutoscalerCondition[], type: ConditionType, status: 'True' | 'False', reason: string, message: string, now: string): HorizontalPodAutoscalerCondition[] {
  const out = [...list];
  const i = out.findIndex((c) => c.type === type);
  const prev = i >= 0 ? out[i] : undefined;
  const next: HorizontalPodAutoscalerCondition = { type, status, lastTransitionTime: prev && prev.status === status ? prev.lastTransitionTime : now, reason, message };
  if (i >= 0) out[i] = next;
  else out.push(next);
  return out;
}
