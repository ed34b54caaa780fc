/**
 * `api.convert`: custom resources converted as their CRD's `spec.conversion` says. For
 * `Webhook`, one ConversionReview per batch (the front sends a list page's items together,
 * as upstream's converter does) posted through the admission webhooks' caller (the same
 * HTTPS client, caBundle trust and Service resolution, and recorded for replay); the answer
 * is checked by api/crd/conversion-review.ts. Anything else rewrites apiVersion (`None`).
 */
import { fail, notFound, ok, type Result } from '../../base/status.ts';
import type { KubeObject } from '../../bus/catalogue/api.ts';
import type { PayloadOf } from '../../bus/catalogue/index.ts';
import type { CustomResourceDefinition } from '../../api/crd/types.ts';
import { rewriteConverter } from '../../api/conversion/converter.ts';
import { CONVERSION_REVIEW_VERSIONS, CONVERSION_TIMEOUT_SECONDS, conversionFailure, conversionReview, conversionReviewVersion, gvkString, readConversionResponse } from '../../api/crd/conversion-review.ts';
import type { ServerContext } from './context.ts';
import { WEBHOOK_CALLER_ADDRESS } from './webhooks/caller.ts';
import { httpFailure } from './webhooks/call.ts';
import { resolveTarget } from './webhooks/resolve.ts';

const CRDS = 'customresourcedefinitions.apiextensions.k8s.io';

export async function convertObjects(s: ServerContext, p: PayloadOf<'api.convert'>): Promise<Result<{ objects: KubeObject[] }>> {
  const name = `${p.resource}.${p.group}`;
  const crd = s.cache.object(CRDS, undefined, name) as unknown as CustomResourceDefinition | undefined;
  if (!crd) return fail(notFound(CRDS, name));
  const objects = p.objects as KubeObject[];
  const conversion = crd.spec.conversion;
  if (conversion?.strategy !== 'Webhook') {
    const r = await rewriteConverter.convert(objects, p.apiVersion);
    return r.ok ? ok({ objects: r.value }) : r;
  }
  // Upstream names the objects' own version and kind; a batch converts from one version.
  const first = objects[0];
  const gvk = gvkString(first?.apiVersion ?? p.apiVersion, first?.kind ?? crd.spec.names.kind);
  const webhook = conversion.webhook;
  const version = conversionReviewVersion(webhook?.conversionReviewVersions);
  if (!version) return fail(conversionFailure(`conversion webhook for ${gvk} failed: webhook does not accept known ConversionReview versions (${CONVERSION_REVIEW_VERSIONS.join(', ')})`));
  const target = resolveTarget(s, webhook?.clientConfig);
  const url = `${target.url}?timeout=${CONVERSION_TIMEOUT_SECONDS}s`;
  const failed = (why: string) => fail<{ objects: KubeObject[] }>(conversionFailure(`conversion webhook for ${gvk} failed: ${why}`));
  if (!target.ok) return failed(`Post "${url}": ${target.reason}`);
  const uid = s.newId();
  const caBundle = webhook?.clientConfig?.caBundle;
  const r = await s.port.request(
    WEBHOOK_CALLER_ADDRESS,
    'webhook.call',
    { url, timeoutSeconds: CONVERSION_TIMEOUT_SECONDS, body: conversionReview(uid, p.apiVersion, objects, version), ...(caBundle ? { caBundle } : {}), ...(target.serverName ? { serverName: target.serverName } : {}) },
    // The caller's own timeout answers first; this only bounds a caller that is gone.
    { timeoutMs: (CONVERSION_TIMEOUT_SECONDS + 5) * 1000 },
  );
  if (!r.ok) return failed(r.status.message);
  if (r.value.code !== 200) return failed(httpFailure(r.value.code, r.value.body));
  const read = readConversionResponse(r.value.body, uid, p.apiVersion, objects, gvk);
  return read.ok ? ok({ objects: read.value }) : read;
}
