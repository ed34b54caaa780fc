/**
 * The HPA's replica calculation for resource metrics (pkg/controller/podautoscaler/
 * replica_calculator.go): pods are grouped into ready, unready (pending, or — for cpu — not
 * yet ready within the initialization period), missing (no metric) and ignored (deleted or
 * failed); the usage ratio of the ready pods decides, unless the tolerance (0.1) says the
 * change is too small; missing and unready pods then count conservatively (0 % on a scale-up,
 * 100 % of their request on a scale-down) and must not reverse the direction. Pure: the
 * caller passes `now` and the metrics it read.
 */
import type { Pod } from 'kubernetes-types/core/v1.js';
import { parseQuantity, toMilli } from '../../../api/quantity.ts';

/** --horizontal-pod-autoscaler-tolerance. */
export const DEFAULT_TOLERANCE = 0.1;
/** --horizontal-pod-autoscaler-cpu-initialization-period. */
export const CPU_INITIALIZATION_PERIOD_MS = 5 * 60_000;
/** --horizontal-pod-autoscaler-initial-readiness-delay. */
export const INITIAL_READINESS_DELAY_MS = 30_000;

/** One pod's usage of the resource, in milli-units, with when and over which window it was measured. */
export interface PodMetric {
  readonly value: number;
  readonly timestamp: number;
  readonly windowMs: number;
}

export type PodMetrics = Map<string, PodMetric>;

export interface CalcOptions {
  readonly tolerance: number;
  readonly cpuInitializationPeriodMs: number;
  readonly initialReadinessDelayMs: number;
  readonly now: number;
}

export const DEFAULT_CALC_OPTIONS: Omit<CalcOptions, 'now'> = {
  tolerance: DEFAULT_TOLERANCE,
  cpuInitializationPeriodMs: CPU_INITIALIZATION_PERIOD_MS,
  initialReadinessDelayMs: INITIAL_READINESS_DELAY_MS,
};

/** A calculation's answer, or upstream's error message. */
export type Calc<T> = { ok: true; value: T } | { ok: false; message: string };

const fail = (message: string): { ok: false; message: string } => ({ ok: false, message });

interface Groups {
  readyCount: number;
  unready: Set<string>;
  missing: Set<string>;
  ignored: Set<string>;
}

/** groupPods. */
export function groupPods(pods: readonly Pod[], metrics: PodMetrics, resource: string, o: CalcOptions): Groups {
  const g: Groups = { readyCount: 0, unready: new Set(), missing: new Set(), ignored: new Set() };
  for (const pod of pods) {
    const name = pod.metadata?.name ?? '';
    if (pod.metadata?.deletionTimestamp || pod.status?.phase === 'Failed') {
      g.ignored.add(name);
      continue;
    }
    if (pod.status?.phase === 'Pending') {
      g.unready.add(name);
      continue;
    }
    const metric = metrics.get(name);
    if (!metric) {
      g.missing.add(name);
      continue;
    }
    if (resource === 'cpu') {
      const ready = pod.status?.conditions?.find((c) => c.type === 'Ready');
      const started = Date.parse(pod.status?.startTime ?? '');
      let unready: boolean;
      if (!ready || !Number.isFinite(started)) unready = true;
      else {
        const transition = Date.parse(ready.lastTransitionTime ?? '') || 0;
        // Within the initialization period a sample counts only once a whole window was measured after the last transition.
        if (started + o.cpuInitializationPeriodMs > o.now) unready = ready.status === 'False' || metric.timestamp < transition + metric.windowMs;
        // Later, a pod is left out only when it is unready and has never been ready.
        else unready = ready.status === 'False' && started + o.initialReadinessDelayMs > transition;
      }
      if (unready) {
        g.unready.add(name);
        continue;
      }
    }
    g.readyCount++;
  }
  return g;
}

const milli = (q: unknown): number | undefined => {
  if (q === undefined || q === null) return undefined;
  const p = parseQuantity(String(q));
  return p.ok ? Number(toMilli(p.value)) : undefined;
};

/** calculatePodRequests: each pod's request of the resource, summed over its containers (or the one named). */
export function podRequests(pods: readonly Pod[], container: string, resource: string): Calc<Map<string, number>> {
  const out = new Map<string, number>();
  for (const pod of pods) {
    let sum = 0;
    for (const c of pod.spec?.containers ?? []) {
      if (container && c.name !== container) continue;
      const r = milli(c.resources?.requests?.[resource]);
      if (r === undefined) return fail(`missing request for ${resource} in container ${c.name} of Pod ${pod.metadata?.name ?? ''}`);
      sum += r;
    }
    out.set(pod.metadata?.name ?? '', sum);
  }
  return { ok: true, value: out };
}

