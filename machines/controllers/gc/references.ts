/**
 * The garbage collector's decisions about one object, as pure functions
 * (pkg/controller/garbagecollector/garbagecollector.go: classifyReferences,
 * attemptToDeleteItem's choice of action, the finalizer helpers of operations.go).
 */
import type { KubeObject } from '../../../base/object.ts';
import type { OwnerReference } from '../owners.ts';

/** Added by a Foreground delete: the owner goes only after its blocking dependents. */
export const FOREGROUND_FINALIZER = 'foregroundDeletion';
/** Added by an Orphan delete: the owner goes once its dependents no longer reference it. */
export const ORPHAN_FINALIZER = 'orphan';

export type PropagationPolicy = 'Background' | 'Foreground' | 'Orphan';

/** What a lookup of one owner reference found. */
export type OwnerState =
  /** The owner does not exist, or an object of that name has another uid. */
  | 'absent'
  /** The owner exists and is not waiting for its dependents. */
  | 'present'
  /** The owner exists, is being deleted and holds the foregroundDeletion finalizer. */
  | 'waiting'
  /** The reference cannot be resolved (unknown kind): left alone. */
  | 'unresolvable';

export interface ClassifiedReferences {
  solid: OwnerReference[];
  dangling: OwnerReference[];
  waitingForDependentsDeletion: OwnerReference[];
}

const hasFinalizer = (obj: KubeObject, f: string): boolean => obj.metadata?.finalizers?.includes(f) ?? false;

export const isBeingDeleted = (obj: KubeObject): boolean => obj.metadata?.deletionTimestamp !== undefined;
/** Being deleted in the foreground: dependents first. */
export const isDeletingDependents = (obj: KubeObject): boolean => isBeingDeleted(obj) && hasFinalizer(obj, FOREGROUND_FINALIZER);
/** Being deleted with its dependents orphaned. */
export const isOrphaning = (obj: KubeObject): boolean => isBeingDeleted(obj) && hasFinalizer(obj, ORPHAN_FINALIZER);

/** The state of an owner object found for `ref` (undefined: not found). */
export function ownerState(ref: OwnerReference, owner: KubeObject | undefined): OwnerState {
  if (!owner || owner.metadata?.uid !== ref.uid) return 'absent';
  return isDeletingDependents(owner) ? 'waiting' : 'present';
}

/** Sorts an object's references by what their owners' states are (unresolvable ones count as solid). */
export function classifyReferences(refs: readonly OwnerReference[], states: readonly OwnerState[]): ClassifiedReferences {
  const out: ClassifiedReferences = { solid: [], dangling: [], waitingForDependentsDeletion: [] };
  refs.forEach((ref, i) => {
    const s = states[i] ?? 'unresolvable';
    if (s === 'absent') out.dangling.push(ref);
    else if (s === 'waiting') out.waitingForDependentsDeletion.push(ref);
    else out.solid.push(ref);
  });
  return out;
}

/** What attemptToDeleteItem does with an object that is not itself being deleted. */
export type Action =
  | { type: 'none' }
  /** Some owner is still solid: drop dangling references and unblock waiting owners. */
  | { type: 'patchReferences'; ownerReferences: OwnerReference[] }
  | { type: 'delete'; propagationPolicy: PropagationPolicy };

export function decide(obj: KubeObject, c: ClassifiedReferences, hasDependents: boolean): Action {
  if (c.solid.length > 0) {
    if (c.dangling.length === 0 && c.waitingForDependentsDeletion.length === 0) return { type: 'none' };
    const gone = new Set(c.dangling.map((r) => r.uid));
    const waiting = new Set(c.waitingForDependentsDeletion.map((r) => r.uid));
    const refs = (obj.metadata?.ownerReferences ?? [])
      .filter((r) => !gone.has(r.uid))
      // A waiting owner must not wait for an object that some solid owner keeps alive.
      .map((r) => (waiting.has(r.uid) && r.blockOwnerDeletion ? { ...r, blockOwnerDeletion: false } : r));
    return { type: 'patchReferences', ownerReferences: refs };
  }
  // Every owner is gone or going; a dependent that has dependents of its own goes in the
  // foreground when an owner waits, so the owner keeps waiting for the whole subtree.
  if (c.waitingForDependentsDeletion.length > 0 && hasDependents) return { type: 'delete', propagationPolicy: 'Foreground' };
  if (hasFinalizer(obj, ORPHAN_FINALIZER)) return { type: 'delete', propagationPolicy: 'Orphan' };
  if (hasFinalizer(obj, FOREGROUND_FINALIZER)) return { type: 'delete', propagationPolicy: 'Foreground' };
  return { type: 'delete', propagationPolicy: 'Background' };
}

/** The dependent's reference to `ownerUid` holds the owner's deletion (blockOwnerDeletion). */
export function blocksOwner(dependent: KubeObject, ownerUid: string): boolean {
  return dependent.metadata?.ownerReferences?.some((r) => r.uid === ownerUid && r.blockOwnerDeletion === true) ?? false;
}

/** The references without those to `ownerUid` (orphaning). */
export function withoutOwner(dependent: KubeObject, ownerUid: string): OwnerReference[] {
  return (dependent.metadata?.ownerReferences ?? []).filter((r) => r.uid !== ownerUid);
}

/** The finalizers without `f`. */
export function withoutFinalizer(obj: KubeObject, f: string): string[] {
  return (obj.metadata?.finalizers ?? []).filter((x) => x !== f);
}

/** Owner uids referenced by either version whose references differ (added, removed or changed). */
export function changedOwners(old: KubeObject | undefined, cur: KubeObject | undefined): string[] {
  const a = old?.metadata?.ownerReferences ?? [], b = cur?.metadata?.ownerReferences ?? [];
  const key = (r: OwnerReference) => JSON.stringify([r.uid, r.name, r.kind, r.apiVersion, r.blockOwnerDeletion ?? false, r.controller ?? false]);
  const ka = new Set(a.map(key)), kb = new Set(b.map(key));
  const out = new Set<string>();
  for (const r of a) if (!kb.has(key(r))) out.add(r.uid);
  for (const r of b) if (!ka.has(key(r))) out.add(r.uid);
  return [...out];
}
