/**
 * Field sets in the FieldsV1 notation of metadata.managedFields: "f:<field>" for struct and
 * map fields, "k:{<merge key>}" for items of keyed lists, "v:<value>" for items of merged
 * scalar lists, and "." for an item itself. Lists that do not merge are one leaf.
 */
import { copyTop, deepEqual, deepFreeze, EMPTY, isObject, own, setOwn, type JsonObject } from '../json.ts';
import { listMeta, type PatchKind, type PatchMetaTable } from './meta.ts';

export type FieldsV1 = { [token: string]: FieldsV1 };

/**
 * Every leaf of the sets built here is the one frozen EMPTY object (api/json.ts), and a set
 * left unchanged by `without` is the stored set itself: stored objects are never changed in
 * place, so their sets may share what did not change.
 */
const LEAF = EMPTY as FieldsV1;

/** Top-level fields apply never owns: identity, server-set metadata and status. */
const SKIP_META = new Set(['name', 'namespace', 'uid', 'resourceVersion', 'generation', 'creationTimestamp', 'managedFields', 'selfLink', 'deletionTimestamp', 'deletionGracePeriodSeconds']);

function build(meta: PatchMetaTable, v: unknown, path: string): FieldsV1 {
  const out: FieldsV1 = {};
  if (!isObject(v)) return out;
  for (const [k, x] of Object.entries(v)) {
    if (skipped(path, k)) continue;
    out[`f:${k}`] = nodeOf(meta, x, path ? `${path}.${k}` : k);
  }
  return out;
}

/** Whether the field `k` of the object at `path` is left out of sets. */
const skipped = (path: string, k: string): boolean => (!path && (k === 'apiVersion' || k === 'kind' || k === 'status')) || (path === 'metadata' && SKIP_META.has(k));

/** The set below the field at `p` whose value is `x`: a list's items, an object's fields, or a leaf. */
function nodeOf(meta: PatchMetaTable, x: unknown, p: string): FieldsV1 {
  if (Array.isArray(x)) {
    const list = listMeta(meta, p);
    if (!list) return LEAF;
    const items: FieldsV1 = {};
    for (const item of x) {
      if (list.key && isObject(item)) items[itemToken(list.key, item)] = { '.': LEAF, ...build(meta, item, `${p}[]`) };
      else items[`v:${JSON.stringify(item)}`] = LEAF;
    }
    return items;
  }
  return isObject(x) && Object.keys(x).length > 0 ? build(meta, x, p) : LEAF;
}

const itemToken = (key: string, item: JsonObject): string => `k:${JSON.stringify({ [key]: item[key] })}`;

/** The field set of an object of `kind` (keyed lists by its patch metadata). */
export function fieldSetOf(kind: PatchKind, obj: unknown): FieldsV1 {
  return build(kind.patchMeta, obj, '');
}

/**
 * Whether `fieldSetOf(kind, obj)` is `set` (the same tokens in the same order, the same sets
 * below), found by walking `obj` against `set` without building anything but list items'
 * tokens: a create's set is usually its predecessor's (every pod of a ReplicaSet, every
 * Event of a component has the same one). A list with a repeated token answers false.
 */
export function isFieldSetOf(kind: PatchKind, obj: unknown, set: FieldsV1): boolean {
  return isObject(obj) ? sameFields(kind.patchMeta, obj, set, '', 0) : Object.keys(set).length === 0;
}

/** build(meta, v, path) is `set` from its key `from` on (1 past an item's "."). */
function sameFields(meta: PatchMetaTable, v: JsonObject, set: FieldsV1, path: string, from: number): boolean {
  const tokens = Object.keys(set);
  let j = from;
  for (const k of Object.keys(v)) {
    if (skipped(path, k)) continue;
    const t = tokens[j++];
    // t === `f:${k}`, without making the string.
    if (t === undefined || t.length !== k.length + 2 || !t.startsWith('f:') || t.indexOf(k, 2) !== 2) return false;
    if (!sameNode(meta, v[k], set[t]!, path ? `${path}.${k}` : k)) return false;
  }
  return j === tokens.length;
}

