/**
 * The filter of a list or watch: label selector and field selector, parsed once per request
 * through api/selectors and checked against the kind's supported field labels.
 *
 * The predicate also carries the selector's exact-match field terms (`exact`), so the
 * watcher set can index watches by them (Kubernetes' watch cache indexes spec.nodeName
 * for pods, and metadata.name / metadata.namespace for every kind) and hand an event only
 * to the watches that can match it.
 */
import type { KubeObject, ListOptions } from '../../bus/catalogue/api.ts';
import { ok, type Result } from '../../base/status.ts';
import { matchesLabels, parseLabelSelector } from '../../api/selectors/labels.ts';
import { matchesFields, parseFieldSelectorFor, type FieldSelector } from '../../api/selectors/fields.ts';
import { kindRegistry } from '../../api/kinds.ts';
import type { ObjectFilter } from './watchers.ts';
import type { ResourceInfo } from './resources.ts';

/** An `f=v` (or `f==v`) term of a field selector: every object the filter passes has `fieldValue(obj, f) === v`. */
export interface ExactField {
  field: string;
  value: string;
}

/** A filter that may know exact-match field terms it implies. */
export type IndexedFilter = ObjectFilter & { readonly exact?: readonly ExactField[] };

export const matchAll: ObjectFilter = () => true;

/** The `=` / `==` terms of a field selector. */
export function exactFields(fs: FieldSelector): ExactField[] {
  const out: ExactField[] = [];
  for (const r of fs) if (r.operator !== '!=') out.push({ field: r.field, value: r.value });
  return out;
}

/** The predicate for `opts` on `res`; a 400 BadRequest Status for a malformed selector or an unsupported field label. */
export function buildFilter(res: ResourceInfo, opts: ListOptions | undefined): Result<IndexedFilter> {
  const ltext = opts?.labelSelector?.trim() ?? '';
  const ftext = opts?.fieldSelector?.trim() ?? '';
  if (!ltext && !ftext) return ok(matchAll);
  const labels = parseLabelSelector(ltext);
  if (!labels.ok) return labels;
  const kind = kindRegistry.get(res.gr);
  const fields = parseFieldSelectorFor(ftext, kind?.fieldLabels ?? []);
  if (!fields.ok) return fields;
  const ls = labels.value;
  const fs = fields.value;
  const valueOf = kind?.fieldValue;
  let f: ObjectFilter;
  if (fs.length === 0) f = (obj: KubeObject) => matchesLabels(ls, obj.metadata?.labels);
  else if (ls.length === 0) f = (obj: KubeObject) => matchesFields(fs, obj, valueOf);
  else f = (obj: KubeObject) => matchesLabels(ls, obj.metadata?.labels) && matchesFields(fs, obj, valueOf);
  const exact = exactFields(fs);
  return ok(exact.length > 0 ? Object.assign(f, { exact }) : f);
}

/** True when the options select by label or field (Kubernetes then leaves remainingItemCount unset). */
export function hasSelector(opts: ListOptions | undefined): boolean {
  return Boolean(opts?.labelSelector?.trim() || opts?.fieldSelector?.trim());
}

/**
 * The one object's name a selector pins (metadata.name=x) where the namespace is pinned too (or
 * the kind has none), so a list or watch need read that key alone, as upstream's
 * SelectionPredicate.MatchesSingle lets its storage do: every kubelet lists and watches its own
 * Node so, and 5,000 of them scanning 5,000 Nodes each held registration up for 40 s.
 */
export function singleName(res: ResourceInfo, namespace: string | undefined, filter: IndexedFilter): string | undefined {
  return !res.namespaced || namespace ? filter.exact?.find((e) => e.field === 'metadata.name')?.value : undefined;
}
