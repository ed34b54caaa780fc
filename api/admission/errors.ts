/**
 * How admission refusals and failures read, as upstream words them: a webhook's denial
 * (webhookerrors.ToStatusErr), a failed call under failurePolicy Fail (ErrCallingWebhook
 * inside an InternalError), and a policy's denial (the validating admission policy plugin).
 */
import { internalError, status, type Status, type StatusDetails, type StatusReason } from '../../base/status.ts';
import type { Refusal } from './review.ts';

/** `admission webhook "<name>" denied the request: <message>`, with the webhook's code (at least 400) and reason. */
export function webhookDenied(name: string, r: Refusal): Status {
  const deniedBy = `admission webhook "${name}" denied the request`;
  const message = r.message ? `${deniedBy}: ${r.message}` : r.reason ? `${deniedBy}: ${r.reason}` : `${deniedBy} without explanation`;
  const code = typeof r.code === 'number' && r.code >= 400 ? r.code : 400;
  const s = status(code, (r.reason ?? '') as StatusReason, message);
  if (r.details && typeof r.details === 'object') s.details = r.details as StatusDetails;
  return s;
}

/** ErrCallingWebhook's text. */
const callingWebhookError = (name: string, reason: string): string => `failed calling webhook "${name}": ${reason}`;

/** A failed call refused under failurePolicy Fail: `Internal error occurred: failed calling webhook "<name>": …`. */
export function webhookCallFailed(name: string, reason: string): Status {
  const msg = callingWebhookError(name, reason);
  const s = internalError(msg);
  s.details = { causes: [{ message: msg }] };
  return s;
}

/** The HTTP status code and reason a policy validation's `reason` stands for (Forbidden by default). */
const REASON_CODES: Record<string, number> = { Unauthorized: 401, Forbidden: 403, Invalid: 422, RequestEntityTooLarge: 413 };

/**
 * A policy's denial: `<resource> "<name>" is forbidden: ValidatingAdmissionPolicy '<policy>'
 * with binding '<binding>' denied request: <message>` (admission.NewForbidden's text), with
 * the validation's reason and its code — Invalid (422) when it names none.
 */
export function policyDenied(a: { group: string; resource: string; name: string }, policy: string, binding: string, message: string, reason = 'Invalid'): Status {
  const what = a.group ? `${a.resource}.${a.group}` : a.resource;
  const text = `ValidatingAdmissionPolicy '${policy}' with binding '${binding}' denied request: ${message}`;
  return status(REASON_CODES[reason] ?? 422, reason as StatusReason, `${what}${a.name ? ` "${a.name}"` : ''} is forbidden: ${text}`, {
    kind: a.resource,
    ...(a.name ? { name: a.name } : {}),
    ...(a.group ? { group: a.group } : {}),
    causes: [{ message: text }],
  });
}

/** The warning a policy's Warn action adds: `Validation failed for ValidatingAdmissionPolicy '<p>' with binding '<b>': <message>`. */
export const policyWarning = (policy: string, binding: string, message: string): string =>
  `Validation failed for ValidatingAdmissionPolicy '${policy}' with binding '${binding}': ${message}`;
