/**
 * The LimitRanger admission plugin's rules (plugin/pkg/admission/limitranger/admission.go),
 * pure: containers without a request or limit get the LimitRange's defaultRequest and default
 * (noted in the `kubernetes.io/limit-ranger` annotation), then every Container, Pod and
 * PersistentVolumeClaim item's min, max and maxLimitRequestRatio is checked with upstream's
 * messages.
 */
import type { Container, LimitRange, PersistentVolumeClaim, Pod } from 'kubernetes-types/core/v1.js';
import { formatQuantity, parseQuantity, toMilli, type Quantity } from '../quantity.ts';
import { podAggregate } from './pods.ts';
import { parseList, type Usage } from './resources.ts';

export const LIMIT_RANGER_ANNOTATION = 'kubernetes.io/limit-ranger';

const byName = (a: LimitRange, b: LimitRange) => (a.metadata?.name ?? '').localeCompare(b.metadata?.name ?? '');

/** The Container items' defaultRequest and default of one LimitRange (defaultContainerResourceRequirements). */
function containerDefaults(lr: LimitRange): { requests: Record<string, string>; limits: Record<string, string> } {
  const requests: Record<string, string> = {};
  const limits: Record<string, string> = {};
  for (const item of lr.spec?.limits ?? []) {
    if (item.type !== 'Container') continue;
    Object.assign(requests, item.defaultRequest ?? {});
    Object.assign(limits, item.default ?? {});
  }
  return { requests, limits };
}

function mergeContainer(c: Container, d: ReturnType<typeof containerDefaults>, what: string, notes: string[]): Container {
  const requests = { ...(c.resources?.requests ?? {}) };
  const limits = { ...(c.resources?.limits ?? {}) };
  const setRequests = Object.keys(d.requests).filter((k) => requests[k] === undefined).sort();
  const setLimits = Object.keys(d.limits).filter((k) => limits[k] === undefined).sort();
  for (const k of setRequests) requests[k] = d.requests[k]!;
  for (const k of setLimits) limits[k] = d.limits[k]!;
  if (setRequests.length) notes.push(`${setRequests.join(', ')} request for ${what} ${c.name}`);
  if (setLimits.length) notes.push(`${setLimits.join(', ')} limit for ${what} ${c.name}`);
  if (!setRequests.length && !setLimits.length) return c;
  return { ...c, resources: { ...c.resources, requests, limits } };
}

/** mergePodResourceRequirements for each LimitRange of the namespace: the pod with its defaults (the same object when none applies). */
export function defaultPodResources(pod: Pod, ranges: readonly LimitRange[]): Pod {
  let out = pod;
  for (const lr of [...ranges].sort(byName)) {
    const d = containerDefaults(lr);
    if (!Object.keys(d.requests).length && !Object.keys(d.limits).length) continue;
    const notes: string[] = [];
    const containers = (out.spec?.containers ?? []).map((c) => mergeContainer(c, d, 'container', notes));
    const initContainers = out.spec?.initContainers?.map((c) => mergeContainer(c, d, 'init container', notes));
    if (!notes.length) continue;
    const annotations = { ...out.metadata?.annotations, [LIMIT_RANGER_ANNOTATION]: `LimitRanger plugin set: ${notes.join('; ')}` };
    out = { ...out, metadata: { ...out.metadata, annotations }, spec: { ...out.spec!, containers, ...(initContainers ? { initContainers } : {}) } };
  }
  return out;
}

/** requestLimitEnforcedValues: compared in milli-units (exact here: quantities are big integers of nano-units). */
const milli = (q: Quantity | undefined): bigint => (q ? toMilli(q) : 0n);

function minConstraint(type: string, r: string, enforcedRaw: string, req: Usage, lim: Usage): string | null {
  const e = parseQuantity(enforcedRaw);
  if (!e.ok) return null;
  const enforced = formatQuantity(e.value);
  if (!req[r]) return `minimum ${r} usage per ${type} is ${enforced}.  No request is specified`;
  if (milli(req[r]) < milli(e.value)) return `minimum ${r} usage per ${type} is ${enforced}, but request is ${formatQuantity(req[r])}`;
  if (lim[r] && milli(lim[r]) < milli(e.value)) return `minimum ${r} usage per ${type} is ${enforced}, but limit is ${formatQuantity(lim[r])}`;
  return null;
}

