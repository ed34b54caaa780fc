/**
 * The JSONPath subset CRDs use in additionalPrinterColumns and the scale subresource's paths:
 * `.spec.replicas`, `.status.conditions[0].type`, `.metadata.labels['app.kubernetes.io/name']`,
 * optionally wrapped in `{…}` (kubectl's template form); for reading also the wildcard `[*]`
 * and client-go's filter `[?(@.type=="Ready")]` (quotes single or double; ==, !=, <, <=, >, >=
 * against a string or number literal, or `[?(@.x)]` for "has x"), which operators' printer
 * columns use for conditions.
 */
import { isObject } from '../json.ts';

/** A filter `[?(@.path OP literal)]`, or `[?(@.path)]` (op undefined: the path exists). */
interface Filter {
  path: (string | number)[];
  op?: '==' | '!=' | '<' | '<=' | '>' | '>=';
  value?: string | number;
}
type Step = string | number | { all: true } | { filter: Filter };

const SIMPLE = /\.([A-Za-z0-9_$-]+)|\[(\d+)\]|\[['"]([^'"]+)['"]\]/y;
const MORE = /\[\*\]|\[\?\(@((?:\.[A-Za-z0-9_$-]+)+)\s*(?:(==|!=|<=|>=|<|>)\s*(?:'([^']*)'|"([^"]*)"|(-?\d+(?:\.\d+)?)))?\s*\)\]/y;

function parseSteps(path: string, withFilters: boolean): Step[] | null {
  let p = path.trim();
  if (p.startsWith('{') && p.endsWith('}')) p = p.slice(1, -1);
  const steps: Step[] = [];
  let at = 0;
  while (at < p.length) {
    SIMPLE.lastIndex = at;
    const m = SIMPLE.exec(p);
    if (m) {
      steps.push(m[1] ?? (m[2] !== undefined ? Number(m[2]) : m[3]!));
      at = SIMPLE.lastIndex;
      continue;
    }
    MORE.lastIndex = at;
    const f = withFilters ? MORE.exec(p) : null;
    if (!f) return null;
    if (f[1] === undefined) steps.push({ all: true });
    else {
      const value = f[3] ?? f[4] ?? (f[5] !== undefined ? Number(f[5]) : undefined);
      const filter: Filter = { path: f[1].slice(1).split('.') };
      if (f[2]) Object.assign(filter, { op: f[2], value });
      steps.push({ filter });
    }
    at = MORE.lastIndex;
  }
  return steps;
}

/** The steps of a path, or null when it is not of the simple form (no wildcard, no filter). */
export function parseJsonPath(path: string): (string | number)[] | null {
  return parseSteps(path, false) as (string | number)[] | null;
}

function child(cur: unknown, s: string | number): unknown {
  if (typeof s === 'number') return Array.isArray(cur) ? cur[s] : undefined;
  return isObject(cur) ? cur[s] : undefined;
}

function matches(item: unknown, f: Filter): boolean {
  let v: unknown = item;
  for (const s of f.path) v = child(v, s);
  if (v === undefined) return false;
  if (f.op === undefined) return true;
  // client-go compares a string literal with strings only and a number with numbers.
  if (typeof v !== typeof f.value) return f.op === '!=';
  const a = v as string | number;
  const b = f.value as string | number;
  switch (f.op) {
    case '==': return a === b;
    case '!=': return a !== b;
    case '<': return a < b;
    case '<=': return a <= b;
    case '>': return a > b;
    default: return a >= b;
  }
}

/** Every value `path` finds in `obj`, in document order. */
export function findJsonPath(obj: unknown, path: string): unknown[] {
  const steps = parseSteps(path, true);
  if (!steps) return [];
  let found: unknown[] = [obj];
  for (const s of steps) {
    const next: unknown[] = [];
    for (const cur of found) {
      if (typeof s === 'string' || typeof s === 'number') next.push(child(cur, s));
      else {
        const items = Array.isArray(cur) ? cur : isObject(cur) ? Object.values(cur) : [];
        next.push(...('all' in s ? items : items.filter((i) => matches(i, s.filter))));
      }
    }
    found = next.filter((v) => v !== undefined);
  }
  return found;
}

/**
 * The value at `path` in `obj`, or undefined when nothing is there; with a wildcard or filter the
 * first value found (as apiextensions' table convertor prints only results[0][0]).
 */
export function readJsonPath(obj: unknown, path: string): unknown {
  return findJsonPath(obj, path)[0];
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
