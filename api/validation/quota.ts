/**
 * core/v1 ResourceQuota and LimitRange validation (pkg/apis/core/validation:
 * ValidateResourceQuota, ValidateLimitRange) with Kubernetes' field paths and messages.
 */
import type { LimitRange, ResourceQuota, ResourceQuotaSpec, ResourceQuotaStatus } from 'kubernetes-types/core/v1.js';
import type { StatusCause } from '../../base/status.ts';
import { deepEqual } from '../json.ts';
import { compareQuantity, formatQuantity, parseQuantity, toMilli, type Quantity } from '../quantity.ts';
import { child, duplicate, forbidden, GoRaw, index, invalid, key, required, type FieldPath } from './errors.ts';
import { validateObjectMeta, validateObjectMetaUpdate } from './meta.ts';
import { isQualifiedName, nameIsDNSSubdomain } from './names.ts';

/** IsStandardQuotaResourceName's set (hugepages names aside). */
const STANDARD_QUOTA_RESOURCES = new Set([
  'pods', 'services', 'replicationcontrollers', 'resourcequotas', 'secrets', 'configmaps', 'persistentvolumeclaims',
  'services.nodeports', 'services.loadbalancers', 'cpu', 'memory', 'ephemeral-storage', 'requests.cpu', 'requests.memory',
  'requests.storage', 'requests.ephemeral-storage', 'limits.cpu', 'limits.memory', 'limits.ephemeral-storage',
]);
const INTEGER_RESOURCES = new Set(['pods', 'services', 'replicationcontrollers', 'resourcequotas', 'secrets', 'configmaps', 'persistentvolumeclaims', 'services.nodeports', 'services.loadbalancers']);
const POD_COUNT = new Set(['pods']);
const POD_COMPUTE = new Set(['cpu', 'memory', 'limits.cpu', 'limits.memory', 'requests.cpu', 'requests.memory']);
export const STANDARD_SCOPES = ['Terminating', 'NotTerminating', 'BestEffort', 'NotBestEffort', 'PriorityClass', 'CrossNamespacePodAffinity'] as const;
const EXISTS_ONLY = new Set(['Terminating', 'NotTerminating', 'BestEffort', 'NotBestEffort', 'CrossNamespacePodAffinity']);
const CONFLICTING: readonly (readonly [string, string])[] = [['BestEffort', 'NotBestEffort'], ['Terminating', 'NotTerminating']];

const isStandardQuotaName = (n: string): boolean => STANDARD_QUOTA_RESOURCES.has(n) || n.startsWith('hugepages-') || n.startsWith('requests.hugepages-');
const isExtended = (n: string): boolean => n.includes('/') && !n.startsWith('kubernetes.io/') && !n.startsWith('requests.');
const isInteger = (n: string): boolean => INTEGER_RESOURCES.has(n) || isExtended(n);

/** IsResourceQuotaScopeValidForResource. */
function scopeValidFor(scope: string, resource: string): boolean {
  if (scope === 'BestEffort') return POD_COUNT.has(resource);
  if (EXISTS_ONLY.has(scope) || scope === 'PriorityClass') return POD_COUNT.has(resource) || POD_COMPUTE.has(resource);
  return true;
}

/** validateResourceName: a qualified name. */
function resourceName(n: string, path: FieldPath): StatusCause[] {
  return isQualifiedName(n).map((m) => invalid(path, n, m));
}

/** ValidateResourceQuantityValue: not negative, and whole for the counted resources. */
function quantityValue(n: string, raw: unknown, path: FieldPath): StatusCause[] {
  const q = parseQuantity(String(raw));
  if (!q.ok) return [invalid(path, raw, q.status.message)];
  if (q.value.nano < 0n) return [invalid(path, formatQuantity(q.value), 'must be greater than or equal to 0')];
  if (isInteger(n) && toMilli(q.value) % 1000n !== 0n) return [invalid(path, new GoRaw(formatQuantity(q.value)), 'must be an integer')];
  return [];
}

function hardList(list: Record<string, unknown> | undefined, path: FieldPath, quotaNames: boolean): StatusCause[] {
  const errs: StatusCause[] = [];
  for (const n of Object.keys(list ?? {}).sort()) {
    const p = key(path, n);
    errs.push(...resourceName(n, p));
    if (quotaNames && !n.includes('/') && !isStandardQuotaName(n)) errs.push(invalid(p, n, 'must be a standard resource for quota'));
    errs.push(...quantityValue(n, list![n], p));
  }
  return errs;
}

function scopes(spec: ResourceQuotaSpec, path: FieldPath): StatusCause[] {
  const errs: StatusCause[] = [];
  const list = spec.scopes ?? [];
  if (!list.length) return errs;
  const hard = Object.keys(spec.hard ?? {}).sort();
  const p = child(path, 'scopes');
  for (const s of list) {
    if (!(STANDARD_SCOPES as readonly string[]).includes(s)) errs.push(invalid(p, list, 'unsupported scope'));
    for (const h of hard) if (isStandardQuotaName(h) && !scopeValidFor(s, h)) errs.push(invalid(p, list, 'unsupported scope applied to resource'));
  }
  for (const [a, b] of CONFLICTING) if (list.includes(a) && list.includes(b)) errs.push(invalid(p, list, 'conflicting scopes'));
  return errs;
}

