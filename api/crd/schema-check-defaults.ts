/**
 * structuraldefaulting.ValidateDefaults: every `default` in a schema must itself be valid
 * for the schema it sits in (so a defaulted object never fails validation for its default)
 * and must survive pruning (a default with fields the schema does not specify is refused).
 */
import type { StatusCause } from '../../base/status.ts';
import { deepEqual } from '../json.ts';
import { child, invalid, key, type FieldPath } from '../validation/errors.ts';
import { pruneValue } from './prune.ts';
import { additionalSchema, itemsSchema, propertySchema, type SchemaProps } from './schema-props.ts';
import { validateValue } from './validate-openapi.ts';

/** Problems of the defaults under `root` (at `path` in the CRD). */
export function checkDefaults(root: SchemaProps, path: FieldPath): StatusCause[] {
  const errs: StatusCause[] = [];
  walk(root, path, errs);
  return errs;
}

function walk(s: SchemaProps, path: FieldPath, errs: StatusCause[]): void {
  if (s.default !== undefined && s.default !== null) {
    const at = child(path, 'default');
    const before = errs.length;
    validateValue(s, s.default, at, errs);
    if (errs.length === before && !deepEqual(pruneValue(s.default, s), s.default)) errs.push(invalid(at, s.default, 'must not have unknown fields'));
  }
  for (const k of Object.keys(s.properties ?? {})) {
    const p = propertySchema(s, k);
    if (p) walk(p, key(child(path, 'properties'), k), errs);
  }
  const extra = additionalSchema(s);
  if (extra && s.additionalProperties !== true) walk(extra, child(path, 'additionalProperties'), errs);
  const items = itemsSchema(s);
  if (items) walk(items, child(path, 'items'), errs);
}
