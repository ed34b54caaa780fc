/**
 * The object-model steps every write runs before storing, in Kubernetes' order: unknown
 * fields by the request's fieldValidation, defaulting, then validation (422 with causes).
 */
import type { KubeObject } from '../../bus/catalogue/api.ts';
import { badRequest, fail, invalid, ok, type Result } from '../../bus/status.ts';
import type { ServerContext } from './context.ts';
import type { ResourceInfo } from './resources.ts';

export type FieldValidation = 'Strict' | 'Warn' | 'Ignore';

export interface Prepared {
  obj: KubeObject;
  warnings: string[];
}

/**
 * Unknown fields: Strict → 400 `strict decoding error: unknown field "spec.x"`; Warn (the
 * server's default) → dropped with a warning each; Ignore → dropped silently.
 */
export function checkUnknownFields(s: ServerContext, res: ResourceInfo, obj: KubeObject, mode: FieldValidation = 'Warn'): Result<Prepared> {
  const unknown = s.model.unknownFields(res, obj);
  if (unknown.length === 0) return ok({ obj, warnings: [] });
  const texts = unknown.map((f) => `unknown field "${f}"`);
  if (mode === 'Strict') return fail(badRequest(`strict decoding error: ${texts.join(', ')}`));
  return ok({ obj: s.model.pruneUnknown(res, obj), warnings: mode === 'Warn' ? texts : [] });
}

/** Defaults then validates; `old` makes it an update's validation. */
export function defaultAndValidate(s: ServerContext, res: ResourceInfo, obj: KubeObject, old?: KubeObject): Result<KubeObject> {
  const defaulted = s.model.default(res, obj);
  const causes = s.model.validate(res, defaulted, old);
  if (causes.length) return fail(invalid(res.kind, defaulted.metadata?.name ?? '', causes, res.group || undefined));
  return ok(defaulted);
}
