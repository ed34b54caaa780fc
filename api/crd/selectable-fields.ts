/**
 * A CRD version's `selectableFields` (CustomResourceFieldSelectors, GA in Kubernetes 1.32):
 * up to eight JSON paths to string, integer or boolean fields of the version's schema, each
 * then a field label of its custom resources (`--field-selector spec.color=blue`) beside
 * metadata.name and metadata.namespace. Validation as ValidateCustomResourceSelectableFields,
 * values as the customresource strategy's GetAttrs.
 */
import type { StatusCause } from '../../base/status.ts';
import { child, duplicate, index, invalid, required, tooMany } from '../validation/errors.ts';
import { getPath } from '../json.ts';
import { parseRuleFieldPath } from './cel-field-path.ts';
import type { SchemaProps } from './schema-props.ts';
import type { CustomResourceDefinitionVersion } from './types.ts';

/** apiextensions validation's MaxSelectableFields. */
export const MAX_SELECTABLE_FIELDS = 8;

const SELECTABLE_TYPES = ['string', 'boolean', 'integer'];

/** The causes of `v`'s selectableFields (at `path`, "spec.versions[0]"); empty when valid or unset. */
export function validateSelectableFields(v: CustomResourceDefinitionVersion, path: string): StatusCause[] {
  const fields = v.selectableFields ?? [];
  if (fields.length === 0) return [];
  const at = child(path, 'selectableFields');
  const schema = v.schema?.openAPIV3Schema as SchemaProps | undefined;
  // Upstream's message says "is not included" where it means "is included": kept as it is.
  if (!schema) return [invalid(at, '', 'selectableFields may only be set when version.schema.openAPIV3Schema is not included')];
  const errs: StatusCause[] = [];
  const unique = new Set<string>();
  for (const [i, f] of fields.entries()) {
    const jp = child(index(at, i), 'jsonPath');
    if (!f.jsonPath) {
      errs.push(required(jp, ''));
      continue;
    }
    const found = parseRuleFieldPath(f.jsonPath, schema, { allowArrayNotation: false });
    if (!found.ok) {
      errs.push(invalid(jp, f.jsonPath, `is an invalid path: ${found.error}`));
      continue;
    }
    if (found.path.split(/[.[]/)[0] === 'metadata') errs.push(invalid(jp, f.jsonPath, 'must not point to fields in metadata'));
    if (!SELECTABLE_TYPES.includes(found.schema.type ?? '')) {
      errs.push(invalid(jp, f.jsonPath, 'must point to a field of type string, boolean or integer. Enum string fields and strings with formats are allowed.'));
    }
    if (unique.has(found.path)) errs.push(duplicate(jp, f.jsonPath));
    else unique.add(found.path);
  }
  if (unique.size > MAX_SELECTABLE_FIELDS) errs.push(tooMany(at, unique.size, MAX_SELECTABLE_FIELDS));
  return errs;
}

/** The field labels `v`'s selectableFields add: each jsonPath without its leading dot ("spec.color"). */
export function selectableFieldLabels(v: CustomResourceDefinitionVersion): string[] {
  return (v.selectableFields ?? []).map((f) => f.jsonPath.replace(/^\./, ''));
}

/**
 * The value of selectable field `label` on `obj` as a field selector compares it: a string as
 * it is, an integer or boolean printed (Go's fmt.Sprint), '' when the field is absent or null.
 */
export function selectableFieldValue(obj: unknown, label: string): string {
  const v = getPath(obj, label.split('.'));
  return v === undefined || v === null ? '' : String(v);
}
