/**
 * Server-side apply, simplified but honest. A field manager's applied configuration is merged
 * into the live object (lists merge by the strategic merge keys of meta.ts), field ownership
 * is recorded in metadata.managedFields (FieldsV1), and:
 * - a field the configuration sets to a value different from the live one, while another
 *   manager owns it, is a conflict (409) unless `force`, which takes the field over;
 * - a field this manager applied before and no longer applies is removed from the object
 *   unless another manager also owns it.
 * Simplifications against structured-merge-diff: ownership is computed from the object's
 * JSON shape with the strategic merge keys (not the OpenAPI list-map keys, so ports key on
 * containerPort alone); maps and structs carry no "." entries; no per-version conversion of
 * field sets; `apiVersion` of entries is whatever the caller passes.
 */
import { status, fail, ok, type Result, type StatusCause } from '../../base/status.ts';
import { clone, deepEqual, isObject } from '../json.ts';
import { RecentMap } from '../../base/lru.ts';
import { changedFields, fieldSetOf, isFieldSetOf, missingLeaves, withoutDots, formatPath, fromLeaves, ItemIndex, leaves, pathKey, removeAll, shareSet, valueAt, without, type FieldsV1 } from './fieldset.ts';
import type { KubeObject } from '../../base/object.ts';
import { apiVersionOf } from '../kinds/key.ts';
import type { PatchKind } from './meta.ts';
import { strategicMergePatch } from './strategic.ts';

export interface ManagedFieldsEntry {
  manager: string;
  operation: 'Apply' | 'Update';
  apiVersion: string;
  time: string;
  fieldsType: 'FieldsV1';
  fieldsV1: FieldsV1;
  subresource?: string;
}

export interface ApplyRequest {
  /** The live object, or undefined when apply creates it. */
  live: KubeObject | undefined;
  config: KubeObject;
  manager: string;
  /** The kind of the object (its descriptor): merge keys and the entry's apiVersion. */
  kind: PatchKind;
  /** RFC 3339 time to stamp on the entry (callers own the clock). */
  now: string;
  force?: boolean;
}

const entriesOf = (obj: unknown): ManagedFieldsEntry[] => {
  const m = isObject(obj) && isObject(obj.metadata) ? obj.metadata.managedFields : undefined;
  return Array.isArray(m) ? clone(m as ManagedFieldsEntry[]) : [];
};

/** Kubernetes' conflict Status: `Apply failed with 1 conflict: conflict with "m" using apps/v1: .spec.replicas`. */
export function conflictStatus(conflicts: ReadonlyArray<{ manager: string; apiVersion: string; path: string }>): ReturnType<typeof status> {
  const causes: StatusCause[] = conflicts.map((c) => ({ reason: 'FieldManagerConflict', message: `conflict with "${c.manager}" using ${c.apiVersion}`, field: c.path }));
  const first = conflicts[0];
  const message = conflicts.length === 1 && first
    ? `Apply failed with 1 conflict: conflict with "${first.manager}" using ${first.apiVersion}: ${first.path}`
    : `Apply failed with ${conflicts.length} conflicts: ${conflicts.map((c) => `conflict with "${c.manager}" using ${c.apiVersion}: ${c.path}`).join('\n')}`;
  return status(409, 'Conflict', message, { causes });
}

const pathSet = (paths: readonly string[][]): Set<string> => new Set(paths.map(pathKey));

/** Applies `config` for `manager`; the result carries the updated managedFields. */
export function serverSideApply(req: ApplyRequest): Result<KubeObject> {
  const { live, config, manager, kind, now } = req;
  const entries = entriesOf(live);
  const set = fieldSetOf(kind, config);
  const applied = leaves(set).filter((p) => p[p.length - 1] !== '.');
  const conflicts: Array<{ manager: string; apiVersion: string; path: string }> = [];
  const taken = new Map<ManagedFieldsEntry, string[][]>();
  const index = new ItemIndex();
  for (const e of entries) {
    if (e.manager === manager) continue;
    const owned = pathSet(leaves(e.fieldsV1 ?? {}));
    for (const p of applied) {
      if (!owned.has(pathKey(p))) continue;
      if (deepEqual(valueAt(live, p, index).value, valueAt(config, p, index).value)) continue;
      conflicts.push({ manager: e.manager, apiVersion: e.apiVersion, path: formatPath(p) });
      const paths = taken.get(e);
      if (paths) paths.push(p);
      else taken.set(e, [p]);
    }
  }
  if (conflicts.length && !req.force) return fail(conflictStatus(conflicts));

  const merged = strategicMergePatch(live ?? {}, config, kind);
  if (!merged.ok) return merged;
  const obj = merged.value;
  const mine = entries.find((e) => e.manager === manager && e.operation === 'Apply');
  const others = entries.filter((e) => e !== mine).map((e) => ({ ...e, fieldsV1: without(e.fieldsV1 ?? {}, taken.get(e) ?? []) }));
  if (mine) {
    const kept = pathSet([...leaves(set), ...others.flatMap((o) => leaves(o.fieldsV1))]);
    removeAll(obj, leaves(mine.fieldsV1 ?? {}).filter((p) => !kept.has(pathKey(p))));
  }
  const entry: ManagedFieldsEntry = { manager, operation: 'Apply', apiVersion: apiVersionOf(kind), time: now, fieldsType: 'FieldsV1', fieldsV1: set };
  const kept = others.filter((e) => leaves(e.fieldsV1).length > 0);
  const meta = isObject(obj.metadata) ? obj.metadata : (obj.metadata = {});
  meta.managedFields = [...kept, entry];
  return ok(obj);
}

/**
 * Records an ordinary write (create/update/patch) by `manager`: it takes ownership of every
 * field it changed or added, other managers lose those fields, and removed fields leave
 * every set.
 */
