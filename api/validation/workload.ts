/**
 * Shared rules of the controllers' specs: the selector must be present, non-empty, valid, and
 * select the template's labels; counts are non-negative; intOrPercent values are well formed.
 */
import type { LabelSelector } from 'kubernetes-types/meta/v1.js';
import type { PodTemplateSpec } from 'kubernetes-types/core/v1.js';
import type { StatusCause } from '../../base/status.ts';
import { labelSelectorToSelector, matchesLabels } from '../selectors/labels.ts';
import { child, GoRaw, invalid, notSupported, required, type FieldPath } from './errors.ts';
import { goLabelSelector, validateLabelSelector } from './label-selector.ts';
import { validatePodTemplateSpec } from './pod.ts';

/** The selector as a bad value, printed as Kubernetes prints it. */
export const selectorValue = (sel: LabelSelector | undefined): GoRaw => new GoRaw(goLabelSelector(sel));

const goLabels = (labels: Record<string, string> | undefined): unknown => labels ?? new GoRaw('map[string]string(nil)');

/**
 * Selector + template checks of Deployment/ReplicaSet/DaemonSet/StatefulSet specs. `what`
 * names the kind in "empty selector is invalid for <what>".
 */
export function validateSelectorAndTemplate(
  sel: LabelSelector | undefined,
  template: PodTemplateSpec | undefined,
  path: FieldPath,
  what: string,
  restartPolicies: readonly string[] = ['Always'],
): StatusCause[] {
  const errs: StatusCause[] = [];
  const sp = child(path, 'selector');
  if (!sel) errs.push(required(sp));
  else {
    errs.push(...validateLabelSelector(sel, sp));
    if (Object.keys(sel.matchLabels ?? {}).length + (sel.matchExpressions ?? []).length === 0) {
      errs.push(invalid(sp, selectorValue(sel), `empty selector is invalid for ${what}`));
    }
  }
  const tp = child(path, 'template');
  if (!template) return [...errs, required(tp)];
  const parsed = labelSelectorToSelector(sel);
  if (!parsed.ok) errs.push(invalid(sp, selectorValue(sel), 'invalid label selector'));
  else if (parsed.value && parsed.value.length > 0 && !matchesLabels(parsed.value, template.metadata?.labels)) {
    errs.push(invalid(child(tp, 'metadata', 'labels'), goLabels(template.metadata?.labels), '`selector` does not match template `labels`'));
  }
  errs.push(...validatePodTemplateSpec(template, tp));
  const rp = template.spec?.restartPolicy;
  if (template.spec && rp && !restartPolicies.includes(rp)) {
    errs.push(notSupported(child(tp, 'spec', 'restartPolicy'), rp, restartPolicies));
  }
  return errs;
}

/** ValidatePositiveIntOrPercent + IsNotMoreThan100Percent. */
export function validateIntOrPercent(v: number | string | undefined, path: FieldPath): StatusCause[] {
  if (v === undefined) return [];
  if (typeof v === 'number') return v < 0 ? [invalid(path, v, 'must be greater than or equal to 0')] : [];
  const m = /^(\d+)%$/.exec(v);
  if (!m) return [invalid(path, v, "a valid percent string must be a numeric string followed by an ending '%' (e.g. '1%',  or '93%', regex used for validation is '[0-9]+%')")];
  return Number(m[1]) > 100 ? [invalid(path, v, 'must not be greater than 100%')] : [];
}

/** True when an intOrPercent is zero ("0%" or 0). */
export const isZero = (v: number | string | undefined): boolean => v === 0 || v === '0%' || v === undefined;