/** nodeOf(meta, x, p) is `below`. */
function sameNode(meta: PatchMetaTable, x: unknown, below: FieldsV1, p: string): boolean {
  if (Array.isArray(x)) {
    const list = listMeta(meta, p);
    if (!list) return below === LEAF;
    if (below === LEAF) return false;
    const tokens = Object.keys(below);
    if (tokens.length !== x.length) return false;
    for (let i = 0; i < x.length; i++) {
      const item = x[i];
      const keyed = list.key !== undefined && isObject(item);
      if (tokens[i] !== (keyed ? itemToken(list.key!, item) : `v:${JSON.stringify(item)}`)) return false;
      const sub = below[tokens[i]!]!;
      if (!keyed) {
        if (sub !== LEAF) return false;
      } else if (!isObject(sub) || Object.keys(sub)[0] !== '.' || !sameFields(meta, item, sub, `${p}[]`, 1)) return false;
    }
    return true;
  }
  if (isObject(x) && Object.keys(x).length > 0) return below !== LEAF && isObject(below) && sameFields(meta, x, below, p, 0);
  return below === LEAF;
}

/** Every leaf of a set as its token path (a set stored by a client may hold anything: a non-object is a leaf). */
export function leaves(set: FieldsV1, prefix: string[] = []): string[][] {
  return Object.entries(set).flatMap(([k, v]) => (!isObject(v) || Object.keys(v).length === 0 ? [[...prefix, k]] : leaves(v, [...prefix, k])));
}

/** A set holding exactly `paths` (tokens are own keys: "constructor" is a token like any other). */
export function fromLeaves(paths: readonly string[][]): FieldsV1 {
  const root: FieldsV1 = {};
  for (const p of paths) {
    let cur = root;
    p.forEach((t, i) => {
      const last = i === p.length - 1;
      const next = own(cur, t) as FieldsV1 | undefined;
      if (next !== undefined && (next !== LEAF || last)) cur = next;
      else {
        // A path through what was a leaf (only a garbage set has both) makes it an object of its own.
        const made = last ? LEAF : {};
        setOwn(cur, t, made);
        cur = made;
      }
    });
  }
  return root;
}

/**
 * `fromLeaves` of the set's leaves that are not ".": the same set without its items' "."
 * entries and without what then holds no leaf (undefined when nothing is left), every leaf
 * the one LEAF.
 */
export function withoutDots(set: FieldsV1): FieldsV1 | undefined {
  let out: FieldsV1 | undefined;
  for (const k of Object.keys(set)) {
    if (k === '.') continue;
    const v = set[k];
    const below = !isObject(v) || Object.keys(v).length === 0 ? LEAF : withoutDots(v);
    if (below !== undefined) setOwn((out ??= {}), k, below);
  }
  return out;
}

/** Sets already stored, by their JSON (see `shareSet`). */
const sharedSets = new Map<string, FieldsV1>();
/** The most sets kept for sharing; the map is emptied when full (a set then only stops being shared with later ones). */
const SHARED_SETS_MAX = 8192;

/**
 * One frozen object for every equal set, and for every equal subtree down to `depth` levels:
 * the Events one component writes all have the same set, and so do the status entries of a
 * kubelet's pods or the labels and containers of one ReplicaSet's pods (about 1 KB of heap
 * per pod in density). The set's JSON is the key, so equal means equal key order too.
 */
export function shareSet(set: FieldsV1, depth = 3): FieldsV1 {
  // A frozen set is one shareSet returned (or a stored one, frozen by the specs): taken as it is.
  // (Not a WeakSet of them: an ephemeron table of every stored set weighs on every collection.)
  if (set === LEAF || !isObject(set) || Object.isFrozen(set)) return set;
  let out = set;
  if (depth > 1) {
    for (const k of Object.keys(set)) {
      const child = set[k]!;
      if (!isObject(child) || child === LEAF) continue;
      const s = shareSet(child, depth - 1);
      if (s === child) continue;
      if (out === set) out = copyTop(set);
      setOwn(out, k, s);
    }
  }
  const key = JSON.stringify(out);
  const hit = sharedSets.get(key);
  if (hit) return hit;
  if (sharedSets.size >= SHARED_SETS_MAX) sharedSets.clear();
  deepFreeze(out);
  sharedSets.set(key, out);
  return out;
}

