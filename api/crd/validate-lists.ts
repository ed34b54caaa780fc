/**
 * `x-kubernetes-list-type` on custom resources (pkg/apiserver/schema/listtype): a `set`
 * holds no value twice and a `map` no two items with the same `x-kubernetes-list-map-keys`
 * values; each repeat is refused as `Duplicate value` at the index of the repeat.
 */
import type { StatusCause } from '../../base/status.ts';
import { isObject, own } from '../json.ts';
import { child, duplicate, GoRaw, index, key } from '../validation/errors.ts';
import { additionalSchema, itemsSchema, propertySchema, type SchemaProps } from './schema-props.ts';

/** Duplicate entries in the sets and maps of `obj`, with field paths from its root. */
export function validateListTypes(obj: unknown, root: SchemaProps): StatusCause[] {
  const errs: StatusCause[] = [];
  walk(obj, root, '', errs);
  return errs;
}

function walk(v: unknown, s: SchemaProps, path: string, errs: StatusCause[]): void {
  if (Array.isArray(v)) {
    const type = s['x-kubernetes-list-type'];
    if (type === 'set') duplicates(v, (x) => x, path, errs, (x) => new GoRaw(goUnstructured(x)));
    else if (type === 'map') {
      const keys = s['x-kubernetes-list-map-keys'] ?? [];
      const ident = (x: unknown) => (isObject(x) ? keys.map((k) => own(x, k) ?? null) : x);
      duplicates(v, ident, path, errs, (x) => new GoRaw(goUnstructured(Object.fromEntries(keys.filter((k) => isObject(x) && own(x, k) !== undefined).map((k) => [k, own(x, k)])))));
    }
    const items = itemsSchema(s);
    if (items) v.forEach((x, i) => walk(x, items, index(path, i), errs));
    return;
  }
  if (!isObject(v)) return;
  const extra = additionalSchema(s);
  for (const k of Object.keys(v)) {
    const p = propertySchema(s, k);
    if (p) walk(v[k], p, child(path, k), errs);
    else if (extra) walk(v[k], extra, key(path, k), errs);
  }
}

function duplicates(list: unknown[], ident: (x: unknown) => unknown, path: string, errs: StatusCause[], shown: (x: unknown) => unknown): void {
  const seen = new Set<string>();
  list.forEach((x, i) => {
    const id = stableJson(ident(x));
    if (seen.has(id)) errs.push(duplicate(index(path, i), shown(x)));
    seen.add(id);
  });
}

/** JSON with object keys sorted, so equal values give equal text. */
function stableJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(stableJson).join(',')}]`;
  if (isObject(v)) return `{${Object.keys(v).sort().map((k) => `${JSON.stringify(k)}:${stableJson(v[k])}`).join(',')}}`;
  return JSON.stringify(v) ?? 'null';
}

/** Go's %#v of a decoded JSON value (maps are map[string]interface {}, lists []interface {}). */
export function goUnstructured(v: unknown): string {
  if (v === null || v === undefined) return '<nil>';
  if (typeof v === 'string') return JSON.stringify(v);
  if (Array.isArray(v)) return `[]interface {}{${v.map(goUnstructured).join(', ')}}`;
  if (isObject(v)) return `map[string]interface {}{${Object.keys(v).sort().map((k) => `${JSON.stringify(k)}:${goUnstructured(v[k])}`).join(', ')}}`;
  return String(v);
}
