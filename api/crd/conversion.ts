/**
 * Conversion of custom resources between a CRD's versions: the one place the CRD's
 * `spec.conversion.strategy` is chosen. `None` rewrites apiVersion and keeps every field (as
 * apiextensions-apiserver's nopConverter); `Webhook` answers a clear error until webhook
 * conversion (a ConversionReview to the CRD's HTTPS service) is built here.
 */
import { fail, internalError, ok, type Result } from '../../base/status.ts';
import type { KubeObject } from '../kinds/info.ts';
import { parseApiVersion } from '../kinds/key.ts';

/** What conversion needs of a CRD. */
export interface ConversionSpec {
  readonly group: string;
  readonly kind: string;
  readonly strategy: string;
}

/** `obj` at `toVersion` of the CRD's group (a new object; the same one when already there). */
export function convertCustomResource(spec: ConversionSpec, obj: KubeObject, toVersion: string): Result<KubeObject> {
  const from = parseApiVersion(obj.apiVersion ?? '');
  if (from.group === spec.group && from.version === toVersion) return ok(obj);
  switch (spec.strategy) {
    case 'None':
      return ok({ ...obj, apiVersion: `${spec.group}/${toVersion}` });
    case 'Webhook':
      return fail(internalError(`conversion webhook for ${spec.group}/${from.version}, Kind=${spec.kind} failed: webhook conversion is not supported yet`));
    default:
      return fail(internalError(`unknown conversion strategy ${JSON.stringify(spec.strategy)} for ${spec.group}, Kind=${spec.kind}`));
  }
}