/** The JSON after a "k:" or "v:" token; undefined when a stored set holds garbage. */
function tokenJson(t: string): unknown {
  try {
    return JSON.parse(t.slice(2));
  } catch {
    return undefined;
  }
}

/** A token path as one string, for sets and maps of paths. */
export const pathKey = (p: readonly string[]): string => p.join('\u0000');

/**
 * Set difference on leaves (what `fromLeaves` of the leaves not removed builds). A subtree
 * that loses nothing is returned as it is, not copied.
 */
export function without(set: FieldsV1, remove: readonly string[][]): FieldsV1 {
  if (remove.length === 0) return set;
  const drop = new Set(remove.map(pathKey));
  const copy = (sub: FieldsV1, prefix: string): FieldsV1 | undefined => {
    const out: FieldsV1 = {};
    let kept = false;
    let changed = false;
    for (const [k, v] of Object.entries(sub)) {
      const key = prefix ? `${prefix}\u0000${k}` : k;
      const leaf = !isObject(v) || Object.keys(v).length === 0;
      const below = leaf ? (drop.has(key) ? undefined : LEAF) : copy(v, key);
      if (below !== v) changed = true;
      if (below === undefined) continue;
      setOwn(out, k, below);
      kept = true;
    }
    return !changed ? sub : kept ? out : undefined;
  };
  return copy(set, '') ?? {};
}

/**
 * The leaves of `set` that `obj` does not have (`valueAt(obj, p).found` false), in one walk:
 * a subtree `obj` lacks is taken whole.
 *
 * `old`, when given, is an object every leaf of `set` is in (the version `obj` replaces, whose
 * sets recordUpdate made): a subtree `obj` shares with it by identity has them all, and is not
 * walked.
 */
export function missingLeaves(set: FieldsV1, obj: unknown, index: ItemIndex, old?: unknown): string[][] {
  const out: string[][] = [];
  const walk = (sub: FieldsV1, hit: Hit, was: Hit | null, prefix: string[]): void => {
    for (const [t, below] of Object.entries(sub)) {
      const leaf = !isObject(below) || Object.keys(below).length === 0;
      // valueAt stops at ".": every path through it is found when the item is.
      const h = !hit.found ? hit : t === '.' ? { found: hit.value !== undefined, value: hit.value } : step(hit.value, t, index);
      if (!h.found) {
        const path = [...prefix, t];
        out.push(...(leaf ? [path] : leaves(below, path)));
      } else if (!leaf && t !== '.') {
        const w = was === null || !was.found ? null : step(was.value, t, index);
        if (w === null || !w.found || w.value !== h.value) walk(below, h, w, [...prefix, t]);
      }
    }
  };
  walk(set, { found: true, value: obj }, old === undefined ? null : { found: true, value: old }, []);
  return out;
}

/** Where a token path led: found, and the value there. */
type Hit = { found: boolean; value?: unknown };

const primitive = (v: unknown): boolean => typeof v !== 'object' || v === null;

/**
 * List items by their "k:"/"v:" token, each list indexed once: reading every leaf of an
 * object then costs the object's size, not its size times its lists' lengths. Only for
 * reads of objects that do not change meanwhile.
 */
export class ItemIndex {
  readonly #lists = new WeakMap<unknown[], Map<string, Map<string, unknown>>>();

