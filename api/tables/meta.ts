/** Small readers the printers share: safe access into decoded JSON objects. */
import { isObject, type JsonObject } from '../json.ts';

export const obj = (x: unknown): JsonObject => (isObject(x) ? x : {});
export const arr = (x: unknown): unknown[] => (Array.isArray(x) ? x : []);
export const str = (x: unknown, dflt = ''): string => (typeof x === 'string' ? x : dflt);
export const num = (x: unknown, dflt = 0): number => (typeof x === 'number' ? x : dflt);

export const metaOf = (o: JsonObject): JsonObject => obj(o.metadata);
export const nameOf = (o: JsonObject): string => str(metaOf(o).name);
export const specOf = (o: JsonObject): JsonObject => obj(o.spec);
export const statusOf = (o: JsonObject): JsonObject => obj(o.status);
export const createdOf = (o: JsonObject): unknown => metaOf(o).creationTimestamp;

/** "<none>" for an empty list, else the items joined with commas (kubectl's convention). */
export function listOrNone(items: readonly string[]): string {
  return items.length ? items.join(',') : '<none>';
}

/** A label selector map as "a=b,c=d" (sorted by key, like labels.Set.String()). */
export function selectorString(m: unknown): string {
  const entries = Object.entries(obj(m)).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return entries.map(([k, v]) => `${k}=${String(v)}`).join(',');
}

/** metav1.FormatLabelSelector: matchLabels and matchExpressions as a selector string. */
export function formatLabelSelector(sel: unknown): string {
  const s = obj(sel);
  const parts: string[] = [];
  const labels = selectorString(s.matchLabels);
  if (labels) parts.push(labels);
  for (const e of arr(s.matchExpressions)) {
    const x = obj(e);
    const key = str(x.key);
    const values = arr(x.values).map(String);
    switch (x.operator) {
      case 'In': parts.push(`${key} in (${values.join(',')})`); break;
      case 'NotIn': parts.push(`${key} notin (${values.join(',')})`); break;
      case 'Exists': parts.push(key); break;
      case 'DoesNotExist': parts.push(`!${key}`); break;
    }
  }
  const out = parts.join(',');
  return out === '' ? '<none>' : out;
}
