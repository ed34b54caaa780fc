/**
 * autoscaling/v2 defaulting (pkg/apis/autoscaling/v2/defaults.go): minReplicas 1, a CPU
 * utilization metric of 80 % when no metric is given, and — only when `behavior` is set —
 * every missing scaling rule filled from the defaults (scale-down's stabilization window
 * stays unset: the controller applies its --horizontal-pod-autoscaler-downscale-stabilization).
 */
import type { HPAScalingRules, HorizontalPodAutoscaler } from 'kubernetes-types/autoscaling/v2.js';
import { clone } from '../json.ts';

/** DefaultCPUUtilization of the autoscaling API. */
export const DEFAULT_CPU_UTILIZATION = 80;

/** GenerateHPAScaleUpRules' defaults: no window, the larger of +4 pods or +100 % every 15 s. */
export const defaultScaleUpRules = (): HPAScalingRules => ({
  stabilizationWindowSeconds: 0,
  selectPolicy: 'Max',
  policies: [{ type: 'Pods', value: 4, periodSeconds: 15 }, { type: 'Percent', value: 100, periodSeconds: 15 }],
});

/** GenerateHPAScaleDownRules' defaults: up to 100 % every 15 s, the window left to the controller. */
export const defaultScaleDownRules = (): HPAScalingRules => ({
  selectPolicy: 'Max',
  policies: [{ type: 'Percent', value: 100, periodSeconds: 15 }],
});

/** copyHPAScalingRules: each field the user left out comes from the defaults. */
function fill(given: HPAScalingRules | undefined, dflt: HPAScalingRules): HPAScalingRules {
  if (!given) return dflt;
  const out: HPAScalingRules = { ...given };
  if (out.selectPolicy === undefined && dflt.selectPolicy !== undefined) out.selectPolicy = dflt.selectPolicy;
  if (out.policies === undefined) out.policies = dflt.policies;
  if (out.stabilizationWindowSeconds === undefined && dflt.stabilizationWindowSeconds !== undefined) out.stabilizationWindowSeconds = dflt.stabilizationWindowSeconds;
  return out;
}

export function defaultHorizontalPodAutoscaler(h: HorizontalPodAutoscaler): HorizontalPodAutoscaler {
  const o = clone(h);
  const s = (o.spec ??= { maxReplicas: 0, scaleTargetRef: { kind: '', name: '' } });
  s.minReplicas ??= 1;
  if (!s.metrics?.length) {
    s.metrics = [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: DEFAULT_CPU_UTILIZATION } } }];
  }
  if (s.behavior) {
    s.behavior = { scaleUp: fill(s.behavior.scaleUp, defaultScaleUpRules()), scaleDown: fill(s.behavior.scaleDown, defaultScaleDownRules()) };
  }
  return o;
}
