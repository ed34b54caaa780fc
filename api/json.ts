/**
 * Plain-JSON helpers shared by the object model: type guards, deep equality and cloning of
 * JSON values (objects decoded from the wire never hold functions, dates or cycles).
 */

export type JsonObject = Record<string, unknown>;

/** True for a non-null, non-array object. */
export function isObject(x: unknown): x is JsonObject {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

/** Structural equality of two JSON values; key order does not matter. */
export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a)) {
    return Array.isArray(b) && a.length === b.length && a.every((v, i) => deepEqual(v, b[i]));
  }
  if (isObject(a) && isObject(b)) {
    const ka = Object.keys(a);
    if (ka.length !== Object.keys(b).length) return false;
    return ka.every((k) => Object.hasOwn(b, k) && deepEqual(a[k], b[k]));
  }
  return false;
}

/**
 * Whether `JSON.stringify(a) === JSON.stringify(b)`, without writing either: the same keys in
 * the same order, keys whose value JSON leaves out (undefined, functions) skipped, array holes
 * and non-finite numbers as null. A value with a `toJSON` method is compared by its string.
 */
export function sameJson(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (hasToJson(a) || hasToJson(b)) return JSON.stringify(a) === JSON.stringify(b);
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return jsonScalar(a) === jsonScalar(b);
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!sameJson(arrayItem(a[i]), arrayItem(b[i]))) return false;
    return true;
  }
  const ka = Object.keys(a).filter((k) => written((a as JsonObject)[k]));
  const kb = Object.keys(b).filter((k) => written((b as JsonObject)[k]));
  if (ka.length !== kb.length) return false;
  for (let i = 0; i < ka.length; i++) if (ka[i] !== kb[i] || !sameJson((a as JsonObject)[ka[i]!], (b as JsonObject)[kb[i]!])) return false;
  return true;
}

const written = (v: unknown): boolean => v !== undefined && typeof v !== 'function' && typeof v !== 'symbol';
const arrayItem = (v: unknown): unknown => (written(v) ? v : null);
const jsonScalar = (v: unknown): unknown => (typeof v === 'number' && !Number.isFinite(v) ? null : v);
const hasToJson = (x: unknown): boolean => typeof x === 'object' && x !== null && typeof (x as { toJSON?: unknown }).toJSON === 'function';

/**
 * `next` with every part that equals the part at the same place in `old` — same keys in the
 * same order, same values — replaced by old's part, so a new version of a stored object holds
 * only what changed and shares the rest with the version before (a pod's status patch shares
 * its spec). Neither argument is changed: the containers on the way to a shared part are
 * copied. Key order is part of equality, so the value serializes exactly as `next` would.
 * Returns `old` itself when the two are equal.
 */
export function shareUnchanged<T>(next: T, old: unknown): T {
  return shared(next, old) as T;
}

function shared(a: unknown, b: unknown): unknown {
  if (a === b || typeof a !== 'object' || a === null || typeof b !== 'object' || b === null) return a === b ? b : a;
  if (Array.isArray(a)) {
    if (!Array.isArray(b)) return a;
    let equal = a.length === b.length;
    let out: unknown[] | null = null;
    for (let i = 0; i < a.length; i++) {
      const v = i < b.length ? shared(a[i], b[i]) : a[i];
      if (i >= b.length || v !== b[i]) equal = false;
      if (v !== a[i]) (out ??= a.slice())[i] = v;
    }
    return equal ? b : (out ?? a);
  }
  if (Array.isArray(b) || !isPlain(a) || !isPlain(b)) return a;
  // a's keys by for-in, which makes no array (this walks every part of every update): b's
  // list is still needed to compare the order.
  const kb = Object.keys(b);
  let equal = true;
  let i = 0;
  let out: JsonObject | null = null;
  for (const k in a) {
    if (!Object.hasOwn(a, k)) continue;
    if (kb[i++] !== k) equal = false;
    if (!Object.hasOwn(b, k)) continue;
    const v = shared(a[k], b[k]);
    if (v !== b[k]) equal = false;
    if (v !== a[k]) setOwn((out ??= copyTop(a)), k, v);
  }
  return equal && i === kb.length ? b : (out ?? a);
}

const isPlain = (x: object): x is JsonObject => {
  const proto = Object.getPrototypeOf(x);
  return proto === Object.prototype || proto === null;
};

/**
 * A shallow copy of `x`'s own keys in their order. A spread defines each key as an own property
 * (a `__proto__` key stays a plain key, as setOwn keeps it) in one step, where a store per key
 * was a fifth slower on the write path's many shapes.
 */
