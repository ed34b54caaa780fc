/** RFC 7386 JSON merge patch (`application/merge-patch+json`): objects merge, null deletes, the rest replaces. */
import { badRequest, fail, ok, type Result } from '../../base/status.ts';
import { clone, isObject, own, setOwn } from '../json.ts';

/** Applies `patch` to `target` (neither is mutated). */
export function mergePatch(target: unknown, patch: unknown): unknown {
  if (!isObject(patch)) return clone(patch);
  const out: Record<string, unknown> = isObject(target) ? { ...target } : {};
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else setOwn(out, k, mergePatch(own(out, k), v));
  }
  return out;
}

/** The merge patch that turns `from` into `to` (what a client would send). */
export function createMergePatch(from: unknown, to: unknown): unknown {
  if (!isObject(from) || !isObject(to)) return clone(to);
  const patch: Record<string, unknown> = {};
  for (const k of Object.keys(from)) if (!Object.hasOwn(to, k)) setOwn(patch, k, null);
  for (const [k, v] of Object.entries(to)) {
    const f = own(from, k);
    if (JSON.stringify(f) === JSON.stringify(v)) continue;
    setOwn(patch, k, isObject(f) && isObject(v) ? createMergePatch(f, v) : clone(v));
  }
  return patch;
}

/** Applies a merge patch to a stored object; the patch must be a JSON object, as the apiserver requires. */
export function applyMergePatch<T>(obj: T, patch: unknown): Result<T> {
  if (!isObject(patch)) return fail(badRequest('json: cannot unmarshal non-object into Go value of type map[string]interface {}'));
  return ok(mergePatch(obj, patch) as T);
}
