/**
 * Small metadata rules the apiserver applies around storage: object keys and when
 * `metadata.generation` is bumped.
 */
import { deepEqual, isObject } from './json.ts';

/** The cache/store key of an object: "namespace/name", or "name" for cluster-scoped kinds. */
export function objectKey(namespace: string | undefined, name: string): string {
  return namespace ? `${namespace}/${name}` : name;
}

/** Splits an objectKey back into namespace ('' when cluster-scoped) and name. */
export function splitObjectKey(key: string): { namespace: string; name: string } {
  const i = key.indexOf('/');
  return i < 0 ? { namespace: '', name: key } : { namespace: key.slice(0, i), name: key.slice(i + 1) };
}

/**
 * True when the update changes something other than metadata and status — Kubernetes'
 * registry strategies bump `metadata.generation` exactly then (for kinds with a status
 * stanza; for the others, any spec-level change counts the same way).
 */
export function specChanged(oldObj: unknown, newObj: unknown): boolean {
  const a = isObject(oldObj) ? oldObj : {};
  const b = isObject(newObj) ? newObj : {};
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
  for (const k of keys) {
    if (k === 'metadata' || k === 'status' || k === 'apiVersion' || k === 'kind') continue;
    if (!deepEqual(a[k], b[k])) return true;
  }
  return false;
}

/** The generation the updated object should carry: old + 1 when the spec changed. */
export function nextGeneration(oldObj: unknown, newObj: unknown): number {
  const meta = isObject(oldObj) && isObject(oldObj.metadata) ? oldObj.metadata : {};
  const old = typeof meta.generation === 'number' ? meta.generation : 1;
  return specChanged(oldObj, newObj) ? old + 1 : old;
}
