/**
 * The object-model steps every write runs before storing, in Kubernetes' order: decoding
 * (field types), unknown fields by the request's fieldValidation, defaulting, then
 * validation (422 with causes).
 */
import type { KubeObject } from '../../bus/catalogue/api.ts';
import { badRequest, fail, invalid, ok, type Result, type Status } from '../../base/status.ts';
import { bodyDecodeError, type FieldTypeError } from '../../api/validation/types.ts';
import type { ServerContext } from './context.ts';
import { copyTop, shareUnchanged } from '../../api/json.ts';
import type { ResourceInfo } from './resources.ts';

export type FieldValidation = 'Strict' | 'Warn' | 'Ignore';

export interface Prepared {
  obj: KubeObject;
  warnings: string[];
}

/**
 * Unknown fields: Strict → 400 `strict decoding error: unknown field "spec.x"`; Warn (the
 * server's default) → dropped with a warning each; Ignore → dropped silently. `stored`: the
 * version an update replaces — what the object shares with it is not looked through again (a
 * Lease renewal's metadata, managedFields and all).
 */
export function checkUnknownFields(s: ServerContext, res: ResourceInfo, obj: KubeObject, mode: FieldValidation = 'Warn', stored?: KubeObject): Result<Prepared> {
  const unknown = s.model.unknownFields(res, obj, stored);
  if (unknown.length === 0) return ok({ obj, warnings: [] });
  const texts = unknown.map((f) => `unknown field "${f}"`);
  if (mode === 'Strict') return fail(badRequest(`strict decoding error: ${texts.join(', ')}`));
  return ok({ obj: s.model.pruneUnknown(res, obj), warnings: mode === 'Warn' ? texts : [] });
}

/** How a write answers an object that does not decode: a body's 400 unless the verb says otherwise (a patch's 422). */
export type DecodeFailure = (obj: KubeObject, errors: readonly FieldTypeError[]) => Status;

/**
 * Decoding: every value must fit its field's Go type (what the apiserver's decoder refuses
 * is never stored, and never reaches defaulting or validation, which assume the types),
 * and nulls become what decoding makes of them. `stored`: the version an update replaces
 * (what the object shares with it decoded when it was written).
 */
export function checkTypes(s: ServerContext, res: ResourceInfo, obj: KubeObject, failure?: DecodeFailure, stored?: KubeObject): Result<KubeObject> {
  const { errors, value } = s.model.decode(res, obj, stored);
  if (!errors.length) return ok(value);
  return fail(failure ? failure(obj, errors) : bodyDecodeError(res, errors));
}

/**
 * Defaults then validates; `old` makes it an update's validation. Defaulting returns a copy:
 * on an update, what it left equal to the stored version is taken as the stored version's own
 * objects (shareUnchanged), so validation can tell an unchanged part by identity (a status
 * write's pod spec is not validated again, as upstream's status strategy does not).
 */
export function defaultAndValidate(s: ServerContext, res: ResourceInfo, obj: KubeObject, old?: KubeObject): Result<KubeObject> {
  const defaulted = old ? ownTop(shareUnchanged(s.model.default(res, obj, old), old), old) : s.model.default(res, obj);
  const causes = s.model.validate(res, defaulted, old);
  if (causes.length) return fail(invalid(res.kind, defaulted.metadata?.name ?? '', causes, res.group || undefined));
  return ok(defaulted);
}

/** An object the write may still set top-level fields of (generation): not the stored object itself when it came out equal. */
const ownTop = (obj: KubeObject, stored: KubeObject): KubeObject => (obj === stored ? copyTop(obj) : obj);
