/**
 * The conversion seam: how the HTTP front turns objects of one kind from one version into
 * another. The apiserver serves and stores each kind at one version (its descriptor's
 * `version`); every other served version is a view the front converts to and from, on every
 * verb (get, list, watch events, create/update bodies and answers, patches, delete answers,
 * subresources). A kind states how in its descriptor (`KindConversion`); the front builds
 * the async `Converter` from it (actors/apiserver/http/conversion.ts).
 */
import { ok, type Result } from '../../base/status.ts';
import type { KubeObject } from '../../base/object.ts';

/**
 * Converts a batch of objects of one kind to one apiVersion.
 *
 * Contract: `convert(objects, apiVersion)` answers the objects in the same order, each at
 * `apiVersion` (objects already there come back unchanged and are not sent anywhere); it
 * never throws. On failure it answers a Status (upstream's conversion errors: a 500 whose
 * message names the webhook and why) and no object at all, so a caller never serves half a
 * batch.
 */
export interface Converter {
  /**
   * True when converting only rewrites apiVersion (strategy None): the fields are the same at
   * every version, so a patch written at one version applies unchanged to the object stored at
   * another and the front need not read, convert and write it itself.
   */
  readonly rewritesOnly: boolean;
  convert(objects: readonly KubeObject[], apiVersion: string): Promise<Result<KubeObject[]>>;
}

/**
 * A kind's conversion as its descriptor states it (KindSpec.conversion):
 * - `None`: apiVersion rewritten, every field kept (apiextensions' nopConverter; a CRD's `None`);
 * - `Webhook`: a CRD's conversion webhook, which the apiserver calls (the front asks it with `api.convert`);
 * - `Functions`: a built-in kind's pure field conversion (autoscaling/v1 beside autoscaling/v2):
 *   `convert` takes one object at any served version and answers it at `apiVersion`.
 */
export type KindConversion =
  | { readonly strategy: 'None' }
  | { readonly strategy: 'Webhook' }
  | { readonly strategy: 'Functions'; convert(obj: KubeObject, apiVersion: string): Result<KubeObject> };

/** The objects not yet at `apiVersion`, by index (what needs converting). */
export function pendingConversion(objects: readonly KubeObject[], apiVersion: string): number[] {
  const out: number[] = [];
  objects.forEach((o, i) => {
    if (o.apiVersion !== apiVersion) out.push(i);
  });
  return out;
}

/** `None`: apiVersion rewritten, nothing else touched. */
export const rewriteConverter: Converter = {
  rewritesOnly: true,
  convert: (objects, apiVersion) => Promise.resolve(ok(objects.map((o) => (o.apiVersion === apiVersion ? o : { ...o, apiVersion })))),
};

/** `Functions`: each object through the kind's pure conversion; the first failure fails the batch. */
export function functionsConverter(convert: (obj: KubeObject, apiVersion: string) => Result<KubeObject>): Converter {
  return {
    rewritesOnly: false,
    convert(objects, apiVersion) {
      const out: KubeObject[] = [];
      for (const o of objects) {
        if (o.apiVersion === apiVersion) {
          out.push(o);
          continue;
        }
        const r = convert(o, apiVersion);
        if (!r.ok) return Promise.resolve(r);
        out.push(r.value);
      }
      return Promise.resolve(ok(out));
    },
  };
}