export function recordUpdate(old: unknown, next: KubeObject, manager: string, kind: PatchKind, now: string): KubeObject {
  // Read only: an entry that changes is a new object.
  const m = isObject(old) && isObject(old.metadata) ? old.metadata.managedFields : undefined;
  const entries = Array.isArray(m) ? (m as ManagedFieldsEntry[]) : [];
  // Stored objects are never changed in place (the watch cache shares them): a new top and metadata suffice.
  const out: KubeObject = { ...next, metadata: { ...(isObject(next.metadata) ? next.metadata : {}) } };
  const meta = isObject(out.metadata) ? out.metadata : (out.metadata = {});
  if (old === undefined) {
    // A create: the manager owns every field (every leaf of the set, "." aside), and there is nothing to take from others.
    const set = createdSet(kind, manager, next);
    meta.managedFields = set === undefined ? [] : [{ manager, operation: 'Update', apiVersion: apiVersionOf(kind), time: now, fieldsType: 'FieldsV1', fieldsV1: set }];
    return out;
  }
  const index = new ItemIndex();
  const changed = changedFields(kind, old, next, index);
  // Sets recordUpdate made hold only fields their object has, so a subtree `next` shares with `old` loses none;
  // server-side apply's sets (an Apply entry) are not held to that: walked whole.
  const whole = entries.some((e) => e.operation === 'Apply');
  const removed = entries.flatMap((e) => missingLeaves(e.fieldsV1 ?? {}, next, index, whole ? undefined : old));
  const cut = [...changed, ...removed];
  const cutKey = pathsKey(cut);
  const updated = entries.map((e) => {
    const set = e.fieldsV1 ?? {};
    const kept = WITHOUT.get(set, cutKey, () => {
      const kept = without(set, cut);
      return kept === set ? kept : shareSet(kept);
    });
    // An entry that loses nothing is the stored one (entries are never changed in place either).
    return kept === e.fieldsV1 ? e : { ...e, fieldsV1: kept };
  });
  const idx = updated.findIndex((e) => e.manager === manager && e.operation === 'Update');
  const priorSet = idx >= 0 ? updated[idx]!.fieldsV1 : EMPTY_SET;
  const entry: ManagedFieldsEntry = { manager, operation: 'Update', apiVersion: apiVersionOf(kind), time: now, fieldsType: 'FieldsV1', fieldsV1: UNION.get(priorSet, pathsKey(changed), () => shareSet(fromLeaves([...leaves(priorSet), ...changed]))) };
  // A set with no key has no leaf (and a leaf-less entry is dropped).
  const rest = updated.filter((e, i) => i !== idx && Object.keys(e.fieldsV1).length > 0);
  meta.managedFields = changed.length || Object.keys(priorSet).length ? [...rest, entry] : rest;
  return out;
}

/** The last create's set by kind and manager: its field set as built (owned here) and the entry's shared set. */
const lastCreated = new WeakMap<PatchKind, Map<string, { built: FieldsV1; set: FieldsV1 | undefined }>>();
/** Managers remembered per kind (each a few sets): past it the map starts again. */
const LAST_CREATED_MANAGERS = 256;

/** A create's entry set: its predecessor's (same kind, same manager) when its field set is the same, else made and shared. */
function createdSet(kind: PatchKind, manager: string, obj: KubeObject): FieldsV1 | undefined {
  let byManager = lastCreated.get(kind);
  if (!byManager) lastCreated.set(kind, (byManager = new Map()));
  const last = byManager.get(manager);
  if (last && isFieldSetOf(kind, obj, last.built)) return last.set;
  const built = fieldSetOf(kind, obj);
  const pruned = withoutDots(built);
  const set = pruned === undefined ? undefined : shareSet(pruned);
  if (byManager.size >= LAST_CREATED_MANAGERS && !last) byManager.clear();
  byManager.set(manager, { built, set });
  return set;
}

/** The frozen empty set: the prior set of a manager with no entry yet. */
const EMPTY_SET: FieldsV1 = Object.freeze({}) as FieldsV1;

/** Sets remembered (a 5,000-node cluster renews 5,000 Leases, each with a set of its own: its owner's uid is in it). */
const SET_MEMO_SETS = 32_768;
/** Path lists remembered per set. */
const SET_MEMO_KEYS = 16;

/** Paths as one string (JSON: unambiguous whatever a field name holds). */
const pathsKey = (paths: readonly string[][]): string => JSON.stringify(paths);

/**
 * What recordUpdate made of a stored (frozen, shared) set and a list of paths, remembered:
 * each Lease renewal changes the same leaf of its Lease's set, so the same `without` and union
 * were computed at every renewal (half of an update's cost at 5,000 idle nodes). Only frozen
 * sets are keys — they never change, so the answer holds. Sets not used lately go first when
 * full (a Lease's set is used every 10 s; a pod's few writes are soon over); plain Maps
 * underneath: no ephemerons to weigh on collections. Not an exact LRU: its reordering on every
 * hit took 0.6 s of kwok's 10,000-pod phase, most of the memo's time.
 */
class SetMemo {
  readonly #bySet = new RecentMap<FieldsV1, Map<string, FieldsV1>>(SET_MEMO_SETS);
  get(set: FieldsV1, key: string, make: () => FieldsV1): FieldsV1 {
    if (!Object.isFrozen(set)) return make();
    let byKey = this.#bySet.get(set);
    if (!byKey) this.#bySet.set(set, (byKey = new Map()));
    let made = byKey.get(key);
    if (made === undefined) {
      made = make();
      if (byKey.size < SET_MEMO_KEYS) byKey.set(key, made);
    }
    return made;
  }
}
const WITHOUT = new SetMemo();
const UNION = new SetMemo();
