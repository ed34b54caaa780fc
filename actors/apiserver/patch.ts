/**
 * api.patch: merge (RFC 7386), json (RFC 6902), strategic (Kubernetes' merge keys and
 * directives) and apply (server-side apply), through api/patch/*. The patch is re-applied
 * to the freshly read object after every lost compare (GuaranteedUpdate), so concurrent
 * patches never lose each other's changes. Apply creates a missing object (created: true).
 */
import type { KubeObject, PayloadShape, WriteReply } from './types.ts';
import { badRequest, fail, ok, status, tooLarge, unsupportedMediaType, type Result } from '../../base/status.ts';
import { decodedProblem, jsonLongerThan, MAX_DEPTH, MAX_REQUEST_BODY_BYTES } from '../../api/limits.ts';
import { applyMergePatch } from '../../api/patch/merge.ts';
import { applyJsonPatch } from '../../api/patch/json.ts';
import { strategicMergePatch } from '../../api/patch/strategic.ts';
import { serverSideApply } from '../../api/patch/apply.ts';
import { SCALE, type PatchKind } from '../../api/patch/meta.ts';
import { isObject } from '../../api/json.ts';
import { rfc3339 } from '../../api/time.ts';
import type { Call, ServerContext } from './context.ts';
import { create, defaultManager, placePatched } from './create.ts';
import { goPrint, patchDecodeError, type FieldTypeError } from '../../api/validation/types.ts';
import type { DecodeFailure } from './prepare.ts';
import type { ResourceInfo } from './resources.ts';
import { writeScale } from './scale.ts';
import { objectStorageKey } from './storage-keys.ts';
import { guaranteedUpdate, type Mutation } from './write.ts';

type PatchPayload = PayloadShape<'api.patch'>;

/** Applies a non-apply patch to a document of `kind` (its descriptor, or the Scale body's); `docSize`: the document's approxJsonSize, when known. */
export function applyPatch(type: PatchPayload['patchType'], doc: KubeObject, patch: unknown, kind: PatchKind, docSize?: number): Result<KubeObject> {
  return checkPatched(patchWith(type, doc, patch, kind), doc, docSize);
}

function patchWith(type: PatchPayload['patchType'], doc: KubeObject, patch: unknown, kind: PatchKind): Result<KubeObject> {
  switch (type) {
    case 'merge':
      return applyMergePatch(doc, patch);
    case 'json':
      return applyJsonPatch(doc, patch);
    case 'strategic':
      return strategicMergePatch(doc, patch, kind);
    default:
      return fail(unsupportedMediaType(`the patch type ${type} cannot be applied here`));
  }
}

/**
 * What a patch produced passes the checks a request body passes before anything else walks
 * it: no deeper, no forbidden key, and no larger than a body may be (the apiserver's 413).
 */
function checkPatched<T>(r: Result<T>, doc?: unknown, docSize?: number): Result<T> {
  if (!r.ok) return r;
  // What the patch left as it was (the same objects as the document's, at the same places) entered before.
  const problem = decodedProblem(r.value, MAX_DEPTH, false, doc);
  if (problem) return fail(status(422, 'Invalid', `the patched object is invalid: ${problem}`));
  // The depth is bounded (above) and copies are bounded while patching, so both walks are safe.
  if (jsonLongerThan(r.value, MAX_REQUEST_BODY_BYTES, docSize === undefined ? undefined : { old: doc, size: docSize })) return fail(tooLarge(`Request entity too large: limit is ${MAX_REQUEST_BODY_BYTES}`));
  return r;
}

export async function patch(s: ServerContext, res: ResourceInfo, call: Call<PatchPayload>): Promise<Result<WriteReply>> {
  const p = call.payload;
  const name = p.target.name;
  if (!name) return fail(badRequest('the name of the object is required for a patch'));
  const manager = p.fieldManager ?? defaultManager(call.from);
  if (p.patchType === 'apply' && !p.fieldManager) {
    return fail(badRequest('PATCH, application/apply-patch+yaml requests require a fieldManager'));
  }
  const kind = s.model.kind(res);
  if (p.target.subresource === 'scale') {
    if (p.patchType === 'apply') return fail(unsupportedMediaType('apply is not supported on the scale subresource'));
    return writeScale(s, res, call, (scale) => applyPatch(p.patchType, scale, p.patch, SCALE));
  }
  const namespace = res.namespaced ? p.target.namespace : undefined;
  const now = () => rfc3339(s.clock.now());
  if (p.patchType === 'apply' && !isObject(p.patch)) return fail(badRequest('apply patches must be a JSON object'));
  // An apply configuration (checked to be an object above) is a partial object of the kind.
  const config = p.patch as KubeObject;

  const key = objectStorageKey(res.gr, namespace, name);
  const mutate = (cur: { obj: KubeObject }): Mutation => {
    if (p.patchType === 'apply') {
      const r = checkPatched(serverSideApply({ live: cur.obj, config, manager, kind, now: now(), force: p.force }));
      const placed = r.ok ? placePatched(res, namespace, name, r.value) : r;
      return placed.ok ? ok({ obj: placed.value, applied: true }) : placed;
    }
    // The stored object's size, which the watch cache knows when this is the object it holds.
    const r = applyPatch(p.patchType, cur.obj, p.patch, kind, s.cache.resources.get(res.gr)?.sizeOf(key, cur.obj));
    if (!r.ok) return r;
    if (!isObject(r.value)) return fail(badRequest('the patch produced something that is not an object'));
    const placed = placePatched(res, namespace, name, r.value);
    return placed.ok ? ok({ obj: placed.value }) : placed;
  };
  // What Kubernetes quotes when the patched object does not decode: the object (json, merge), the patch map (strategic); apply's typed-patch 400.
  const applyError = (errs: readonly FieldTypeError[]) =>
    badRequest(`failed to create typed patch object (${namespace ? `${namespace}/` : ''}${name}; ${res.apiVersion}, Kind=${res.kind}): .${errs[0]?.field}: ${errs[0]?.message}`);
  const decodeFailure: DecodeFailure = (obj, errs) =>
    p.patchType === 'apply' ? applyError(errs) : patchDecodeError(p.patchType === 'strategic' ? goPrint(p.patch) : JSON.stringify(obj), errs);
  // Apply types its configuration before merging it, so a mistyped field is reported before any conflict.
  const configErrors = p.patchType === 'apply' ? s.model.decode(res, config).errors : [];
  if (configErrors.length) return fail(applyError(configErrors));

  return guaranteedUpdate(s, res, call, {
    verb: 'patch',
    key,
    name,
    namespace,
    subresource: p.target.subresource,
    dryRun: p.dryRun,
    fieldManager: manager,
    fieldValidation: p.fieldValidation,
    mutate,
    decodeFailure,
    createMissing:
      p.patchType === 'apply' && !p.target.subresource
        ? async () => {
            const r = checkPatched(serverSideApply({ live: undefined, config, manager, kind, now: now(), force: p.force }));
            if (!r.ok) return r;
            const obj = r.value;
            const metadata = { ...obj.metadata, name, ...(namespace ? { namespace } : {}) };
            return create(s, res, { ...call, payload: { target: p.target, object: { ...obj, metadata }, dryRun: p.dryRun, fieldManager: manager, fieldValidation: p.fieldValidation } }, true);
          }
        : undefined,
  });
}
