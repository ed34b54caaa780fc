/** metav1validation.ValidateLabelSelector: the object form used in workload specs. */
import type { LabelSelector } from 'kubernetes-types/meta/v1.js';
import type { StatusCause } from '../../base/status.ts';
import { child, forbidden, index, invalid, required, type FieldPath } from './errors.ts';
import { validateLabelName, validateLabels } from './meta.ts';
import { isValidLabelValue } from './names.ts';

export function validateLabelSelector(sel: LabelSelector | undefined, path: FieldPath): StatusCause[] {
  if (!sel) return [];
  const errs = validateLabels(sel.matchLabels, child(path, 'matchLabels'));
  for (const [i, e] of (sel.matchExpressions ?? []).entries()) {
    const p = index(child(path, 'matchExpressions'), i);
    const values = e.values ?? [];
    switch (e.operator) {
      case 'In': case 'NotIn':
        if (values.length === 0) errs.push(required(child(p, 'values'), "must be specified when `operator` is 'In' or 'NotIn'"));
        break;
      case 'Exists': case 'DoesNotExist':
        if (values.length > 0) errs.push(forbidden(child(p, 'values'), "may not be specified when `operator` is 'Exists' or 'DoesNotExist'"));
        break;
      default:
        errs.push(invalid(child(p, 'operator'), e.operator ?? '', 'not a valid selector operator'));
    }
    // A missing key is Go's zero value, "": invalid, not a crash.
    errs.push(...validateLabelName(e.key ?? '', child(p, 'key')));
    for (const [j, v] of values.entries()) for (const m of isValidLabelValue(v)) errs.push(invalid(index(child(p, 'values'), j), v, m));
  }
  return errs;
}

/** A LabelSelector printed as Go's %#v prints metav1.LabelSelector in field errors. */
export function goLabelSelector(sel: LabelSelector | undefined): string {
  if (!sel) return 'null';
  const keys = Object.keys(sel.matchLabels ?? {}).sort();
  const labels = sel.matchLabels ? `map[string]string{${keys.map((k) => `${JSON.stringify(k)}:${JSON.stringify(sel.matchLabels?.[k])}`).join(', ')}}` : 'map[string]string(nil)';
  const exprs = sel.matchExpressions
    ? `[]v1.LabelSelectorRequirement{${sel.matchExpressions.map((e) => `v1.LabelSelectorRequirement{Key:${JSON.stringify(e.key)}, Operator:${JSON.stringify(e.operator)}, Values:${e.values ? `[]string{${e.values.map((v) => JSON.stringify(v)).join(', ')}}` : '[]string(nil)'}}`).join(', ')}}`
    : '[]v1.LabelSelectorRequirement(nil)';
  return `v1.LabelSelector{MatchLabels:${labels}, MatchExpressions:${exprs}}`;
}
