/**
 * structuraldefaulting.ValidateDefaults: every `default` in a schema must itself be valid
 * for the schema it sits in (so a defaulted object never fails validation for its default)
 * and must survive pruning (a default with fields the schema does not specify is refused),
 * its CEL rules included.
 */
import type { StatusCause } from '../../base/status.ts';
import { deepEqual } from '../json.ts';
import { child, invalid, type FieldPath } from '../validation/errors.ts';
import { evaluateRules, type CompiledRules } from './cel-rules.ts';
import { pruneValue } from './prune.ts';
import { eachSubSchema, type SchemaProps } from './schema-props.ts';
import { validateValue } from './validate-openapi.ts';

/** Problems of the defaults under `root` (at `path` in the CRD), the CEL rules (`rules`) included. */
export function checkDefaults(root: SchemaProps, path: FieldPath, rules?: CompiledRules): StatusCause[] {
  const errs: StatusCause[] = [];
  walk(root, path, errs, rules);
  return errs;
}

function walk(s: SchemaProps, path: FieldPath, errs: StatusCause[], rules?: CompiledRules): void {
  if (s.default !== undefined && s.default !== null) {
    const at = child(path, 'default');
    const before = errs.length;
    validateValue(s, s.default, at, errs);
    if (errs.length === before && !deepEqual(pruneValue(s.default, s), s.default)) errs.push(invalid(at, s.default, 'must not have unknown fields'));
    if (errs.length === before && rules) errs.push(...evaluateRules(rules, s, s.default, undefined, at));
  }
  eachSubSchema(s, path, (sub, subPath) => walk(sub, subPath, errs, rules));
}
