/** The `request` variable a policy's CEL sees: admission.k8s.io's AdmissionRequest for the attributes (no uid). */
import type { AdmissionAttributes } from '../../../api/admission/attributes.ts';
import { admissionReview } from '../../../api/admission/review.ts';

export function requestVar(a: AdmissionAttributes): Record<string, unknown> {
  const { request } = admissionReview(a, '') as { request: Record<string, unknown> };
  const { uid: _uid, object: _o, oldObject: _old, ...rest } = request;
  return rest;
}
