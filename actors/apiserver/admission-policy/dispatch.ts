/**
 * The ValidatingAdmissionPolicy plugin: each binding (in name order) whose policy exists and
 * whose policy's matchConstraints and own matchResources select the request, and whose
 * policy's matchConditions hold, has its policy's validations evaluated in CEL (cel.ts) with
 * object, oldObject, request, params, namespaceObject and variables bound. A validation that
 * is false fails with its message (or messageExpression, or `failed expression: <expr>`);
 * one that errs fails under failurePolicy Fail and is skipped under Ignore. The binding's
 * validationActions decide: Deny refuses (upstream's text and the validation's reason), Warn
 * adds a warning, Audit is noted only in the audit log upstream (not kept here).
 */
import type { ValidatingAdmissionPolicy, ValidatingAdmissionPolicyBinding } from 'kubernetes-types/admissionregistration/v1.js';
import type { KubeObject } from '../../../base/object.ts';
import { fail, ok, type Result, type Status } from '../../../base/status.ts';
import { isExemptConfiguration, type AdmissionAttributes } from '../../../api/admission/attributes.ts';
import { policyDenied, policyWarning } from '../../../api/admission/errors.ts';
import { namespaceLabelsFor, resourcesMatch } from '../../../api/admission/matching.ts';
import type { MatchResources } from '../../../api/admission/types.ts';
import type { ServerContext } from '../context.ts';
import { objectStorageKey } from '../storage-keys.ts';
import type { Admitted } from '../webhooks/dispatch.ts';
import { evaluate } from './cel.ts';
import { paramsFor } from './params.ts';
import { requestVar } from './request.ts';

const POLICIES = 'validatingadmissionpolicies.admissionregistration.k8s.io';
const BINDINGS = 'validatingadmissionpolicybindings.admissionregistration.k8s.io';

/** One validation's failure: the message and reason to report. */
interface Failure {
  message: string;
  reason?: string;
}

/** The policies' verdict on `a`: a refusal, the warnings they add, or null when no binding applies. */
/** Whether any ValidatingAdmissionPolicyBinding is stored (none: no policy applies to anything). */
export function policiesConfigured(s: ServerContext): boolean {
  return (s.cache.resources.get(BINDINGS)?.items.size ?? 0) > 0;
}

export function validatingPolicies(s: ServerContext, a: AdmissionAttributes): Result<Admitted> | null {
  const bindings = s.cache.resources.get(BINDINGS)?.items;
  if (!bindings?.size || isExemptConfiguration(a)) return null;
  const namespace = a.namespaced ? s.cache.resources.get('namespaces')?.items.get(objectStorageKey('namespaces', undefined, a.namespace)) : undefined;
  const nsLabels = namespaceLabelsFor(a, () => namespace?.metadata?.labels);
  const warnings: string[] = [];
  let applied = false;
  const sorted = [...bindings.values()].sort((x, y) => ((x.metadata?.name ?? '') < (y.metadata?.name ?? '') ? -1 : 1)) as unknown as ValidatingAdmissionPolicyBinding[];
  for (const binding of sorted) {
    const policy = s.cache.resources.get(POLICIES)?.items.get(objectStorageKey(POLICIES, undefined, binding.spec?.policyName ?? '')) as unknown as ValidatingAdmissionPolicy | undefined;
    if (!policy?.spec) continue;
    if (!resourcesMatch(policy.spec.matchConstraints as MatchResources | undefined, a, nsLabels)) continue;
    if (binding.spec?.matchResources && !resourcesMatch(binding.spec.matchResources as MatchResources, a, nsLabels)) continue;
    applied = true;
    const refusal = evaluateBinding(s, a, policy, binding, namespace, warnings);
    if (refusal) return fail(refusal);
  }
  return applied ? ok({ warnings }) : null;
}

function evaluateBinding(s: ServerContext, a: AdmissionAttributes, policy: ValidatingAdmissionPolicy, binding: ValidatingAdmissionPolicyBinding, namespace: KubeObject | undefined, warnings: string[]): Status | null {
  const policyName = policy.metadata?.name ?? '';
  const bindingName = binding.metadata?.name ?? '';
  const actions = binding.spec?.validationActions ?? [];
  const failOpen = policy.spec?.failurePolicy === 'Ignore';
  const report = (f: Failure): Status | null => {
    if (actions.includes('Warn')) warnings.push(policyWarning(policyName, bindingName, f.message));
    return actions.includes('Deny') ? policyDenied(a, policyName, bindingName, f.message, f.reason) : null;
  };
  const params = paramsFor(s, a, policy, binding);
  if (!params.ok) return failOpen ? null : report({ message: params.error });
  for (const param of params.value) {
    const vars: Record<string, unknown> = {
      object: a.object ?? null,
      oldObject: a.oldObject ?? null,
      request: requestVar(a),
      params: param,
      namespaceObject: namespace ?? null,
    };
    const variables: Record<string, unknown> = {};
    vars.variables = variables;
    for (const v of policy.spec?.variables ?? []) {
      const r = evaluate(v.expression, vars);
      // A variable that errs fails the validations that use it: left out, they err in turn.
      if (r.ok) variables[v.name] = r.value;
    }
    for (const c of policy.spec?.matchConditions ?? []) {
      const r = evaluate(c.expression, vars);
      if (!r.ok) {
        if (failOpen) return null;
        return report({ message: `failed to evaluate match condition "${c.name}": ${r.error}` });
      }
      if (r.value !== true) return null;
    }
    for (const v of policy.spec?.validations ?? []) {
      const r = evaluate(v.expression, vars);
      if (!r.ok) {
        if (failOpen) continue;
        const refused = report({ message: `expression '${v.expression.trim()}' resulted in error: ${r.error}` });
        if (refused) return refused;
        continue;
      }
      if (r.value === true) continue;
      const refused = report({ message: messageOf(v, vars), ...(v.reason ? { reason: v.reason } : {}) });
      if (refused) return refused;
    }
  }
  return null;
}

/** messageExpression when it yields a non-empty string, else message, else `failed expression: <expr>`. */
function messageOf(v: { expression: string; message?: string; messageExpression?: string }, vars: Record<string, unknown>): string {
  if (v.messageExpression) {
    const r = evaluate(v.messageExpression, vars);
    if (r.ok && typeof r.value === 'string' && r.value.trim() !== '' && !r.value.includes('\n')) return r.value;
  }
  return v.message || `failed expression: ${v.expression.trim()}`;
}
