/**
 * ValidatePodUpdate's spec rule: a running pod's spec is frozen except for container images,
 * activeDeadlineSeconds, added tolerations and a negative grace period becoming 1.
 */
import type { PodSpec } from 'kubernetes-types/core/v1.js';
import type { StatusCause } from '../../base/status.ts';
import { clone, deepEqual, isObject } from '../json.ts';
import { forbidden } from './errors.ts';

export const UPDATABLE_POD_SPEC_FIELDS = [
  '`spec.containers[*].image`',
  '`spec.initContainers[*].image`',
  '`spec.activeDeadlineSeconds`',
  '`spec.tolerations` (only additions to existing tolerations)',
  '`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)',
];

/** Lists the paths where two JSON values differ: a stand-in for Go's cmp.Diff output. */
export function diffPaths(a: unknown, b: unknown, path = 'spec'): string[] {
  if (deepEqual(a, b)) return [];
  if (Array.isArray(a) && Array.isArray(b) && a.length === b.length) return a.flatMap((v, i) => diffPaths(v, b[i], `${path}[${i}]`));
  if (isObject(a) && isObject(b)) {
    return [...new Set([...Object.keys(a), ...Object.keys(b)])].sort().flatMap((k) => diffPaths(a[k], b[k], `${path}.${k}`));
  }
  return [`${path}: ${JSON.stringify(a)} -> ${JSON.stringify(b)}`];
}

export function validatePodSpecUpdate(spec: PodSpec | undefined, old: PodSpec | undefined): StatusCause[] {
  if (!spec || !old) return [];
  const munged = clone(spec);
  for (const list of ['containers', 'initContainers'] as const) {
    const olds = old[list] ?? [];
    const news = munged[list] ?? [];
    if (olds.length !== news.length) continue;
    news.forEach((c, i) => {
      const o = olds[i];
      if (o) {
        if (o.image === undefined) delete c.image;
        else c.image = o.image;
      }
    });
  }
  // activeDeadlineSeconds may be set, or lowered, never removed or raised
  const ad = spec.activeDeadlineSeconds;
  const oad = old.activeDeadlineSeconds;
  if (ad !== undefined && (oad === undefined || ad <= oad)) {
    if (oad === undefined) delete munged.activeDeadlineSeconds;
    else munged.activeDeadlineSeconds = oad;
  }
  const oldTol = old.tolerations ?? [];
  if (oldTol.every((t) => (spec.tolerations ?? []).some((n) => deepEqual(n, t)))) {
    if (old.tolerations === undefined) delete munged.tolerations;
    else munged.tolerations = old.tolerations;
  }
  const grace = old.terminationGracePeriodSeconds;
  if (grace !== undefined && grace < 0 && spec.terminationGracePeriodSeconds === 1) munged.terminationGracePeriodSeconds = grace;
  if (deepEqual(munged, old)) return [];
  const diff = diffPaths(old, munged).join('\n');
  return [forbidden('spec', `pod updates may not change fields other than ${UPDATABLE_POD_SPEC_FIELDS.join(',')}\n${diff}`)];
}