function scopeSelector(spec: ResourceQuotaSpec, path: FieldPath): StatusCause[] {
  const errs: StatusCause[] = [];
  const exprs = spec.scopeSelector?.matchExpressions;
  if (!exprs) return errs;
  const hard = Object.keys(spec.hard ?? {}).sort();
  const p = child(path, 'scopeSelector', 'matchExpressions');
  const seen = new Set<string>();
  // The selector as Go's %#v prints the internal struct field.Invalid is given.
  const goStrings = (v: readonly string[] | undefined) => (v ? `[]string{${v.map((x) => JSON.stringify(x)).join(', ')}}` : '[]string(nil)');
  const reqs = exprs.map((r) => `core.ScopedResourceSelectorRequirement{ScopeName:${JSON.stringify(r.scopeName)}, Operator:${JSON.stringify(r.operator)}, Values:${goStrings(r.values)}}`);
  const selectorValue = new GoRaw(`core.ScopeSelector{MatchExpressions:[]core.ScopedResourceSelectorRequirement{${reqs.join(', ')}}}`);
  for (const req of exprs) {
    if (!(STANDARD_SCOPES as readonly string[]).includes(req.scopeName)) errs.push(invalid(child(p, 'scopeName'), req.scopeName, 'unsupported scope'));
    for (const h of hard) if (isStandardQuotaName(h) && !scopeValidFor(req.scopeName, h)) errs.push(invalid(p, selectorValue, 'unsupported scope applied to resource'));
    if (EXISTS_ONLY.has(req.scopeName) && req.operator !== 'Exists') {
      errs.push(invalid(child(p, 'operator'), req.operator, 'must be \'Exist\' when scope is any of ResourceQuotaScopeTerminating, ResourceQuotaScopeNotTerminating, ResourceQuotaScopeBestEffort, ResourceQuotaScopeNotBestEffort or ResourceQuotaScopeCrossNamespacePodAffinity'));
    }
    if (req.operator === 'In' || req.operator === 'NotIn') {
      if (!req.values?.length) errs.push(required(child(p, 'values'), "must be at least one value when `operator` is 'In' or 'NotIn' for scope selector"));
    } else if (req.operator === 'Exists' || req.operator === 'DoesNotExist') {
      if (req.values?.length) errs.push(invalid(child(p, 'values'), req.values, "must be no value when `operator` is 'Exist' or 'DoesNotExist' for scope selector"));
    } else errs.push(invalid(child(p, 'operator'), req.operator, 'not a valid selector operator'));
    seen.add(req.scopeName);
  }
  for (const [a, b] of CONFLICTING) if (seen.has(a) && seen.has(b)) errs.push(invalid(p, selectorValue, 'conflicting scopes'));
  return errs;
}

function quotaStatus(status: ResourceQuotaStatus | undefined): StatusCause[] {
  return [...hardList(status?.hard, 'status.hard', false), ...hardList(status?.used, 'status.used', false)];
}

export function validateResourceQuota(q: ResourceQuota, old?: ResourceQuota): StatusCause[] {
  const errs = old ? validateObjectMetaUpdate(q.metadata, old.metadata) : validateObjectMeta(q.metadata, true, nameIsDNSSubdomain);
  const spec = q.spec ?? {};
  errs.push(...hardList(spec.hard, 'spec.hard', true), ...scopes(spec, 'spec'), ...scopeSelector(spec, 'spec'), ...quotaStatus(q.status));
  if (old && !deepEqual(spec.scopes ?? [], old.spec?.scopes ?? [])) errs.push(invalid('spec.scopes', spec.scopes ?? [], 'field is immutable'));
  return errs;
}

const LIMIT_TYPES = ['Pod', 'Container', 'PersistentVolumeClaim'];
const isStandardContainerResource = (n: string): boolean => ['cpu', 'memory', 'ephemeral-storage'].includes(n) || n.startsWith('hugepages-');

function limitTypeName(type: string | undefined, path: FieldPath): StatusCause[] {
  const t = type ?? ''; // Go's zero value for a missing type
  const errs = isQualifiedName(t).map((m) => invalid(path, t, m));
  if (!errs.length && !t.includes('/') && !LIMIT_TYPES.includes(t)) errs.push(invalid(path, t, 'must be a standard limit type or fully qualified'));
  return errs;
}

function limitResourceName(type: string, n: string, path: FieldPath): StatusCause[] {
  const errs = resourceName(n, path);
  if (errs.length || (type !== 'Pod' && type !== 'Container')) return errs;
  if (!n.includes('/') && !isStandardContainerResource(n)) errs.push(invalid(path, n, 'must be a standard resource for containers'));
  return errs;
}

