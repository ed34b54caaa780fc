/**
 * The simple JSONPath subset CRDs use in additionalPrinterColumns and the scale
 * subresource's paths: `.spec.replicas`, `.status.conditions[0].type`, `.metadata.labels['app.kubernetes.io/name']`,
 * optionally wrapped in `{…}` (kubectl's template form). Filters and wildcards are not
 * followed (a column with one prints nothing, as a path that finds nothing does).
 */
import { isObject } from '../json.ts';

type Step = string | number;

/** The steps of a path, or null when it is not of the simple form. */
export function parseJsonPath(path: string): Step[] | null {
  let p = path.trim();
  if (p.startsWith('{') && p.endsWith('}')) p = p.slice(1, -1);
  const steps: Step[] = [];
  const re = /\.([A-Za-z0-9_$-]+)|\[(\d+)\]|\[['"]([^'"]+)['"]\]/y;
  let at = 0;
  while (at < p.length) {
    re.lastIndex = at;
    const m = re.exec(p);
    if (!m) return null;
    steps.push(m[1] ?? (m[2] !== undefined ? Number(m[2]) : m[3]!));
    at = re.lastIndex;
  }
  return steps;
}

/** The value at `path` in `obj`, or undefined when nothing is there. */
export function readJsonPath(obj: unknown, path: string): unknown {
  const steps = parseJsonPath(path);
  if (!steps) return undefined;
  let cur: unknown = obj;
  for (const s of steps) {
    if (typeof s === 'number') cur = Array.isArray(cur) ? cur[s] : undefined;
    else cur = isObject(cur) ? cur[s] : undefined;
    if (cur === undefined) return undefined;
  }
  return cur;
}

/** A copy of `obj` with `value` at `path` (objects made on the way); `obj` unchanged when the path is not simple. */
export function writeJsonPath<T>(obj: T, path: string, value: unknown): T {
  const steps = parseJsonPath(path);
  if (!steps || steps.length === 0) return obj;
  const set = (cur: unknown, i: number): unknown => {
    const s = steps[i]!;
    const base: Record<string | number, unknown> = Array.isArray(cur) ? [...cur] as never : isObject(cur) ? { ...cur } : {};
    base[s] = i === steps.length - 1 ? value : set(base[s], i + 1);
    return base;
  };
  return set(obj, 0) as T;
}
