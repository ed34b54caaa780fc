/**
 * Validation of ValidatingAdmissionPolicy and ValidatingAdmissionPolicyBinding, as
 * ValidateValidatingAdmissionPolicy(Binding) in pkg/apis/admissionregistration/validation
 * word it. `compile` (the CEL seam) reports an expression that does not compile.
 */
import type { ValidatingAdmissionPolicy, ValidatingAdmissionPolicyBinding } from 'kubernetes-types/admissionregistration/v1.js';
import type { StatusCause } from '../../base/status.ts';
import { child, duplicate, forbidden, index, invalid, notSupported, required, type FieldPath } from '../validation/errors.ts';
import { validateLabelSelector } from '../validation/label-selector.ts';
import { validateObjectMeta, validateObjectMetaUpdate } from '../validation/meta.ts';
import { nameIsDNSSubdomain } from '../validation/names.ts';
import type { MatchResources } from './types.ts';
import { validateMatchConditions, validateRuleWithOperations } from './validate-rules.ts';

/** A CEL expression's compile error, or null. */
export type CelCompile = (expression: string) => string | null;

const FAILURE_POLICIES = ['Fail', 'Ignore'];
const MATCH_POLICIES = ['Equivalent', 'Exact'];
const ACTIONS = ['Audit', 'Deny', 'Warn'];
const REASONS = ['Forbidden', 'Invalid', 'RequestEntityTooLarge', 'Unauthorized'];

function validateMatchResources(m: MatchResources | undefined, path: FieldPath, requireRules: boolean): StatusCause[] {
  if (!m) return requireRules ? [required(path, '')] : [];
  const errs: StatusCause[] = [];
  if (m.matchPolicy !== undefined && !MATCH_POLICIES.includes(m.matchPolicy)) errs.push(notSupported(child(path, 'matchPolicy'), m.matchPolicy, MATCH_POLICIES));
  errs.push(...validateLabelSelector(m.namespaceSelector, child(path, 'namespaceSelector')));
  errs.push(...validateLabelSelector(m.objectSelector, child(path, 'objectSelector')));
  if (requireRules && !m.resourceRules?.length) errs.push(required(child(path, 'resourceRules'), ''));
  for (const [key, rules] of [['resourceRules', m.resourceRules], ['excludeResourceRules', m.excludeResourceRules]] as const) {
    for (const [i, r] of (rules ?? []).entries()) errs.push(...validateRuleWithOperations(r, index(child(path, key), i)));
  }
  return errs;
}

export function validatePolicy(p: ValidatingAdmissionPolicy, old?: ValidatingAdmissionPolicy, compile?: CelCompile): StatusCause[] {
  const errs = old ? validateObjectMetaUpdate(p.metadata, old.metadata) : validateObjectMeta(p.metadata, false, nameIsDNSSubdomain);
  const spec = p.spec ?? {};
  if (spec.paramKind) {
    if (!spec.paramKind.kind) errs.push(required(child('spec', 'paramKind', 'kind'), ''));
    if (!spec.paramKind.apiVersion) errs.push(required(child('spec', 'paramKind', 'apiVersion'), ''));
  }
  errs.push(...validateMatchResources(spec.matchConstraints as MatchResources | undefined, child('spec', 'matchConstraints'), true));
  if (spec.failurePolicy !== undefined && !FAILURE_POLICIES.includes(spec.failurePolicy)) errs.push(notSupported(child('spec', 'failurePolicy'), spec.failurePolicy, FAILURE_POLICIES));
  if (!spec.validations?.length && !spec.auditAnnotations?.length) errs.push(required(child('spec', 'validations'), 'validations or auditAnnotations must contain at least one item'));
  for (const [i, v] of (spec.validations ?? []).entries()) {
    const path = index(child('spec', 'validations'), i);
    if (!v.expression?.trim()) errs.push(required(child(path, 'expression'), ''));
    else {
      const problem = compile?.(v.expression);
      if (problem) errs.push(invalid(child(path, 'expression'), v.expression, `compilation failed: ${problem}`));
    }
    if (v.message !== undefined && v.message.trim() === '' && v.message !== '') errs.push(invalid(child(path, 'message'), v.message, 'message must be non-empty if specified'));
    if (v.message?.includes('\n')) errs.push(invalid(child(path, 'message'), v.message, 'message must not contain line breaks'));
    if (v.messageExpression !== undefined && v.messageExpression.trim() === '') errs.push(required(child(path, 'messageExpression'), 'messageExpression must be non-empty if specified'));
    else if (v.messageExpression) {
      const problem = compile?.(v.messageExpression);
      if (problem) errs.push(invalid(child(path, 'messageExpression'), v.messageExpression, `compilation failed: ${problem}`));
    }
    if (v.reason !== undefined && !REASONS.includes(v.reason)) errs.push(notSupported(child(path, 'reason'), v.reason, REASONS));
  }
  errs.push(...validateMatchConditions(spec.matchConditions, child('spec', 'matchConditions'), compile));
  const names = new Set<string>();
  for (const [i, v] of (spec.variables ?? []).entries()) {
    const path = index(child('spec', 'variables'), i);
    if (!v.name) errs.push(required(child(path, 'name'), ''));
    else if (names.has(v.name)) errs.push(duplicate(child(path, 'name'), v.name));
    names.add(v.name);
    if (!v.expression) errs.push(required(child(path, 'expression'), ''));
  }
  return errs;
}

export function validateBinding(b: ValidatingAdmissionPolicyBinding, old?: ValidatingAdmissionPolicyBinding): StatusCause[] {
  const errs = old ? validateObjectMetaUpdate(b.metadata, old.metadata) : validateObjectMeta(b.metadata, false, nameIsDNSSubdomain);
  const spec = b.spec ?? {};
  if (!spec.policyName) errs.push(required(child('spec', 'policyName'), ''));
  const ref = spec.paramRef;
  if (ref) {
    const p = child('spec', 'paramRef');
    if (ref.name && ref.selector) errs.push(forbidden(child(p, 'name'), 'name and selector are mutually exclusive'));
    if (!ref.name && !ref.selector) errs.push(required(p, 'one of name or selector must be specified'));
    if (!ref.parameterNotFoundAction) errs.push(required(child(p, 'parameterNotFoundAction'), ''));
    else if (!['Allow', 'Deny'].includes(ref.parameterNotFoundAction)) errs.push(notSupported(child(p, 'parameterNotFoundAction'), ref.parameterNotFoundAction, ['Allow', 'Deny']));
  }
  errs.push(...validateMatchResources(spec.matchResources as MatchResources | undefined, child('spec', 'matchResources'), false));
  const actions = spec.validationActions ?? [];
  const ap = child('spec', 'validationActions');
  if (actions.length === 0) errs.push(required(ap, 'at least one validation action is required'));
  const seen = new Set<string>();
  for (const [i, a] of actions.entries()) {
    if (!ACTIONS.includes(a)) errs.push(notSupported(index(ap, i), a, ACTIONS));
    if (seen.has(a)) errs.push(duplicate(index(ap, i), a));
    seen.add(a);
  }
  if (seen.has('Deny') && seen.has('Warn')) errs.push(invalid(ap, actions, 'must not contain both Deny and Warn (repeating the same validation failure information in the API response and headers serves no purpose)'));
  return errs;
}
