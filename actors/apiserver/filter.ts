/**
 * The filter of a list or watch: label selector and field selector, parsed once per request
 * through api/selectors and checked against the kind's supported field labels.
 */
import type { KubeObject, ListOptions } from '../../bus/catalogue/api.ts';
import { ok, type Result } from '../../bus/status.ts';
import { matchesLabels, parseLabelSelector } from '../../api/selectors/labels.ts';
import { matchesFields, parseFieldSelectorFor } from '../../api/selectors/fields.ts';
import type { ObjectFilter } from './watchers.ts';
import type { ResourceInfo } from './resources.ts';

export const matchAll: ObjectFilter = () => true;

/** The predicate for `opts` on `res`; a 400 BadRequest Status for a malformed selector or an unsupported field label. */
export function buildFilter(res: ResourceInfo, opts: ListOptions | undefined): Result<ObjectFilter> {
  const ltext = opts?.labelSelector?.trim() ?? '';
  const ftext = opts?.fieldSelector?.trim() ?? '';
  if (!ltext && !ftext) return ok(matchAll);
  const labels = parseLabelSelector(ltext);
  if (!labels.ok) return labels;
  const fields = parseFieldSelectorFor(ftext, res.group, res.kind);
  if (!fields.ok) return fields;
  const ls = labels.value;
  const fs = fields.value;
  return ok((obj: KubeObject) => (ls.length === 0 || matchesLabels(ls, obj.metadata?.labels)) && (fs.length === 0 || matchesFields(fs, obj)));
}

/** True when the options select by label or field (Kubernetes then leaves remainingItemCount unset). */
export function hasSelector(opts: ListOptions | undefined): boolean {
  return Boolean(opts?.labelSelector?.trim() || opts?.fieldSelector?.trim());
}
