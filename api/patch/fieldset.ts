/**
 * Field sets in the FieldsV1 notation of metadata.managedFields: "f:<field>" for struct and
 * map fields, "k:{<merge key>}" for items of keyed lists, "v:<value>" for items of merged
 * scalar lists, and "." for an item itself. Lists that do not merge are one leaf.
 */
import { ensureObject, isObject } from '../json.ts';
import { listMeta } from './meta.ts';

export type FieldsV1 = { [token: string]: FieldsV1 };

/** Top-level fields apply never owns: identity, server-set metadata and status. */
const SKIP_META = new Set(['name', 'namespace', 'uid', 'resourceVersion', 'generation', 'creationTimestamp', 'managedFields', 'selfLink', 'deletionTimestamp', 'deletionGracePeriodSeconds']);

function build(gvk: string, v: unknown, path: string): FieldsV1 {
  const out: FieldsV1 = {};
  if (!isObject(v)) return out;
  for (const [k, x] of Object.entries(v)) {
    if (!path && (k === 'apiVersion' || k === 'kind' || k === 'status')) continue;
    if (path === 'metadata' && SKIP_META.has(k)) continue;
    const p = path ? `${path}.${k}` : k;
    if (Array.isArray(x)) {
      const meta = listMeta(gvk, p);
      if (!meta) out[`f:${k}`] = {};
      else {
        const items: FieldsV1 = {};
        for (const item of x) {
          if (meta.key && isObject(item)) items[`k:${JSON.stringify({ [meta.key]: item[meta.key] })}`] = { '.': {}, ...build(gvk, item, `${p}[]`) };
          else items[`v:${JSON.stringify(item)}`] = {};
        }
        out[`f:${k}`] = items;
      }
    } else if (isObject(x) && Object.keys(x).length > 0) out[`f:${k}`] = build(gvk, x, p);
    else out[`f:${k}`] = {};
  }
  return out;
}

/** The field set of an object of kind `gvk` ("apps/v1/Deployment"). */
export function fieldSetOf(gvk: string, obj: unknown): FieldsV1 {
  return build(gvk, obj, '');
}

/** Every leaf of a set as its token path (a set stored by a client may hold anything: a non-object is a leaf). */
export function leaves(set: FieldsV1, prefix: string[] = []): string[][] {
  return Object.entries(set).flatMap(([k, v]) => (!isObject(v) || Object.keys(v).length === 0 ? [[...prefix, k]] : leaves(v, [...prefix, k])));
}

/** A set holding exactly `paths` (tokens are own keys: "constructor" is a token like any other). */
export function fromLeaves(paths: readonly string[][]): FieldsV1 {
  const root: FieldsV1 = {};
  for (const p of paths) ensureObject(root, p);
  return root;
}

/** The JSON after a "k:" or "v:" token; undefined when a stored set holds garbage. */
function tokenJson(t: string): unknown {
  try {
    return JSON.parse(t.slice(2));
  } catch {
    return undefined;
  }
}

const key = (p: readonly string[]): string => p.join('\u0000');

/** Set difference on leaves. */
export function without(set: FieldsV1, remove: readonly string[][]): FieldsV1 {
  const drop = new Set(remove.map(key));
  return fromLeaves(leaves(set).filter((p) => !drop.has(key(p))));
}

export const samePath = (a: readonly string[], b: readonly string[]): boolean => key(a) === key(b);

/** Reads the value a token path points at; `found` false when it is absent. */
export function valueAt(obj: unknown, path: readonly string[]): { found: boolean; value?: unknown } {
  let cur: unknown = obj;
  for (const t of path) {
    if (t === '.') return { found: cur !== undefined, value: cur };
    if (t.startsWith('f:')) {
      if (!isObject(cur) || !Object.hasOwn(cur, t.slice(2))) return { found: false };
      cur = cur[t.slice(2)];
    } else if (t.startsWith('k:')) {
      const want = tokenJson(t);
      if (!isObject(want)) return { found: false };
      cur = Array.isArray(cur) ? cur.find((i) => isObject(i) && Object.entries(want).every(([k, v]) => Object.hasOwn(i, k) && i[k] === v)) : undefined;
      if (cur === undefined) return { found: false };
    } else if (t.startsWith('v:')) {
      const want = tokenJson(t);
      if (!Array.isArray(cur) || !cur.includes(want)) return { found: false };
      cur = want;
    }
  }
  return { found: true, value: cur };
}

/** Removes what a token path points at from `obj` (mutates); a "." leaf removes the list item. */
export function removeAt(obj: unknown, path: readonly string[]): void {
  const p = path[path.length - 1] === '.' ? path.slice(0, -1) : path;
  const last = p[p.length - 1];
  if (!last) return;
  const parent = valueAt(obj, p.slice(0, -1));
  if (!parent.found) return;
  const c = parent.value;
  if (last.startsWith('f:') && isObject(c)) delete c[last.slice(2)];
  else if (Array.isArray(c)) {
    const target = valueAt(c, [last]);
    const i = target.found ? c.indexOf(target.value) : -1;
    if (i >= 0) c.splice(i, 1);
  }
}

/** ".spec.containers[name=\"nginx\"].image": how conflicts name a field. */
export function formatPath(path: readonly string[]): string {
  return path.filter((t) => t !== '.').map((t) => {
    if (t.startsWith('f:')) return `.${t.slice(2)}`;
    if (t.startsWith('k:')) {
      const o = tokenJson(t);
      if (!isObject(o)) return `[${t.slice(2)}]`;
      return `[${Object.entries(o).map(([k, v]) => `${k}=${JSON.stringify(v)}`).join(',')}]`;
    }
    return `[=${t.slice(2)}]`;
  }).join('');
}
