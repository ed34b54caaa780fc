/**
 * validateNestedValueValidation of upstream's structural schema checks: what a schema under
 * `allOf`, `anyOf`, `oneOf` or `not` may hold. Such a schema only restricts values; the
 * structure (type, additionalProperties, defaults, extensions) must be specified outside it.
 */
import type { StatusCause } from '../../base/status.ts';
import { child, forbidden, index, key, required, type FieldPath } from '../validation/errors.ts';
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

/**
 * validateStructuralCompleteness: a field or array that a value validation at the root
 * talks about must be specified by the structure too (`Required value: because it is
 * defined in <path>`).
 */
export function checkCompleteness(root: SchemaProps, path: FieldPath, errs: StatusCause[]): void {
  junctorCompleteness(root, root, path, path, errs);
}

function junctorCompleteness(v: SchemaProps, s: SchemaProps | undefined, sPath: FieldPath, vPath: FieldPath, errs: StatusCause[]): void {
  const nested: Array<[SchemaProps | undefined, FieldPath]> = [[asSchema(v.not), child(vPath, 'not')]];
  for (const name of ['allOf', 'anyOf', 'oneOf'] as const) (v[name] ?? []).forEach((n, i) => nested.push([n, index(child(vPath, name), i)]));
  for (const [n, at] of nested) if (n) nestedCompleteness(n, s, sPath, at, errs);
}

function nestedCompleteness(v: SchemaProps, s: SchemaProps | undefined, sPath: FieldPath, vPath: FieldPath, errs: StatusCause[]): void {
  if (!s) {
    errs.push(required(sPath, `because it is defined in ${vPath}`));
    return;
  }
  junctorCompleteness(v, s, sPath, vPath, errs);
  const items = itemsSchema(v);
  if (items) nestedCompleteness(items, itemsSchema(s), child(sPath, 'items'), child(vPath, 'items'), errs);
  for (const [k, p] of Object.entries(v.properties ?? {})) {
    const sp = s.properties && Object.hasOwn(s.properties, k) ? s.properties[k] : undefined;
    if (!sp) errs.push(required(key(child(sPath, 'properties'), k), `because it is defined in ${key(child(vPath, 'properties'), k)}`));
    else nestedCompleteness(p, sp, key(child(sPath, 'properties'), k), key(child(vPath, 'properties'), k), errs);
  }
}
