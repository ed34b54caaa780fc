/**
 * Structural pruning (pkg/apiserver/schema/pruning): drops every field the schema does not
 * specify, as the apiserver does before defaulting and storing a custom resource. Kept:
 * anything under `x-kubernetes-preserve-unknown-fields`, values of untyped or int-or-string
 * schemas, and apiVersion/kind/metadata at the root and in embedded resources (whose
 * metadata keeps only ObjectMeta's fields).
 */
import { isObject, setOwn, type JsonObject } from '../json.ts';
import { additionalSchema, isEmbedded, itemsSchema, preservesUnknown, propertySchema, type SchemaProps } from './schema-props.ts';

/** metav1.ObjectMeta's JSON field names: what an embedded resource's metadata keeps. */
const OBJECT_META_FIELDS = new Set([
  'name', 'generateName', 'namespace', 'selfLink', 'uid', 'resourceVersion', 'generation', 'creationTimestamp',
  'deletionTimestamp', 'deletionGracePeriodSeconds', 'labels', 'annotations', 'ownerReferences', 'finalizers', 'managedFields',
]);
const TYPE_META = new Set(['apiVersion', 'kind', 'metadata']);

/** A pruned copy of the custom resource `obj` (its root's apiVersion, kind and metadata left as they are). */
export function pruneObject(obj: JsonObject, root: SchemaProps | undefined): JsonObject {
  if (!root) return obj;
  return pruneValue(obj, root, true) as JsonObject;
}

/** A pruned copy of any value `v` of schema `s`. */
export function pruneValue(v: unknown, s: SchemaProps, isRoot = false): unknown {
  if (Array.isArray(v)) {
    const items = itemsSchema(s);
    return items ? v.map((x) => pruneValue(x, items)) : v;
  }
  if (!isObject(v)) return v;
  const keepMeta = isRoot || isEmbedded(s);
  const extra = additionalSchema(s);
  const preserve = preservesUnknown(s);
  const out: JsonObject = {};
  for (const k of Object.keys(v)) {
    const x = v[k];
    if (keepMeta && TYPE_META.has(k)) {
      setOwn(out, k, k === 'metadata' && !isRoot ? pruneMeta(x) : x);
      continue;
    }
    const p = propertySchema(s, k) ?? extra;
    if (p) setOwn(out, k, pruneValue(x, p));
    else if (preserve) setOwn(out, k, x);
  }
  return out;
}

function pruneMeta(meta: unknown): unknown {
  if (!isObject(meta)) return meta;
  const out: JsonObject = {};
  for (const k of Object.keys(meta)) if (OBJECT_META_FIELDS.has(k)) setOwn(out, k, meta[k]);
  return out;
}
