/**
 * Kubernetes strategic merge patch (`application/strategic-merge-patch+json`): a merge patch
 * whose lists merge by the Go types' merge keys (meta.ts), with the directives `$patch`
 * (replace | merge | delete), `$retainKeys`, `$setElementOrder/<field>` and
 * `$deleteFromPrimitiveList/<field>`; null deletes a field.
 */
import { badRequest, fail, ok, type Result } from '../../base/status.ts';
import { clone, deepEqual, isObject, own, setOwn, type JsonObject } from '../json.ts';
import { listMeta, type PatchKind, type PatchMeta, type PatchMetaTable } from './meta.ts';

const DELETE = Symbol('delete');
const ORDER = '$setElementOrder/';
const DELETE_FROM = '$deleteFromPrimitiveList/';

class PatchError extends Error {}

/** Drops directive keys from a value that is taken as-is (atomic lists, new scalars). */
function strip(v: unknown): unknown {
  if (Array.isArray(v)) return v.filter((e) => !(isObject(e) && Object.keys(e).length === 1 && '$patch' in e)).map(strip);
  if (!isObject(v)) return v;
  const out: JsonObject = {};
  for (const [k, x] of Object.entries(v)) if (!k.startsWith('$')) setOwn(out, k, strip(x));
  return out;
}

const sameItem = (meta: PatchMeta, a: unknown, b: unknown): boolean =>
  meta.key ? isObject(a) && isObject(b) && deepEqual(a[meta.key], b[meta.key]) : deepEqual(a, b);

// Lists are matched through maps of primitive merge-key values (what real merge keys hold):
// a patch of n items on a list of m costs n + m, not n × m.
const primitive = (v: unknown): boolean => typeof v !== 'object' || v === null;
const NONE = Symbol('none');
const idOf = (meta: PatchMeta, x: unknown): unknown => (meta.key ? (isObject(x) && primitive(x[meta.key]) ? x[meta.key] : NONE) : primitive(x) ? x : NONE);

/** Applies `$setElementOrder`: items named in `order` take, in that order, the slots such items hold. */
function reorder(list: unknown[], order: unknown[], meta: PatchMeta): unknown[] {
  const rank = new Map<unknown, number>();
  order.forEach((o, i) => {
    const id = idOf(meta, o);
    if (id !== NONE && !rank.has(id)) rank.set(id, i);
  });
  const inOrder = (item: unknown): number => {
    const id = idOf(meta, item);
    return id !== NONE ? (rank.get(id) ?? -1) : order.findIndex((o) => sameItem(meta, item, o));
  };
  const named = list.filter((i) => inOrder(i) >= 0).sort((a, b) => inOrder(a) - inOrder(b));
  let next = 0;
  return list.map((i) => (inOrder(i) >= 0 ? named[next++] : i));
}

/** `orig` is the caller's private copy: merged in place. */
function mergeList(table: PatchMetaTable, orig: unknown, patch: unknown[], path: string): unknown[] {
  const meta = listMeta(table, path);
  if (patch.some((e) => isObject(e) && e.$patch === 'replace')) return strip(patch) as unknown[];
  if (!meta) return strip(patch) as unknown[];
  const result = Array.isArray(orig) ? orig : [];
  if (!meta.key) {
    const present = new Set(result.filter(primitive));
    for (const v of patch) {
      if (isObject(v) || Array.isArray(v)) throw new PatchError(`unable to find api field in struct for the primitive list ${path}`);
      if (!present.has(v)) {
        present.add(v);
        result.push(v);
      }
    }
    return result;
  }
  const key = meta.key;
  const slots = new Map<unknown, number>();
  result.forEach((e, i) => {
    const id = idOf(meta, e);
    if (id !== NONE && !slots.has(id)) slots.set(id, i);
  });
  const removed = new Set<number>();
  const find = (v: unknown): number =>
    primitive(v) ? (slots.get(v) ?? -1) : result.findIndex((e, i) => !removed.has(i) && isObject(e) && deepEqual(e[key], v));
  const drop = (at: number, v: unknown): void => {
    removed.add(at);
    slots.delete(v);
  };
  for (const p of patch) {
    if (!isObject(p)) throw new PatchError(`patch for a list with merge key ${key} must hold objects: ${JSON.stringify(p)}`);
    if (!Object.hasOwn(p, key)) throw new PatchError(`map: ${JSON.stringify(p)} does not contain declared merge key: ${key}`);
    const at = find(p[key]);
    if (p.$patch === 'delete') {
      if (at >= 0) drop(at, p[key]);
      continue;
    }
    const merged = mergeMap(table, at >= 0 && isObject(result[at]) ? (result[at] as JsonObject) : undefined, p, `${path}[]`);
    if (merged === DELETE) {
      if (at >= 0) drop(at, p[key]);
    } else if (at >= 0) result[at] = merged;
    else {
      result.push(merged);
      if (primitive(p[key])) slots.set(p[key], result.length - 1);
    }
  }
  return removed.size ? result.filter((_, i) => !removed.has(i)) : result;
}

