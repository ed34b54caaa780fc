/** Where two values first differ. */
export interface Difference {
  /** A dotted path from the compared root (`payload.value.items[2].key`); empty at the root. */
  path: string;
  expected: unknown;
  actual: unknown;
}

/** The first difference between `expected` and `actual` in key order, or null when they are deeply equal. */
export function firstDifference(expected: unknown, actual: unknown, path = ''): Difference | null {
  if (Object.is(expected, actual)) return null;
  if (typeof expected !== 'object' || typeof actual !== 'object' || expected === null || actual === null) {
    return { path, expected, actual };
  }
  if (Array.isArray(expected) !== Array.isArray(actual)) return { path, expected, actual };
  if (ArrayBuffer.isView(expected) || ArrayBuffer.isView(actual)) {
    const a = expected as Uint8Array, b = actual as Uint8Array;
    return a.length === b.length && a.every((x, i) => x === b[i]) ? null : { path, expected, actual };
  }
  const e = expected as Record<string, unknown>, a = actual as Record<string, unknown>;
  const array = Array.isArray(expected);
  // Paths are built only on the way out of a difference: equal values, by far the most, cost no strings.
  for (const k in e) {
    if (!Object.hasOwn(e, k)) continue;
    if (!(k in a)) {
      if (e[k] !== undefined) return { path: sub(path, array, k), expected: e[k], actual: undefined };
      continue;
    }
    if (Object.is(e[k], a[k])) continue;
    const d = firstDifference(e[k], a[k], '\0');
    if (d) return { ...d, path: d.path === '\0' ? sub(path, array, k) : sub(path, array, k) + d.path.slice(1) };
  }
  for (const k in a) {
    if (Object.hasOwn(a, k) && !(k in e) && a[k] !== undefined) return { path: sub(path, array, k), expected: undefined, actual: a[k] };
  }
  return null;
}

/** The path of member `k` of the value at `path`. */
const sub = (path: string, array: boolean, k: string): string => (array ? `${path}[${k}]` : path ? `${path}.${k}` : k);

/** One line for a value in a diff: JSON, cut at `max` characters. */
export function brief(v: unknown, max = 120): string {
  const s = v === undefined ? 'undefined' : JSON.stringify(v, (_k, x: unknown) => (typeof x === 'bigint' ? x.toString() : x)) ?? String(v);
  return s.length > max ? `${s.slice(0, max - 1)}…` : s;
}

/** A readable diff: the path, then `- expected` and `+ actual`. */
export function formatDifference(d: Difference): string {
  return `  at ${d.path || '(root)'}\n  - expected: ${brief(d.expected, 400)}\n  + actual:   ${brief(d.actual, 400)}`;
}
