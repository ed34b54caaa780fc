/**
 * autoscaling HorizontalPodAutoscaler validation (pkg/apis/autoscaling/validation): the scale
 * target, replica bounds, each metric source and target, and the scaling behavior.
 */
import type { CrossVersionObjectReference, HPAScalingRules, HorizontalPodAutoscaler, MetricSpec, MetricTarget } from 'kubernetes-types/autoscaling/v2.js';
import type { StatusCause } from '../../base/status.ts';
import { parseQuantity, toMilli } from '../quantity.ts';
import { child, forbidden, index, invalid, notSupported, required, type FieldPath } from './errors.ts';
import { validateObjectMeta, validateObjectMetaUpdate } from './meta.ts';
import { isValidPathSegmentName, nameIsDNSSubdomain } from './names.ts';

const METRIC_SOURCE_TYPES = ['ContainerResource', 'External', 'Object', 'Pods', 'Resource'];
/** The spec field each source type populates. */
const SOURCE_FIELD: Record<string, string> = { Object: 'object', Pods: 'pods', Resource: 'resource', External: 'external', ContainerResource: 'containerResource' };
const MAX_PERIOD_SECONDS = 1800;
const MAX_STABILIZATION_WINDOW_SECONDS = 3600;

function validateCrossVersionObjectReference(ref: CrossVersionObjectReference | undefined, path: FieldPath): StatusCause[] {
  const errs: StatusCause[] = [];
  const kind = ref?.kind ?? '';
  const name = ref?.name ?? '';
  if (!kind) errs.push(required(child(path, 'kind')));
  else for (const msg of isValidPathSegmentName(kind)) errs.push(invalid(child(path, 'kind'), kind, msg));
  if (!name) errs.push(required(child(path, 'name')));
  else for (const msg of isValidPathSegmentName(name)) errs.push(invalid(child(path, 'name'), name, msg));
  return errs;
}

/** A quantity field that must be positive (Sign() != 1 → "must be positive"). */
function positive(value: unknown, path: FieldPath): StatusCause[] {
  if (value === undefined || value === null) return [];
  const q = parseQuantity(String(value));
  if (!q.ok) return [invalid(path, value, q.status.message)];
  return toMilli(q.value) > 0n || q.value.nano > 0n ? [] : [invalid(path, value, 'must be positive')];
}

function validateMetricTarget(t: MetricTarget | undefined, path: FieldPath): StatusCause[] {
  const errs: StatusCause[] = [];
  const type = t?.type ?? '';
  if (!type) errs.push(required(child(path, 'type'), 'must specify a metric target type'));
  if (!['Utilization', 'Value', 'AverageValue'].includes(type)) errs.push(invalid(child(path, 'type'), type, 'must be either Utilization, Value, or AverageValue'));
  errs.push(...positive(t?.value, child(path, 'value')), ...positive(t?.averageValue, child(path, 'averageValue')));
  if (t?.averageUtilization !== undefined && t.averageUtilization < 1) errs.push(invalid(child(path, 'averageUtilization'), t.averageUtilization, 'must be greater than 0'));
  return errs;
}

function validateResourceLike(src: { name?: string; container?: string; target?: MetricTarget }, path: FieldPath, container: boolean): StatusCause[] {
  const errs: StatusCause[] = [];
  if (!src.name) errs.push(required(child(path, 'name'), 'must specify a resource name'));
  if (container && !src.container) errs.push(required(child(path, 'container'), 'must specify a container'));
  errs.push(...validateMetricTarget(src.target, child(path, 'target')));
  if (src.target?.averageUtilization === undefined && src.target?.averageValue === undefined) errs.push(required(child(path, 'target', 'averageUtilization'), 'must set either a target raw value or a target utilization'));
  if (src.target?.averageUtilization !== undefined && src.target?.averageValue !== undefined) errs.push(forbidden(child(path, 'target', 'averageValue'), 'may not set both a target raw value and a target utilization'));
  return errs;
}

function validateSource(type: string, src: Record<string, unknown>, path: FieldPath): StatusCause[] {
  const metric = (src.metric ?? {}) as { name?: string };
  const target = src.target as MetricTarget | undefined;
  switch (type) {
    case 'Resource': return validateResourceLike(src, path, false);
    case 'ContainerResource': return validateResourceLike(src, path, true);
    case 'Pods': {
      const errs: StatusCause[] = [];
      if (!metric.name) errs.push(required(child(path, 'metric', 'name'), 'must specify a metric name'));
      errs.push(...validateMetricTarget(target, child(path, 'target')));
      if (target?.averageValue === undefined) errs.push(required(child(path, 'target', 'averageValue'), 'must specify a positive target averageValue'));
      return errs;
    }
    case 'Object': {
      const errs = validateCrossVersionObjectReference(src.describedObject as CrossVersionObjectReference | undefined, child(path, 'describedObject'));
      if (!metric.name) errs.push(required(child(path, 'metric', 'name'), 'must specify a metric name'));
      errs.push(...validateMetricTarget(target, child(path, 'target')));
      if (target?.value === undefined && target?.averageValue === undefined) errs.push(required(child(path, 'target', 'averageValue'), 'must set either a target value or averageValue'));
      return errs;
    }
    default: {
      const errs: StatusCause[] = [];
      if (!metric.name) errs.push(required(child(path, 'metric', 'name'), 'must specify a metric name'));
      errs.push(...validateMetricTarget(target, child(path, 'target')));
      if (target?.value === undefined && target?.averageValue === undefined) errs.push(required(child(path, 'target', 'averageValue'), 'must set either a target value for metric or a per-pod target'));
      if (target?.value !== undefined && target?.averageValue !== undefined) errs.push(forbidden(child(path, 'target', 'value'), 'may not set both a target value for metric and a per-pod target'));
      return errs;
    }
  }
}