/** GetResourceUtilizationRatio: usage over requests of the pods with both. */
export function utilizationRatio(metrics: PodMetrics, requests: Map<string, number>, target: number): Calc<{ ratio: number; utilization: number; rawAverage: number }> {
  let used = 0;
  let requested = 0;
  let n = 0;
  for (const [name, m] of metrics) {
    const r = requests.get(name);
    if (r === undefined) continue;
    used += m.value;
    requested += r;
    n++;
  }
  if (requested === 0) return fail('no metrics returned matched known pods');
  const utilization = Math.trunc((used * 100) / requested);
  return { ok: true, value: { ratio: utilization / target, utilization, rawAverage: Math.trunc(used / n) } };
}

/** GetMetricUsageRatio: the average usage over the target. */
function usageRatio(metrics: PodMetrics, target: number): { ratio: number; usage: number } {
  let total = 0;
  for (const m of metrics.values()) total += m.value;
  const usage = Math.trunc(total / metrics.size);
  return { ratio: usage / target, usage };
}

/** What one resource metric proposes. */
export interface Proposal {
  readonly replicas: number;
  /** Utilization in percent of the request (Utilization targets only). */
  readonly utilization?: number;
  /** The average usage in milli-units. */
  readonly rawAverage: number;
}

/**
 * The shared tail of both calculations: with no unready or missing pods the ratio decides
 * directly; otherwise the conservative fill-in must keep the direction.
 */
function decide(
  current: number, g: Groups, metrics: PodMetrics, ratio: number, tolerance: number,
  fillMissing: (name: string, scaleDown: boolean) => number, rerun: () => Calc<number>,
): Calc<number> {
  const scaleUpWithUnready = g.unready.size > 0 && ratio > 1;
  if (!scaleUpWithUnready && g.missing.size === 0) {
    if (Math.abs(1 - ratio) <= tolerance) return { ok: true, value: current };
    return { ok: true, value: Math.ceil(ratio * g.readyCount) };
  }
  if (g.missing.size > 0 && ratio !== 1) {
    for (const name of g.missing) metrics.set(name, { value: fillMissing(name, ratio < 1), timestamp: 0, windowMs: 0 });
  }
  if (scaleUpWithUnready) for (const name of g.unready) metrics.set(name, { value: 0, timestamp: 0, windowMs: 0 });
  const again = rerun();
  if (!again.ok) return again;
  const next = again.value;
  if (Math.abs(1 - next) <= tolerance || (ratio < 1 && next > 1) || (ratio > 1 && next < 1)) return { ok: true, value: current };
  const replicas = Math.ceil(next * metrics.size);
  if ((next < 1 && replicas > current) || (next > 1 && replicas < current)) return { ok: true, value: current };
  return { ok: true, value: replicas };
}

function usable(pods: readonly Pod[], input: PodMetrics, resource: string, o: CalcOptions): Calc<{ g: Groups; metrics: PodMetrics }> {
  if (pods.length === 0) return fail('no pods returned by selector while calculating replica count');
  const metrics = new Map(input);
  const g = groupPods(pods, metrics, resource, o);
  for (const name of [...g.ignored, ...g.unready]) metrics.delete(name);
  if (metrics.size === 0) return fail('did not receive metrics for targeted pods (pods might be unready)');
  return { ok: true, value: { g, metrics } };
}

/** GetResourceReplicas: a Utilization target (percent of the pods' requests). */
export function resourceReplicas(current: number, targetUtilization: number, resource: string, container: string, pods: readonly Pod[], input: PodMetrics, o: CalcOptions): Calc<Proposal> {
  const u = usable(pods, input, resource, o);
  if (!u.ok) return u;
  const { g, metrics } = u.value;
  const requests = podRequests(pods, container, resource);
  if (!requests.ok) return requests;
  const first = utilizationRatio(metrics, requests.value, targetUtilization);
  if (!first.ok) return first;
  const { ratio, utilization, rawAverage } = first.value;
  const fallback = Math.max(100, targetUtilization);
  const r = decide(current, g, metrics, ratio, o.tolerance,
    (name, down) => (down ? Math.trunc(((requests.value.get(name) ?? 0) * fallback) / 100) : 0),
    () => {
      const again = utilizationRatio(metrics, requests.value, targetUtilization);
      return again.ok ? { ok: true, value: again.value.ratio } : again;
    });
  return r.ok ? { ok: true, value: { replicas: r.value, utilization, rawAverage } } : r;
}

/** GetRawResourceReplicas: an AverageValue target (milli-units per pod). */
export function rawResourceReplicas(current: number, targetMilli: number, resource: string, pods: readonly Pod[], input: PodMetrics, o: CalcOptions): Calc<Proposal> {
  const u = usable(pods, input, resource, o);
  if (!u.ok) return u;
  const { g, metrics } = u.value;
  const { ratio, usage } = usageRatio(metrics, targetMilli);
  const r = decide(current, g, metrics, ratio, o.tolerance, (_, down) => (down ? targetMilli : 0), () => ({ ok: true, value: usageRatio(metrics, targetMilli).ratio }));
  return r.ok ? { ok: true, value: { replicas: r.value, rawAverage: usage } } : r;
}
