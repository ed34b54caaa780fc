/**
 * AdmissionReview v1 (admission.k8s.io): the request the apiserver posts to a webhook and
 * what it makes of the answer — pure, so the HTTPS call (an effect) only carries bytes.
 * The checks on the response are upstream's VerifyAdmissionResponse; a response that fails
 * them is a failed call (subject to failurePolicy), a refusal is a denial.
 */
import type { KubeObject } from '../../base/object.ts';
import { isObject } from '../json.ts';
import { applyJsonPatch } from '../patch/json.ts';
import type { AdmissionAttributes } from './attributes.ts';
import { ACCEPTED_REVIEW_VERSIONS } from './validate-webhooks.ts';

export const ADMISSION_GROUP = 'admission.k8s.io';

/** The AdmissionReview version to send: the first of the webhook's list the apiserver speaks. */
export function reviewVersion(versions: readonly string[] | undefined): string | undefined {
  return (versions ?? []).find((v) => ACCEPTED_REVIEW_VERSIONS.includes(v));
}

const OPTIONS_KIND = { CREATE: 'CreateOptions', UPDATE: 'UpdateOptions', DELETE: 'DeleteOptions', CONNECT: undefined } as const;

/** The AdmissionReview a webhook is sent for `a` (`uid` identifies this call; the response must echo it). */
export function admissionReview(a: AdmissionAttributes, uid: string, version = 'v1'): Record<string, unknown> {
  const kind = { group: a.group, version: a.version, kind: a.kind };
  const resource = { group: a.group, version: a.version, resource: a.resource };
  const optionsKind = OPTIONS_KIND[a.operation];
  const request: Record<string, unknown> = {
    uid,
    kind,
    resource,
    ...(a.subresource ? { subResource: a.subresource } : {}),
    requestKind: kind,
    requestResource: resource,
    ...(a.subresource ? { requestSubResource: a.subresource } : {}),
    ...(a.name ? { name: a.name } : {}),
    ...(a.namespace ? { namespace: a.namespace } : {}),
    operation: a.operation,
    userInfo: a.user,
    object: a.object ?? null,
    oldObject: a.oldObject ?? null,
    dryRun: a.dryRun,
    options: optionsKind ? { kind: optionsKind, apiVersion: 'meta.k8s.io/v1', ...(a.fieldManager && a.operation !== 'DELETE' ? { fieldManager: a.fieldManager } : {}) } : null,
  };
  return { apiVersion: `${ADMISSION_GROUP}/${version}`, kind: 'AdmissionReview', request };
}

/** A webhook's refusal, as it put it in response.status. */
export interface Refusal {
  code?: number;
  reason?: string;
  message?: string;
  details?: unknown;
}

/** What a webhook answered: allowed (with a JSON patch for mutating ones) or refused; warnings either way. */
export type Verdict =
  | { allowed: true; patch?: unknown[]; warnings: string[]; auditAnnotations: Record<string, string> }
  | { allowed: false; refusal: Refusal; warnings: string[]; auditAnnotations: Record<string, string> };

/** A webhook's answer read, or why it is no valid answer (worded as upstream's errors). */
export type ReadResult = { ok: true; verdict: Verdict } | { ok: false; reason: string };

const invalidResponse = (why: string): ReadResult => ({ ok: false, reason: `received invalid webhook response: ${why}` });

/** Reads the body of a webhook's 200 answer to the review `uid` of `version`. */
export function readReviewResponse(body: unknown, uid: string, version: string, mutating: boolean): ReadResult {
  if (!isObject(body)) return invalidResponse('the response is not a JSON object');
  const want = `${ADMISSION_GROUP}/${version}`;
  if (body.apiVersion !== want || body.kind !== 'AdmissionReview') {
    return invalidResponse(`expected webhook response of ${want}, Kind=AdmissionReview, got ${String(body.apiVersion ?? '')}, Kind=${String(body.kind ?? '')}`);
  }
  const r = body.response;
  if (!isObject(r)) return invalidResponse('webhook response was absent');
  if (r.uid !== uid) return invalidResponse(`expected response.uid="${uid}", got "${String(r.uid ?? '')}"`);
  const warnings = Array.isArray(r.warnings) ? r.warnings.filter((w): w is string => typeof w === 'string' && w.trim() !== '') : [];
  const auditAnnotations = isObject(r.auditAnnotations) ? (Object.fromEntries(Object.entries(r.auditAnnotations).filter(([, v]) => typeof v === 'string')) as Record<string, string>) : {};
  const hasPatch = typeof r.patch === 'string' && r.patch !== '';
  const patchType = typeof r.patchType === 'string' ? r.patchType : '';
  if (r.allowed !== true) return { ok: true, verdict: { allowed: false, refusal: isObject(r.status) ? (r.status as Refusal) : {}, warnings, auditAnnotations } };
  if (!mutating && (hasPatch || patchType)) return invalidResponse('validating webhooks may not return response.patch or response.patchType');
  if (hasPatch && !patchType) return invalidResponse('webhook returned response.patch but not response.patchType');
  if (patchType && !hasPatch) return invalidResponse('webhook returned response.patchType but not response.patch');
  if (patchType && patchType !== 'JSONPatch') return invalidResponse(`webhook returned invalid response.patchType of "${patchType}"`);
  if (!hasPatch) return { ok: true, verdict: { allowed: true, warnings, auditAnnotations } };
  let patch: unknown;
  try {
    patch = JSON.parse(Buffer.from(r.patch as string, 'base64').toString('utf8'));
  } catch (e) {
    return invalidResponse(`response.patch is not a base64-encoded JSON patch: ${e instanceof Error ? e.message : String(e)}`);
  }
  if (!Array.isArray(patch)) return invalidResponse('response.patch is not a JSON patch (a list of operations)');
  return { ok: true, verdict: { allowed: true, patch, warnings, auditAnnotations } };
}

/** The object after a webhook's JSON patch, or why it could not be applied. */
export function applyReviewPatch(obj: KubeObject, patch: unknown[]): { ok: true; object: KubeObject } | { ok: false; reason: string } {
  const r = applyJsonPatch(obj, patch);
  if (!r.ok) return { ok: false, reason: `JSON Patch: ${r.status.message}` };
  if (!isObject(r.value)) return { ok: false, reason: 'JSON Patch: the patched object is not an object' };
  return { ok: true, object: r.value as KubeObject };
}
