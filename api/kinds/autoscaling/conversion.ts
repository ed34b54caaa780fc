/**
 * autoscaling/v1 <-> autoscaling/v2 HorizontalPodAutoscaler conversion
 * (pkg/apis/autoscaling/v1/conversion.go). v1 knows one metric, targetCPUUtilizationPercentage
 * (a cpu Resource metric with a Utilization target); every other v2 field a v1 client cannot
 * see travels in annotations, so a v1 round trip keeps it:
 *   autoscaling.alpha.kubernetes.io/metrics          the other metric specs
 *   autoscaling.alpha.kubernetes.io/behavior         spec.behavior
 *   autoscaling.alpha.kubernetes.io/current-metrics  the other current metrics
 *   autoscaling.alpha.kubernetes.io/conditions       status.conditions
 * Approximation: upstream writes the annotated metrics in the v2beta1-shaped autoscaling/v1
 * MetricSpec; here they are the v2 MetricSpec / MetricStatus JSON.
 */
import type { HorizontalPodAutoscaler as V2, HorizontalPodAutoscalerSpec as V2Spec, HorizontalPodAutoscalerBehavior, HorizontalPodAutoscalerCondition, MetricSpec, MetricStatus } from 'kubernetes-types/autoscaling/v2.js';
import type { HorizontalPodAutoscaler as V1 } from 'kubernetes-types/autoscaling/v1.js';
import { ok, type Result } from '../../../base/status.ts';
import type { KubeObject } from '../../../base/object.ts';
import { clone } from '../../json.ts';

export const METRICS_ANNOTATION = 'autoscaling.alpha.kubernetes.io/metrics';
export const BEHAVIOR_ANNOTATION = 'autoscaling.alpha.kubernetes.io/behavior';
export const CURRENT_METRICS_ANNOTATION = 'autoscaling.alpha.kubernetes.io/current-metrics';
export const CONDITIONS_ANNOTATION = 'autoscaling.alpha.kubernetes.io/conditions';

const isCpuUtilization = (m: MetricSpec): boolean => m.type === 'Resource' && m.resource?.name === 'cpu' && m.resource.target?.type === 'Utilization' && m.resource.target.averageUtilization !== undefined;
const isCpuStatus = (m: MetricStatus): boolean => m.type === 'Resource' && m.resource?.name === 'cpu';

function parseJson<T>(text: string | undefined): T | undefined {
  if (text === undefined) return undefined;
  try {
    return JSON.parse(text) as T;
  } catch {
    return undefined;
  }
}

/** The spec fields both versions spell alike. */
function commonSpec(spec: { scaleTargetRef: V2Spec['scaleTargetRef']; minReplicas?: number; maxReplicas: number }): V2Spec {
  return { scaleTargetRef: spec.scaleTargetRef, ...(spec.minReplicas !== undefined ? { minReplicas: spec.minReplicas } : {}), maxReplicas: spec.maxReplicas };
}

/** The status fields both versions spell alike. */
function commonStatus(s: { observedGeneration?: number; lastScaleTime?: string }): { observedGeneration?: number; lastScaleTime?: string } {
  return { ...(s.observedGeneration !== undefined ? { observedGeneration: s.observedGeneration } : {}), ...(s.lastScaleTime !== undefined ? { lastScaleTime: s.lastScaleTime } : {}) };
}