type Quantities = Map<string, Quantity>;

function collect(list: Record<string, unknown> | undefined, type: string, path: FieldPath, keys: Set<string>, errs: StatusCause[]): Quantities {
  const out: Quantities = new Map();
  for (const n of Object.keys(list ?? {}).sort()) {
    errs.push(...limitResourceName(type, n, key(path, n)));
    keys.add(n);
    const q = parseQuantity(String(list![n]));
    if (q.ok) out.set(n, q.value);
  }
  return out;
}

export function validateLimitRange(lr: LimitRange, old?: LimitRange): StatusCause[] {
  const errs = old ? validateObjectMetaUpdate(lr.metadata, old.metadata) : validateObjectMeta(lr.metadata, true, nameIsDNSSubdomain);
  const seenTypes = new Set<string>();
  for (const [i, item] of (lr.spec?.limits ?? []).entries()) {
    const p = index('spec.limits', i);
    errs.push(...limitTypeName(item.type, child(p, 'type')));
    if (seenTypes.has(item.type)) errs.push(duplicate(child(p, 'type'), item.type));
    seenTypes.add(item.type);
    const keys = new Set<string>();
    const max = collect(item.max, item.type, child(p, 'max'), keys, errs);
    const min = collect(item.min, item.type, child(p, 'min'), keys, errs);
    let defaults: Quantities = new Map();
    let defaultRequests: Quantities = new Map();
    if (item.type === 'Pod') {
      if (Object.keys(item.default ?? {}).length) errs.push(forbidden(child(p, 'default'), "may not be specified when `type` is 'Pod'"));
      if (Object.keys(item.defaultRequest ?? {}).length) errs.push(forbidden(child(p, 'defaultRequest'), "may not be specified when `type` is 'Pod'"));
    } else {
      defaults = collect(item.default, item.type, child(p, 'default'), keys, errs);
      defaultRequests = collect(item.defaultRequest, item.type, child(p, 'defaultRequest'), keys, errs);
    }
    if (item.type === 'PersistentVolumeClaim' && !min.has('storage') && !max.has('storage')) {
      errs.push(required(child(p, 'limits'), 'either minimum or maximum storage value is required, but neither was provided'));
    }
    const ratios = collect(item.maxLimitRequestRatio, item.type, child(p, 'maxLimitRequestRatio'), keys, errs);
    for (const k of [...keys].sort()) errs.push(...limitItemOrder(p, k, min.get(k), max.get(k), defaults.get(k), defaultRequests.get(k), ratios.get(k)));
  }
  return errs;
}

const qs = (q: Quantity): string => formatQuantity(q);
const raw = (q: Quantity): GoRaw => new GoRaw(JSON.stringify(qs(q)));

/** The orderings ValidateLimitRange requires among one resource's min, max, defaults and ratio. */
function limitItemOrder(p: FieldPath, k: string, min?: Quantity, max?: Quantity, dflt?: Quantity, dreq?: Quantity, ratio?: Quantity): StatusCause[] {
  const errs: StatusCause[] = [];
  const gt = (a: Quantity, b: Quantity) => compareQuantity(a, b) > 0;
  if (min && max && gt(min, max)) errs.push(invalid(key(child(p, 'min'), k), raw(min), `min value ${qs(min)} is greater than max value ${qs(max)}`));
  if (dreq && min && gt(min, dreq)) errs.push(invalid(key(child(p, 'defaultRequest'), k), raw(dreq), `min value ${qs(min)} is greater than default request value ${qs(dreq)}`));
  if (dreq && max && gt(dreq, max)) errs.push(invalid(key(child(p, 'defaultRequest'), k), raw(dreq), `default request value ${qs(dreq)} is greater than max value ${qs(max)}`));
  if (dreq && dflt && gt(dreq, dflt)) errs.push(invalid(key(child(p, 'defaultRequest'), k), raw(dreq), `default request value ${qs(dreq)} is greater than default limit value ${qs(dflt)}`));
  if (dflt && min && gt(min, dflt)) errs.push(invalid(key(child(p, 'default'), k), raw(min), `min value ${qs(min)} is greater than default value ${qs(dflt)}`));
  if (dflt && max && gt(dflt, max)) errs.push(invalid(key(child(p, 'default'), k), raw(max), `default value ${qs(dflt)} is greater than max value ${qs(max)}`));
  if (ratio && toMilli(ratio) < 1000n) errs.push(invalid(key(child(p, 'maxLimitRequestRatio'), k), raw(ratio), `ratio ${qs(ratio)} is less than 1`));
  if (ratio && min && max) {
    const limit = Number(toMilli(max)) / Number(toMilli(min));
    if (Number(toMilli(ratio)) / 1000 > limit) errs.push(invalid(key(child(p, 'maxLimitRequestRatio'), k), raw(ratio), `ratio ${qs(ratio)} is greater than max/min = ${limit.toFixed(6)}`));
  }
  return errs;
}


