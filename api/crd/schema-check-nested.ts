/**
 * validateNestedValueValidation of upstream's structural schema checks: what a schema under
 * `allOf`, `anyOf`, `oneOf` or `not` may hold. Such a schema only restricts values; the
 * structure (type, additionalProperties, defaults, extensions) must be specified outside it.
 */
import type { StatusCause } from '../../base/status.ts';
import { child, forbidden, index, key, type FieldPath } from '../validation/errors.ts';
import { asSchema, itemsSchema, type SchemaProps } from './schema-props.ts';

/** Keyword, the message its presence gets, and whether it counts as present. */
const FORBIDDEN: ReadonlyArray<[string, string, (v: unknown) => boolean]> = [
  ['type', 'must be empty to be structural', (v) => typeof v === 'string' && v !== ''],
  ['additionalProperties', 'must be undefined to be structural', (v) => v !== undefined],
  ['default', 'must be undefined to be structural', (v) => v !== undefined && v !== null],
  ['title', 'must be empty to be structural', (v) => typeof v === 'string' && v !== ''],
  ['description', 'must be empty to be structural', (v) => typeof v === 'string' && v !== ''],
  ['nullable', 'must be false to be structural', (v) => v === true],
  ['externalDocs', 'must be undefined to be structural', (v) => v !== undefined],
  ['x-kubernetes-preserve-unknown-fields', 'must be false to be structural', (v) => v === true],
  ['x-kubernetes-embedded-resource', 'must be false to be structural', (v) => v === true],
  ['x-kubernetes-int-or-string', 'must be false to be structural', (v) => v === true],
  ['x-kubernetes-list-map-keys', 'must be empty to be structural', (v) => Array.isArray(v) && v.length > 0],
  ['x-kubernetes-list-type', 'must be undefined to be structural', (v) => v !== undefined],
  ['x-kubernetes-map-type', 'must be undefined to be structural', (v) => v !== undefined],
  ['x-kubernetes-validations', 'must be empty to be structural', (v) => Array.isArray(v) && v.length > 0],
];

/** Checks `s`, found under a logic junctor at `path`; `skipAnyOf` spares the int-or-string anyOf of `allOf[0]`. */
export function checkNestedValueValidation(s: SchemaProps | undefined, path: FieldPath, skipAnyOf: boolean, errs: StatusCause[]): void {
  if (!asSchema(s)) return;
  const v = s as Record<string, unknown>;
  if (!skipAnyOf) s!.anyOf?.forEach((n, i) => checkNestedValueValidation(n, index(child(path, 'anyOf'), i), false, errs));
  s!.allOf?.forEach((n, i) => checkNestedValueValidation(n, index(child(path, 'allOf'), i), false, errs));
  s!.oneOf?.forEach((n, i) => checkNestedValueValidation(n, index(child(path, 'oneOf'), i), false, errs));
  checkNestedValueValidation(s!.not, child(path, 'not'), false, errs);
  const items = itemsSchema(s!);
  if (items) checkNestedValueValidation(items, child(path, 'items'), false, errs);
  for (const [k, p] of Object.entries(s!.properties ?? {})) checkNestedValueValidation(p, key(child(path, 'properties'), k), false, errs);
  for (const [kw, msg, present] of FORBIDDEN) if (present(v[kw])) errs.push(forbidden(child(path, kw), msg));
  // Reasoning about metadata in a value validation could restrict it where the apiserver does not look.
  if (s!.properties && Object.hasOwn(s!.properties, 'metadata')) errs.push(forbidden(key(child(path, 'properties'), 'metadata'), 'must not be specified in a nested context'));
}