function validateMetricSpec(m: MetricSpec, path: FieldPath): StatusCause[] {
  const errs: StatusCause[] = [];
  const type = m.type ?? '';
  if (!type) errs.push(required(child(path, 'type'), 'must specify a metric source type'));
  const fields = m as unknown as Record<string, unknown>;
  const present = Object.values(SOURCE_FIELD).filter((f) => fields[f] !== undefined);
  if (type && !METRIC_SOURCE_TYPES.includes(type)) {
    errs.push(notSupported(child(path, 'type'), type, METRIC_SOURCE_TYPES));
    return errs;
  }
  const expected = SOURCE_FIELD[type];
  if (expected) {
    const src = fields[expected] as Record<string, unknown> | undefined;
    if (!src) errs.push(required(child(path, expected), 'must populate information for the given metric source'));
    else errs.push(...validateSource(type, src, child(path, expected)));
  }
  for (const f of present) if (f !== expected) errs.push(forbidden(child(path, f), 'must populate the given metric source only'));
  return errs;
}

function validateScalingRules(r: HPAScalingRules | undefined, path: FieldPath): StatusCause[] {
  if (!r) return [];
  const errs: StatusCause[] = [];
  const w = r.stabilizationWindowSeconds;
  if (w !== undefined && w < 0) errs.push(invalid(child(path, 'stabilizationWindowSeconds'), w, 'must be greater than or equal to zero'));
  if (w !== undefined && w > MAX_STABILIZATION_WINDOW_SECONDS) errs.push(invalid(child(path, 'stabilizationWindowSeconds'), w, `must be less than or equal to ${MAX_STABILIZATION_WINDOW_SECONDS}`));
  const sp = r.selectPolicy;
  if (sp !== undefined && !['Max', 'Min', 'Disabled'].includes(sp)) errs.push(notSupported(child(path, 'selectPolicy'), sp, ['Disabled', 'Max', 'Min']));
  const policies = r.policies ?? [];
  if (policies.length === 0 && sp !== 'Disabled') errs.push(required(child(path, 'policies'), 'must specify at least one Policy'));
  for (const [i, p] of policies.entries()) {
    const pp = index(child(path, 'policies'), i);
    if (p.type !== 'Pods' && p.type !== 'Percent') errs.push(notSupported(child(pp, 'type'), p.type ?? '', ['Percent', 'Pods']));
    if (!(p.value > 0)) errs.push(invalid(child(pp, 'value'), p.value, 'must be greater than zero'));
    if (!(p.periodSeconds > 0)) errs.push(invalid(child(pp, 'periodSeconds'), p.periodSeconds, 'must be greater than zero'));
    else if (p.periodSeconds > MAX_PERIOD_SECONDS) errs.push(invalid(child(pp, 'periodSeconds'), p.periodSeconds, `must be less than or equal to ${MAX_PERIOD_SECONDS}`));
  }
  return errs;
}

export function validateHorizontalPodAutoscaler(h: HorizontalPodAutoscaler, old?: HorizontalPodAutoscaler): StatusCause[] {
  const errs = old ? validateObjectMetaUpdate(h.metadata, old.metadata) : validateObjectMeta(h.metadata, true, nameIsDNSSubdomain);
  const s = h.spec;
  errs.push(...validateCrossVersionObjectReference(s?.scaleTargetRef, 'spec.scaleTargetRef'));
  const min = s?.minReplicas;
  const max = s?.maxReplicas ?? 0;
  // 0 is allowed only with the HPAScaleToZero feature gate, off by default.
  if (min !== undefined && min < 1) errs.push(invalid('spec.minReplicas', min, 'must be greater than or equal to 1'));
  if (max < 1) errs.push(invalid('spec.maxReplicas', max, 'must be greater than 0'));
  if (min !== undefined && max < min) errs.push(invalid('spec.maxReplicas', max, 'must be greater than or equal to `minReplicas`'));
  for (const [i, m] of (s?.metrics ?? []).entries()) errs.push(...validateMetricSpec(m, index('spec.metrics', i)));
  errs.push(...validateScalingRules(s?.behavior?.scaleUp, 'spec.behavior.scaleUp'), ...validateScalingRules(s?.behavior?.scaleDown, 'spec.behavior.scaleDown'));
  return errs;
}