/** A v2 object as autoscaling/v1 shows it. */
export function hpaToV1(h: V2): V1 {
  const spec = h.spec ?? { maxReplicas: 0, scaleTargetRef: { kind: '', name: '' } };
  const annotations: Record<string, string> = { ...h.metadata?.annotations };
  const metrics = spec.metrics ?? [];
  const cpu = metrics.find(isCpuUtilization);
  const others = metrics.filter((m) => m !== cpu);
  if (others.length) annotations[METRICS_ANNOTATION] = JSON.stringify(others);
  if (spec.behavior) annotations[BEHAVIOR_ANNOTATION] = JSON.stringify(spec.behavior);
  const current = h.status?.currentMetrics ?? [];
  const cpuNow = current.find(isCpuStatus);
  const otherNow = current.filter((m) => m !== cpuNow);
  if (otherNow.length) annotations[CURRENT_METRICS_ANNOTATION] = JSON.stringify(otherNow);
  if (h.status?.conditions?.length) annotations[CONDITIONS_ANNOTATION] = JSON.stringify(h.status.conditions);
  const metadata = { ...h.metadata, ...(Object.keys(annotations).length ? { annotations } : {}) };
  const out: V1 = {
    apiVersion: 'autoscaling/v1',
    kind: 'HorizontalPodAutoscaler',
    metadata,
    spec: { ...commonSpec(spec), ...(cpu ? { targetCPUUtilizationPercentage: cpu.resource?.target.averageUtilization } : {}) },
  };
  if (h.status) {
    const s = h.status;
    out.status = {
      ...commonStatus(s),
      currentReplicas: s.currentReplicas ?? 0,
      desiredReplicas: s.desiredReplicas,
      ...(cpuNow?.resource?.current.averageUtilization !== undefined ? { currentCPUUtilizationPercentage: cpuNow.resource.current.averageUtilization } : {}),
    };
  }
  return out;
}

/** An autoscaling/v1 object as autoscaling/v2 stores it; the annotations it read are removed. */
export function hpaFromV1(h: V1): V2 {
  const annotations: Record<string, string> = { ...h.metadata?.annotations };
  const take = <T>(key: string): T | undefined => {
    const v = parseJson<T>(annotations[key]);
    delete annotations[key];
    return v;
  };
  const others = take<MetricSpec[]>(METRICS_ANNOTATION) ?? [];
  const behavior = take<HorizontalPodAutoscalerBehavior>(BEHAVIOR_ANNOTATION);
  const otherNow = take<MetricStatus[]>(CURRENT_METRICS_ANNOTATION) ?? [];
  const conditions = take<HorizontalPodAutoscalerCondition[]>(CONDITIONS_ANNOTATION);
  const metadata = { ...h.metadata };
  if (Object.keys(annotations).length) metadata.annotations = annotations;
  else delete metadata.annotations;
  const spec = h.spec ?? { maxReplicas: 0, scaleTargetRef: { kind: '', name: '' } };
  const cpuTarget = spec.targetCPUUtilizationPercentage;
  const metrics: MetricSpec[] = [...others];
  if (cpuTarget !== undefined) metrics.push({ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: cpuTarget } } });
  const out: V2 = {
    apiVersion: 'autoscaling/v2',
    kind: 'HorizontalPodAutoscaler',
    metadata,
    spec: { ...commonSpec(spec), ...(metrics.length ? { metrics } : {}), ...(behavior ? { behavior } : {}) },
  };
  if (h.status) {
    const s = h.status;
    const current: MetricStatus[] = [...otherNow];
    if (s.currentCPUUtilizationPercentage !== undefined) current.unshift({ type: 'Resource', resource: { name: 'cpu', current: { averageUtilization: s.currentCPUUtilizationPercentage } } });
    out.status = {
      ...commonStatus(s),
      ...(s.currentReplicas !== undefined ? { currentReplicas: s.currentReplicas } : {}),
      desiredReplicas: s.desiredReplicas,
      ...(current.length ? { currentMetrics: current } : {}),
      ...(conditions ? { conditions } : {}),
    };
  }
  return out;
}

/**
 * The kind's `Functions` conversion (api/conversion/converter.ts), which the HTTP front applies
 * on every verb: an object at either version answered at `apiVersion`.
 */
export function convertHpa(obj: KubeObject, apiVersion: string): Result<KubeObject> {
  if (obj.apiVersion === apiVersion) return ok(obj);
  if (apiVersion === 'autoscaling/v1') return ok(hpaToV1(obj as V2) as KubeObject);
  return ok(hpaFromV1(clone(obj) as V1) as KubeObject);
}