export function copyTop<T extends JsonObject>(x: T): T {
  return { ...x };
}

/**
 * The one empty object stored values share where a field set has a leaf (managedFields'
 * `"f:name": {}`, api/patch/fieldset.ts): frozen, so nobody can write into it, and kept as it
 * is by `clone`. A pod's field sets hold about 160 leaves in each of its copies (store, watch
 * window, kv history): one object for all of them saves about 9 KB of heap per pod.
 */
export const EMPTY: Readonly<JsonObject> = Object.freeze({});

/**
 * A deep copy of a JSON value: plain objects and arrays copied by hand (several times faster
 * than structuredClone, which serializes), anything else (bytes, dates) by structuredClone.
 */
export function clone<T>(x: T): T {
  return x === undefined ? x : (copy(x) as T);
}

/**
 * A deep copy of `x`, except the parts that are the same object as `kept`'s at the same place,
 * which stay as they are: the copy a writer may change in place, for a value made from a stored
 * one (which nobody changes) — the writer must not change those parts.
 */
export function cloneBeside<T>(x: T, kept: unknown): T {
  return copyBeside(x, kept) as T;
}

function copyBeside(x: unknown, kept: unknown): unknown {
  if (x === kept || typeof x !== 'object' || x === null || typeof kept !== 'object' || kept === null) return x === kept ? x : clone(x);
  if (Array.isArray(x)) {
    const out = new Array<unknown>(x.length);
    for (let i = 0; i < x.length; i++) out[i] = copyBeside(x[i], Array.isArray(kept) ? kept[i] : undefined);
    return out;
  }
  const proto = Object.getPrototypeOf(x);
  if (proto !== Object.prototype && proto !== null) return structuredClone(x);
  const out: JsonObject = {};
  for (const k in x) if (Object.hasOwn(x, k)) setOwn(out, k, copyBeside((x as JsonObject)[k], own(kept, k)));
  return out;
}

function copy(x: unknown): unknown {
  if (typeof x !== 'object' || x === null) return typeof x === 'function' ? structuredClone(x) : x;
  if (x === EMPTY) return x;
  if (Array.isArray(x)) {
    const out = new Array<unknown>(x.length);
    for (let i = 0; i < x.length; i++) out[i] = copy(x[i]);
    return out;
  }
  const proto = Object.getPrototypeOf(x);
  if (proto !== Object.prototype && proto !== null) return structuredClone(x);
  const out: JsonObject = {};
  // for-in, not Object.keys: no array of keys per object copied (own keys only, in the same order).
  for (const k in x) if (Object.hasOwn(x, k)) setOwn(out, k, copy((x as JsonObject)[k]));
  return out;
}

/**
 * The value `obj` holds under `key` as its own property. Keys in requests are data: an
 * inherited member (`__proto__`, `constructor`) is no field, and reaching it would hand the
 * caller a shared prototype to write into.
 */
export function own(obj: unknown, key: string | number): unknown {
  return (isObject(obj) || Array.isArray(obj)) && Object.hasOwn(obj, key) ? (obj as JsonObject)[key] : undefined;
}

/** Sets `obj[key]` as an own data property, even when `key` is `__proto__` (plain assignment would replace the prototype). */
export function setOwn(obj: JsonObject, key: string, value: unknown): void {
  if (key === '__proto__') Object.defineProperty(obj, key, { value, writable: true, enumerable: true, configurable: true });
  else obj[key] = value;
}

/** Reads a nested value by keys (own properties only); undefined when any step is missing. */
export function getPath(obj: unknown, keys: readonly string[]): unknown {
  let cur: unknown = obj;
  for (const k of keys) {
    if (!isObject(cur)) return undefined;
    cur = own(cur, k);
  }
  return cur;
}

/** Returns the object at `keys`, creating empty objects on the way (mutates `obj`). */
export function ensureObject(obj: JsonObject, keys: readonly string[]): JsonObject {
  let cur = obj;
  for (const k of keys) {
    const next = own(cur, k);
    if (isObject(next)) cur = next;
    else {
      const made: JsonObject = {};
      setOwn(cur, k, made);
      cur = made;
    }
  }
  return cur;
}

/** Freezes a JSON value and everything in it; parts already frozen (shared by earlier values) are not walked again. */
export function deepFreeze<T>(value: T): T {
  // Bytes cannot be frozen (an encrypted value in the store is one): they stay as they are.
  if (value && typeof value === 'object' && !Object.isFrozen(value) && !ArrayBuffer.isView(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}
