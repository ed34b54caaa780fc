/**
 * Conversion of custom resources between a CRD's versions: the one place the CRD's
 * `spec.conversion.strategy` is chosen. `None` rewrites apiVersion and keeps every field (as
 * apiextensions-apiserver's nopConverter). `Webhook` conversion is asynchronous (a
 * ConversionReview to the CRD's HTTPS service) and happens at the HTTP front before the
 * apiserver sees a body (actors/apiserver/http/conversion.ts, actors/apiserver/conversion.ts):
 * an object that reaches the core at another version than it serves is refused here.
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
      return fail(internalError(`conversion webhook for ${spec.group}/${from.version}, Kind=${spec.kind} failed: objects must be sent at ${spec.group}/${toVersion}: webhook conversion happens at the HTTP front`));
    default:
      return fail(internalError(`unknown conversion strategy ${JSON.stringify(spec.strategy)} for ${spec.group}, Kind=${spec.kind}`));
  }
}
