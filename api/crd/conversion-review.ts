/**
 * The ConversionReview exchange with a CRD's conversion webhook, as apiextensions-apiserver's
 * webhookConverter has it: the review version picked from conversionReviewVersions, the
 * request {uid, desiredAPIVersion, objects}, and the checks on the answer (the uid echoed,
 * result Success, as many objects as sent, each at the desired apiVersion, of the same kind
 * and with the same name, namespace and uid; metadata other than labels and annotations
 * restored from the original), each failure worded as upstream words it. Pure functions.
 */
import { fail, ok, status, type Result, type Status } from '../../base/status.ts';
import type { KubeObject } from '../../base/object.ts';
import { isObject, type JsonObject } from '../json.ts';

/** The ConversionReview versions this apiserver speaks, in its order of preference. */
export const CONVERSION_REVIEW_VERSIONS = ['v1', 'v1beta1'] as const;

/** Upstream's conversion webhooks have a fixed timeout of 30 s. */
export const CONVERSION_TIMEOUT_SECONDS = 30;

/** The first of the webhook's conversionReviewVersions this apiserver speaks (upstream: the webhook's order wins). */
export function conversionReviewVersion(versions: readonly string[] | undefined): string | undefined {
  return (versions ?? []).find((v) => (CONVERSION_REVIEW_VERSIONS as readonly string[]).includes(v));
}

/** `example.com/v1, Kind=Widget`: a GroupVersionKind as Go's String() prints it. */
export const gvkString = (apiVersion: string, kind: string): string => `${apiVersion}, Kind=${kind}`;

/** Upstream's conversion failures: a plain error, which kube-apiserver answers 500 with no reason. */
export const conversionFailure = (message: string): Status => status(500, '', message);

/** The ConversionReview to POST. */
export function conversionReview(uid: string, desiredAPIVersion: string, objects: readonly KubeObject[], reviewVersion: string): JsonObject {
  return { apiVersion: `apiextensions.k8s.io/${reviewVersion}`, kind: 'ConversionReview', request: { uid, desiredAPIVersion, objects: objects as unknown as JsonObject[] } };
}

function sameIdentity(a: KubeObject, b: KubeObject): string | undefined {
  const am = a.metadata ?? {};
  const bm = (b.metadata ?? {}) as typeof am;
  if (a.kind !== b.kind) return `must have the same kind: ${a.kind} != ${b.kind}`;
  if ((am.name ?? '') !== (bm.name ?? '')) return `must have the same name: ${am.name ?? ''} != ${bm.name ?? ''}`;
  if ((am.namespace ?? '') !== (bm.namespace ?? '')) return `must have the same namespace: ${am.namespace ?? ''} != ${bm.namespace ?? ''}`;
  if ((am.uid ?? '') !== (bm.uid ?? '')) return `must have the same UID: ${am.uid ?? ''} != ${bm.uid ?? ''}`;
  return undefined;
}

/** The original's metadata with the converted labels and annotations (restoreObjectMeta): a webhook may change nothing else there. */
function restoreMeta(original: KubeObject, converted: KubeObject): KubeObject {
  const meta: Record<string, unknown> = { ...(original.metadata ?? {}) };
  const cm = (converted.metadata ?? {}) as Record<string, unknown>;
  for (const k of ['labels', 'annotations']) {
    if (cm[k] === undefined) delete meta[k];
    else meta[k] = cm[k];
  }
  return { ...converted, metadata: meta } as KubeObject;
}

/**
 * The converted objects read from the webhook's answer to `sent`, or the Status upstream
 * answers (`conversion webhook for <gvk> failed: ...`). `gvk` names what was converted (the
 * original objects' version and kind).
 */
export function readConversionResponse(body: unknown, uid: string, desiredAPIVersion: string, sent: readonly KubeObject[], gvk: string): Result<KubeObject[]> {
  const failed = (why: string) => fail<KubeObject[]>(conversionFailure(`conversion webhook for ${gvk} failed: ${why}`));
  if (!isObject(body)) return failed(`the server responded with an invalid ConversionReview (${typeof body === 'string' ? JSON.stringify(body.slice(0, 256)) : String(body)})`);
  const response = body.response;
  if (!isObject(response)) return failed('no response provided');
  if (response.uid !== uid) return failed(`expected response.uid=${JSON.stringify(uid)}, got ${JSON.stringify(response.uid ?? '')}`);
  const result = isObject(response.result) ? response.result : {};
  if (result.status !== 'Success') {
    if (typeof result.message === 'string' && result.message) return failed(result.message);
    return failed(`response.result.status was '${typeof result.status === 'string' ? result.status : ''}', not 'Success'`);
  }
  const converted = Array.isArray(response.convertedObjects) ? response.convertedObjects : [];
  if (converted.length !== sent.length) {
    return fail(conversionFailure(`conversion webhook for ${gvk} returned ${converted.length} objects, expected ${sent.length}`));
  }
  const out: KubeObject[] = [];
  for (let i = 0; i < converted.length; i++) {
    const invalid = (why: string) => fail<KubeObject[]>(conversionFailure(`conversion webhook for ${gvk} returned invalid converted object at index ${i}: ${why}`));
    const c = converted[i];
    if (!isObject(c)) return invalid('invalid object');
    const o = c as unknown as KubeObject;
    if (o.apiVersion !== desiredAPIVersion) return invalid(`invalid groupVersion (expected ${desiredAPIVersion}, received ${o.apiVersion ?? ''})`);
    const original = sent[i]!;
    if (o.kind !== original.kind) return invalid(`invalid kind (expected ${original.kind}, received ${o.kind ?? ''})`);
    const why = sameIdentity(original, o);
    if (why) return invalid(why);
    out.push(restoreMeta(original, o));
  }
  return ok(out);
}