function mergeMap(table: PatchMetaTable, orig: JsonObject | undefined, patch: JsonObject, path: string): JsonObject | typeof DELETE {
  const directive = patch.$patch;
  if (directive === 'delete') return DELETE;
  if (directive === 'replace') return strip(patch) as JsonObject;
  if (directive !== undefined && directive !== 'merge') throw new PatchError(`Unknown patch type: ${String(directive)} in map: ${JSON.stringify(patch)}`);
  const result: JsonObject = orig ?? {};
  const retain = patch.$retainKeys;
  if (retain !== undefined) {
    if (!Array.isArray(retain)) throw new PatchError('invalid patch: $retainKeys must be a list');
    const kept = new Set(retain);
    for (const k of Object.keys(result)) if (!kept.has(k)) delete result[k];
  }
  const at = (k: string): string => (path ? `${path}.${k}` : k);
  for (const [k, v] of Object.entries(patch)) {
    if (!k.startsWith(DELETE_FROM)) continue;
    const field = k.slice(DELETE_FROM.length);
    if (!Array.isArray(v)) throw new PatchError(`invalid patch: ${k} must be a list`);
    const cur = own(result, field);
    const gone = v.every(primitive) ? new Set(v) : undefined;
    if (Array.isArray(cur)) setOwn(result, field, cur.filter((e) => !(gone ? gone.has(e) : v.some((d) => deepEqual(d, e)))));
  }
  for (const [k, v] of Object.entries(patch)) {
    if (k.startsWith('$')) continue;
    const cur = own(result, k);
    if (v === null) delete result[k];
    else if (isObject(v)) {
      const m = mergeMap(table, isObject(cur) ? cur : undefined, v, at(k));
      if (m === DELETE) delete result[k];
      else setOwn(result, k, m);
    } else if (Array.isArray(v)) setOwn(result, k, mergeList(table, cur, v, at(k)));
    else setOwn(result, k, v);
  }
  for (const [k, v] of Object.entries(patch)) {
    if (!k.startsWith(ORDER)) continue;
    const field = k.slice(ORDER.length);
    const cur = own(result, field);
    if (!Array.isArray(v)) throw new PatchError(`invalid patch: ${k} must be a list`);
    if (Array.isArray(cur)) setOwn(result, field, reorder(cur, v, listMeta(table, at(field)) ?? { strategy: 'merge' }));
  }
  return result;
}

/**
 * Applies a strategic merge patch to `original`, an object of `kind` (its descriptor: lists
 * merge by its patch metadata). Malformed patches are 400 BadRequest.
 */
export function strategicMergePatch<T>(original: T, patch: unknown, kind: PatchKind): Result<T> {
  if (!isObject(patch)) return fail(badRequest('json: cannot unmarshal non-object into Go value of type map[string]interface {}'));
  try {
    // One private copy, merged in place all the way down (a copy per level would cost size × depth).
    const r = mergeMap(kind.patchMeta, isObject(original) ? clone(original) : undefined, patch, '');
    return ok((r === DELETE ? {} : r) as T);
  } catch (e) {
    if (e instanceof PatchError) return fail(badRequest(e.message));
    throw e;
  }
}