function maxConstraint(type: string, r: string, enforcedRaw: string, req: Usage, lim: Usage): string | null {
  const e = parseQuantity(enforcedRaw);
  if (!e.ok) return null;
  const enforced = formatQuantity(e.value);
  if (!lim[r]) return `maximum ${r} usage per ${type} is ${enforced}.  No limit is specified`;
  if (milli(lim[r]) > milli(e.value)) return `maximum ${r} usage per ${type} is ${enforced}, but limit is ${formatQuantity(lim[r])}`;
  if (req[r] && milli(req[r]) > milli(e.value)) return `maximum ${r} usage per ${type} is ${enforced}, but request is ${formatQuantity(req[r])}`;
  return null;
}

/** maxRequestConstraint: a claim's max is checked against its request (it has no limit). */
function maxRequestConstraint(type: string, r: string, enforcedRaw: string, req: Usage): string | null {
  const e = parseQuantity(enforcedRaw);
  if (!e.ok) return null;
  const enforced = formatQuantity(e.value);
  if (!req[r]) return `maximum ${r} usage per ${type} is ${enforced}.  No request is specified`;
  if (milli(req[r]) > milli(e.value)) return `maximum ${r} usage per ${type} is ${enforced}, but request is ${formatQuantity(req[r])}`;
  return null;
}

function ratioConstraint(type: string, r: string, enforcedRaw: string, req: Usage, lim: Usage): string | null {
  const e = parseQuantity(enforcedRaw);
  if (!e.ok) return null;
  const enforced = formatQuantity(e.value);
  if (!req[r] || milli(req[r]) === 0n) return `${r} max limit to request ratio per ${type} is ${enforced}, but no request is specified or request is 0`;
  if (!lim[r] || milli(lim[r]) === 0n) return `${r} max limit to request ratio per ${type} is ${enforced}, but no limit is specified or limit is 0`;
  const observed = Number(milli(lim[r])) / Number(milli(req[r]));
  if (observed * 1000 > Number(milli(e.value))) return `${r} max limit to request ratio per ${type} is ${enforced}, but provided ratio is ${observed.toFixed(6)}`;
  return null;
}

type Item = NonNullable<LimitRange['spec']>['limits'][number];

function checkItem(item: Item, type: string, req: Usage, lim: Usage): string[] {
  const out: (string | null)[] = [];
  for (const r of Object.keys(item.min ?? {}).sort()) out.push(minConstraint(type, r, String(item.min![r]), req, lim));
  for (const r of Object.keys(item.max ?? {}).sort()) out.push(maxConstraint(type, r, String(item.max![r]), req, lim));
  for (const r of Object.keys(item.maxLimitRequestRatio ?? {}).sort()) out.push(ratioConstraint(type, r, String(item.maxLimitRequestRatio![r]), req, lim));
  return out.filter((m): m is string => m !== null);
}

/** PodValidateLimitFunc over every LimitRange: each container's and the pod's totals against the Container and Pod items. */
export function validatePodLimits(pod: Pod, ranges: readonly LimitRange[]): string[] {
  const errs: string[] = [];
  const containers = [...(pod.spec?.containers ?? []), ...(pod.spec?.initContainers ?? [])];
  for (const lr of [...ranges].sort(byName)) {
    for (const item of lr.spec?.limits ?? []) {
      if (item.type === 'Container') {
        for (const c of containers) errs.push(...checkItem(item, 'Container', parseList(c.resources?.requests), parseList(c.resources?.limits)));
      } else if (item.type === 'Pod') {
        errs.push(...checkItem(item, 'Pod', podAggregate(pod, 'requests'), podAggregate(pod, 'limits')));
      }
    }
  }
  return errs;
}

/** PersistentVolumeClaimValidateLimitFunc: the claim's requested storage against the PersistentVolumeClaim items' min and max. */
export function validateClaimLimits(pvc: PersistentVolumeClaim, ranges: readonly LimitRange[]): string[] {
  const errs: (string | null)[] = [];
  const req = parseList(pvc.spec?.resources?.requests);
  for (const lr of [...ranges].sort(byName)) {
    for (const item of lr.spec?.limits ?? []) {
      if (item.type !== 'PersistentVolumeClaim') continue;
      for (const r of Object.keys(item.min ?? {}).sort()) errs.push(minConstraint('PersistentVolumeClaim', r, String(item.min![r]), req, {}));
      for (const r of Object.keys(item.max ?? {}).sort()) errs.push(maxRequestConstraint('PersistentVolumeClaim', r, String(item.max![r]), req));
    }
  }
  return errs.filter((m): m is string => m !== null);
}
