/**
 * Structural defaulting (pkg/apiserver/schema/defaulting): a property's `default` is set
 * where the property is absent (or null without `nullable`) and its parent object exists,
 * top-down, so defaults inside a defaulted object apply too. Then, as the apiserver does,
 * a null left on a non-nullable property without a default is dropped.
 */
import { clone, isObject, own, setOwn, type JsonObject } from '../json.ts';
import { additionalSchema, itemsSchema, propertySchema, type SchemaProps } from './schema-props.ts';

/** A defaulted copy of `obj`. */
export function defaultObject(obj: JsonObject, root: SchemaProps | undefined): JsonObject {
  if (!root) return obj;
  const out = clone(obj);
  applyDefaults(out, root);
  return out;
}

function applyDefaults(v: unknown, s: SchemaProps): void {
  if (Array.isArray(v)) {
    const items = itemsSchema(s);
    if (items) for (const x of v) applyDefaults(x, items);
    return;
  }
  if (!isObject(v)) return;
  for (const k of Object.keys(s.properties ?? {})) {
    const p = propertySchema(s, k);
    if (p?.default === undefined) continue;
    const cur = own(v, k);
    if (cur === undefined || (cur === null && !p.nullable)) setOwn(v, k, clone(p.default));
  }
  const extra = additionalSchema(s);
  for (const k of Object.keys(v)) {
    const p = propertySchema(s, k) ?? extra;
    if (!p) continue;
    if (v[k] === null && !p.nullable && p.default === undefined) delete v[k];
    else applyDefaults(v[k], p);
  }
}