  /** The first item of `list` that `want` (a parsed token) names; "v" items are the value itself. */
  find(list: unknown[], kind: 'k' | 'v', want: unknown): { found: boolean; value?: unknown } {
    const fields = kind === 'k' && isObject(want) ? Object.keys(want) : [];
    if (kind === 'k' ? !isObject(want) || !Object.values(want).every(primitive) : !primitive(want)) return { found: false };
    const signature = kind === 'k' ? JSON.stringify(fields) : 'v';
    let byList = this.#lists.get(list);
    if (!byList) this.#lists.set(list, (byList = new Map()));
    let items = byList.get(signature);
    if (!items) {
      items = new Map();
      for (const item of list) {
        const id = kind === 'v' ? (primitive(item) ? JSON.stringify(item) : undefined) : itemId(item, fields);
        if (id !== undefined && !items.has(id)) items.set(id, item);
      }
      byList.set(signature, items);
    }
    const id = JSON.stringify(kind === 'k' ? Object.fromEntries(fields.map((f) => [f, (want as JsonObject)[f]])) : want);
    return items.has(id) ? { found: true, value: items.get(id) } : { found: false };
  }
}

function itemId(item: unknown, fields: readonly string[]): string | undefined {
  if (!isObject(item) || !fields.every((f) => Object.hasOwn(item, f) && primitive(item[f]))) return undefined;
  return JSON.stringify(Object.fromEntries(fields.map((f) => [f, item[f]])));
}

/** Reads the value a token path points at; `found` false when it is absent. Pass an index when reading many paths of one object. */
export function valueAt(obj: unknown, path: readonly string[], index?: ItemIndex): { found: boolean; value?: unknown } {
  let hit: { found: boolean; value?: unknown } = { found: true, value: obj };
  for (const t of path) {
    if (t === '.') return { found: hit.value !== undefined, value: hit.value };
    hit = step(hit.value, t, index);
    if (!hit.found) return hit;
  }
  return hit;
}

/** One token of a path from `cur` ("." is handled by the caller: it is the item itself). */
function step(cur: unknown, t: string, index?: ItemIndex): { found: boolean; value?: unknown } {
  if (t.startsWith('f:')) {
    if (!isObject(cur) || !Object.hasOwn(cur, t.slice(2))) return { found: false };
    return { found: true, value: cur[t.slice(2)] };
  }
  if (t.startsWith('k:') || t.startsWith('v:')) {
    const want = tokenJson(t);
    if (!Array.isArray(cur)) return { found: false };
    const kind = t.startsWith('k:') ? 'k' : 'v';
    return index ? index.find(cur, kind, want) : linearFind(cur, kind, want);
  }
  return { found: true, value: cur };
}

/**
 * The leaves of `fieldSetOf(kind, next)`, "." leaves aside, whose value differs between `old`
 * and `next` (`valueAt` of each), in the set's order — without building the set where they
 * are equal: its tokens are made level by level from `next` as the walk goes down, a subtree
 * equal on both sides is skipped, and one absent from `old` is taken whole. So a status write
 * whose spec is the stored spec (shareUnchanged) compares it once, by identity, and builds
 * nothing of it; a create does not compare at all.
 */
export function changedFields(kind: PatchKind, old: unknown, next: unknown, index: ItemIndex): string[][] {
  const out: string[][] = [];
  if (isObject(next)) changedIn(kind.patchMeta, next, '', { found: true, value: old }, { found: true, value: next }, [], index, out);
  return out;
}

const sameHit = (o: Hit, n: Hit): boolean => o.found === n.found && (!o.found || deepEqual(o.value, n.value));

