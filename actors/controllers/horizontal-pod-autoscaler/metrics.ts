/**
 * computeReplicasForMetrics of pkg/controller/podautoscaler/horizontal.go: each metric of the
 * HPA proposes a replica count; the largest wins. Resource metrics come from the resource
 * metrics API (metrics.k8s.io/v1beta1 PodMetrics, listed with the scale's selector, as the
 * upstream REST metrics client does); Pods, Object and External metrics need the custom and
 * external metrics APIs, which this cluster does not serve, so they fail as upstream fails
 * without them.
 */
import type { HorizontalPodAutoscaler, MetricSpec, MetricStatus } from 'kubernetes-types/autoscaling/v2.js';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { formatQuantity, parseQuantity, toMilli } from '../../../api/quantity.ts';
import { parseGoDuration } from '../../../api/duration.ts';
import { rawResourceReplicas, resourceReplicas, type CalcOptions, type PodMetrics } from '../../../machines/controllers/hpa/replicas.ts';
import { targets, type ApiClient } from '../../client/index.ts';

/** What a failed metric sets: ScalingActive False with `reason`, and an event of that reason. */
export interface MetricFailure {
  readonly reason: string;
  /** The error (also the event's message). */
  readonly error: string;
}

export interface MetricsResult {
  /** The largest proposal; -1 when no metric could be computed (or some failed and the rest would scale down). */
  readonly replicas: number;
  /** The winning metric's name ("cpu resource utilization (percentage of request)"). */
  readonly metric: string;
  readonly statuses: MetricStatus[];
  /** The error to report (FailedComputeMetricsReplicas), when any metric failed. */
  readonly error?: string;
  /** The condition of the first failure, applied when the result is -1. */
  readonly failure?: MetricFailure;
  /** Every failed metric's event. */
  readonly events: MetricFailure[];
}

const milli = (q: unknown): number | undefined => {
  const p = parseQuantity(String(q ?? ''));
  return p.ok ? Number(toMilli(p.value)) : undefined;
};

/** A milli-value as Kubernetes writes resource.NewMilliQuantity(v, DecimalSI) ("200m", "1"). */
export const milliQuantity = (m: number): string => formatQuantity({ nano: BigInt(m) * 1_000_000n, format: 'DecimalSI' });

/** GetResourceMetric: each pod's usage of the resource (of one container, or summed); pods lacking it in a container are left out. */
async function resourceMetric(api: ApiClient, resource: string, namespace: string, selector: string, container: string): Promise<{ ok: true; value: PodMetrics } | { ok: false; message: string }> {
  // The resource metrics API's pods, listed through the one client (RBAC: list pods.metrics.k8s.io).
  const r = await api.list(targets.podmetrics(namespace), selector);
  // client-go names the request after a NotFound without details: "(get pods.metrics.k8s.io)".
  const why = !r.ok && r.status.reason === 'NotFound' && !r.status.details?.name ? `${r.status.message} (get pods.metrics.k8s.io)` : r.ok ? '' : r.status.message;
  if (!r.ok) return { ok: false, message: `unable to fetch metrics from resource metrics API: ${why}` };
  if (r.value.items.length === 0) return { ok: false, message: 'no metrics returned from resource metrics API' };
  const out: PodMetrics = new Map();
  for (const m of r.value.items) {
    let sum = 0;
    let missing = false;
    for (const c of m.containers ?? []) {
      if (container && c.name !== container) continue;
      const v = milli(c.usage?.[resource]);
      if (v === undefined) {
        missing = true;
        break;
      }
      sum += v;
    }
    if (missing) continue;
    out.set(m.metadata?.name ?? '', { value: sum, timestamp: Date.parse(m.timestamp ?? '') || 0, windowMs: parseGoDuration(m.window ?? '') ?? 0 });
  }
  return { ok: true, value: out };
}

type One = { ok: true; replicas: number; metric: string; status: MetricStatus } | { ok: false; failure: MetricFailure; error: string };

const NO_CUSTOM = 'unable to fetch metrics from custom metrics API: no custom metrics API (custom.metrics.k8s.io) registered';
const NO_EXTERNAL = 'unable to fetch metrics from external metrics API: no external metrics API (external.metrics.k8s.io) registered';

/** getUnableComputeReplicaCountCondition's reason and the error it wraps. */
const unable = (reason: string, inner: string, outer: string): One => ({ ok: false, failure: { reason, error: inner }, error: outer });

