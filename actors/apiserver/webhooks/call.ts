/**
 * One webhook call as the apiserver makes it: the AdmissionReview built (api/admission/review.ts),
 * the client config resolved, the POST asked of the caller actor over the bus, and the answer
 * read — a verdict, or why the call failed (ErrCallingWebhook's reason, for failurePolicy).
 */
import type { ServerContext } from '../context.ts';
import type { AdmissionAttributes } from '../../../api/admission/attributes.ts';
import { admissionReview, readReviewResponse, reviewVersion, type Verdict } from '../../../api/admission/review.ts';
import { DEFAULT_TIMEOUT_SECONDS } from '../../../api/admission/defaults.ts';
import type { Webhook } from '../../../api/admission/types.ts';
import { WEBHOOK_CALLER_ADDRESS } from './caller.ts';
import { resolveTarget } from './resolve.ts';

export type CallOutcome = { ok: true; verdict: Verdict } | { ok: false; reason: string };

/** What a non-200 answer reads as, as client-go's rest client words it. */
export function httpFailure(code: number, body: unknown): string {
  const text = typeof body === 'string' ? body : body === undefined || body === null ? '' : JSON.stringify(body);
  if (!text) return `the server responded with the status code ${code} but did not return more information`;
  return `an error on the server (${JSON.stringify(text.length > 1024 ? text.slice(0, 1024) : text)}) has prevented the request from succeeding`;
}

export async function callWebhook(s: ServerContext, hook: Webhook, a: AdmissionAttributes, mutating: boolean): Promise<CallOutcome> {
  const version = reviewVersion(hook.admissionReviewVersions) ?? 'v1';
  const timeoutSeconds = hook.timeoutSeconds ?? DEFAULT_TIMEOUT_SECONDS;
  const target = resolveTarget(s, hook.clientConfig);
  const url = `${target.url}?timeout=${timeoutSeconds}s`;
  if (!target.ok) return { ok: false, reason: `failed to call webhook: Post "${url}": ${target.reason}` };
  const uid = s.newId();
  const body = admissionReview(a, uid, version);
  const caBundle = hook.clientConfig?.caBundle;
  const r = await s.port.request(
    WEBHOOK_CALLER_ADDRESS,
    'webhook.call',
    { url, timeoutSeconds, body, ...(caBundle ? { caBundle } : {}), ...(target.serverName ? { serverName: target.serverName } : {}) },
    // The caller's own timeout answers first; this only bounds a caller that is gone.
    { timeoutMs: (timeoutSeconds + 5) * 1000 },
  );
  if (!r.ok) return { ok: false, reason: `failed to call webhook: ${r.status.message}` };
  if (r.value.code !== 200) return { ok: false, reason: `failed to call webhook: ${httpFailure(r.value.code, r.value.body)}` };
  const read = readReviewResponse(r.value.body, uid, version, mutating);
  return read.ok ? { ok: true, verdict: read.verdict } : read;
}