/** The fields of `src` (at `path`) that `build` makes tokens of, each compared at `o` and `n`. */
function changedIn(meta: PatchMetaTable, src: JsonObject, path: string, o: Hit, n: Hit, prefix: string[], index: ItemIndex, out: string[][]): void {
  for (const k of Object.keys(src)) {
    if (skipped(path, k)) continue;
    const x = src[k];
    const p = path ? `${path}.${k}` : k;
    const t = `f:${k}`;
    // What nodeOf(meta, x, p) is, without making it: a leaf, a list's items or an object's fields.
    let list: ReturnType<typeof listMeta> | null = null;
    let leaf: boolean;
    if (Array.isArray(x)) {
      list = listMeta(meta, p) ?? null;
      leaf = !list || x.length === 0;
    } else if (isObject(x)) {
      const keys = Object.keys(x);
      leaf = keys.length === 0 || (p === 'metadata' && keys.every((m) => SKIP_META.has(m)));
    } else leaf = true;
    const oh = !o.found ? o : step(o.value, t, index);
    const nh = !n.found ? n : step(n.value, t, index);
    if (leaf) {
      if (!sameHit(oh, nh)) out.push([...prefix, t]);
    } else if (!oh.found && nh.found) {
      for (const q of leaves(nodeOf(meta, x, p), [...prefix, t])) if (q[q.length - 1] !== '.') out.push(q);
    } else if (!sameHit(oh, nh)) {
      if (list) changedItems(meta, x as unknown[], p, list.key, oh, nh, [...prefix, t], index, out);
      else changedIn(meta, x as JsonObject, p, oh, nh, [...prefix, t], index, out);
    }
  }
}

/** A scalar item's token stands for a leaf. */
const SCALAR_ITEM = Symbol('scalar item');

/** The items of a merged list, as nodeOf makes their tokens (a repeated token keeps its first place and its last item). */
function changedItems(meta: PatchMetaTable, x: unknown[], p: string, key: string | undefined, o: Hit, n: Hit, prefix: string[], index: ItemIndex, out: string[][]): void {
  const items = new Map<string, JsonObject | typeof SCALAR_ITEM>();
  for (const item of x) {
    if (key && isObject(item)) items.set(itemToken(key, item), item);
    else items.set(`v:${JSON.stringify(item)}`, SCALAR_ITEM);
  }
  for (const [t, item] of items) {
    const oh = !o.found ? o : step(o.value, t, index);
    const nh = !n.found ? n : step(n.value, t, index);
    if (item === SCALAR_ITEM) {
      if (!sameHit(oh, nh)) out.push([...prefix, t]);
    } else if (!oh.found && nh.found) {
      // Its set is "." and build's: no "." is a changed path.
      for (const q of leaves(build(meta, item, `${p}[]`), [...prefix, t])) if (q[q.length - 1] !== '.') out.push(q);
    } else if (!sameHit(oh, nh)) changedIn(meta, item, `${p}[]`, oh, nh, [...prefix, t], index, out);
  }
}

function linearFind(list: unknown[], kind: 'k' | 'v', want: unknown): { found: boolean; value?: unknown } {
  if (kind === 'v') return list.includes(want) ? { found: true, value: want } : { found: false };
  if (!isObject(want)) return { found: false };
  const item = list.find((i) => isObject(i) && Object.entries(want).every(([k, v]) => Object.hasOwn(i, k) && i[k] === v));
  return item === undefined ? { found: false } : { found: true, value: item };
}

/**
 * Removes what each token path points at from `obj` (mutates); a "." leaf removes the list
 * item. All targets are found first, then removed, each list filtered once.
 */
export function removeAll(obj: unknown, paths: readonly (readonly string[])[]): void {
  const index = new ItemIndex();
  const fields: Array<[JsonObject, string]> = [];
  const items = new Map<unknown[], Set<unknown>>();
  for (const path of paths) {
    const p = path[path.length - 1] === '.' ? path.slice(0, -1) : path;
    const last = p[p.length - 1];
    if (!last) continue;
    const parent = valueAt(obj, p.slice(0, -1), index);
    if (!parent.found) continue;
    const c = parent.value;
    if (last.startsWith('f:') && isObject(c)) fields.push([c, last.slice(2)]);
    else if (Array.isArray(c)) {
      const target = valueAt(c, [last], index);
      if (!target.found) continue;
      let drop = items.get(c);
      if (!drop) items.set(c, (drop = new Set()));
      drop.add(target.value);
    }
  }
  for (const [o, k] of fields) delete o[k];
  for (const [list, drop] of items) {
    let kept = 0;
    for (const item of list) if (!drop.has(item)) list[kept++] = item;
    list.length = kept;
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