async function computeOne(api: ApiClient, spec: MetricSpec, current: number, namespace: string, selector: string, pods: readonly Pod[], o: CalcOptions): Promise<One> {
  switch (spec.type) {
    case 'Resource':
    case 'ContainerResource': {
      const src = spec.type === 'Resource' ? spec.resource : spec.containerResource;
      const name = src?.name ?? '';
      const container = spec.type === 'ContainerResource' ? spec.containerResource?.container ?? '' : '';
      const reason = spec.type === 'Resource' ? 'FailedGetResourceMetric' : 'FailedGetContainerResourceMetric';
      const outer = (e: string) => (spec.type === 'Resource' ? `failed to get ${name} resource metric value: ${e}` : `failed to get ${name} container metric value: ${e}`);
      const target = src?.target;
      const metrics = await resourceMetric(api, name, namespace, selector, container);
      if (target?.averageValue !== undefined) {
        const want = milli(target.averageValue) ?? 0;
        const got = metrics.ok ? rawResourceReplicas(current, want, name, pods, metrics.value, o) : { ok: false as const, message: `unable to get metrics for resource ${name}: ${metrics.message}` };
        if (!got.ok) return unable(reason, `failed to get ${name} usage: ${got.message}`, outer(`failed to get ${name} usage: ${got.message}`));
        const now = { averageValue: milliQuantity(got.value.rawAverage) };
        const status: MetricStatus = spec.type === 'Resource' ? { type: 'Resource', resource: { name, current: now } } : { type: 'ContainerResource', containerResource: { name, container, current: now } };
        return { ok: true, replicas: got.value.replicas, metric: `${name} resource`, status };
      }
      if (target?.averageUtilization === undefined) {
        const e = 'invalid resource metric source: neither an average utilization target nor an average value (usage) target was set';
        return unable(reason, e, outer(e));
      }
      const got = metrics.ok ? resourceReplicas(current, target.averageUtilization, name, container, pods, metrics.value, o) : { ok: false as const, message: `unable to get metrics for resource ${name}: ${metrics.message}` };
      if (!got.ok) return unable(reason, `failed to get ${name} utilization: ${got.message}`, outer(`failed to get ${name} utilization: ${got.message}`));
      const cur = { averageUtilization: got.value.utilization, averageValue: milliQuantity(got.value.rawAverage) };
      const status: MetricStatus = spec.type === 'Resource' ? { type: 'Resource', resource: { name, current: cur } } : { type: 'ContainerResource', containerResource: { name, container, current: cur } };
      const metric = spec.type === 'Resource' ? `${name} resource utilization (percentage of request)` : `${name} container resource utilization (percentage of request)`;
      return { ok: true, replicas: got.value.replicas, metric, status };
    }
    case 'Pods': {
      const e = `unable to get metric ${spec.pods?.metric.name ?? ''}: ${NO_CUSTOM}`;
      return unable('FailedGetPodsMetric', e, `failed to get pods metric value: ${e}`);
    }
    case 'Object': {
      const obj = spec.object?.describedObject;
      const e = `unable to get metric ${spec.object?.metric.name ?? ''}: ${obj?.kind ?? ''} on ${namespace} ${obj?.name ?? ''}/${NO_CUSTOM}`;
      return unable('FailedGetObjectMetric', e, `failed to get object metric value: ${e}`);
    }
    case 'External': {
      const e = `unable to get external metric ${namespace}/${spec.external?.metric.name ?? ''}/nil: ${NO_EXTERNAL}`;
      return unable('FailedGetExternalMetric', e, `failed to get ${spec.external?.metric.name ?? ''} external metric value: ${e}`);
    }
    default: {
      const e = `unknown metric source type "${String(spec.type)}"`;
      return unable('InvalidMetricSourceType', e, e);
    }
  }
}

/** computeReplicasForMetrics over the HPA's metrics (the scale's selector already parsed by the caller). */
export async function computeReplicasForMetrics(api: ApiClient, hpa: HorizontalPodAutoscaler, current: number, selector: string, pods: readonly Pod[], o: CalcOptions): Promise<MetricsResult> {
  const specs = hpa.spec?.metrics ?? [];
  const namespace = hpa.metadata?.namespace ?? '';
  const statuses: MetricStatus[] = [];
  const events: MetricFailure[] = [];
  let replicas = 0;
  let metric = '';
  let invalid = 0;
  let first: { failure: MetricFailure; error: string } | undefined;
  for (const spec of specs) {
    const r = await computeOne(api, spec, current, namespace, selector, pods, o);
    if (!r.ok) {
      events.push(r.failure);
      // Upstream keeps an empty status in the failed metric's slot.
      statuses.push({ type: '' });
      if (invalid++ === 0) first = r;
      continue;
    }
    statuses.push(r.status);
    if (replicas === 0 || r.replicas > replicas) {
      replicas = r.replicas;
      metric = r.metric;
    }
  }
  const error = first ? `invalid metrics (${invalid} invalid out of ${specs.length}), first error is: ${first.error}` : undefined;
  if (first && (invalid >= specs.length || replicas < current)) return { replicas: -1, metric: '', statuses, error, failure: first.failure, events };
  return { replicas, metric, statuses, events, ...(error ? { error } : {}) };
}
