/**
 * Storage keys, laid out as the kube-apiserver lays them out in etcd:
 * `/registry/<group-resource>/<namespace>/<name>` for namespaced kinds and
 * `/registry/<group-resource>/<name>` for cluster-scoped ones. The group-resource is the
 * plural resource for the core group ("pods") and "<resource>.<group>" otherwise
 * ("deployments.apps"), so one prefix scan or watch never mixes two resources.
 */

/** The root every object key lives under; the watch cache holds one kv watch on it. */
export const REGISTRY_PREFIX = '/registry/';

/** Kubernetes' GroupResource string: "pods", "deployments.apps" (the kind registry's key). */
export { groupResource } from '../../api/kinds/key.ts';

/** Prefix of every key of one resource (all namespaces). */
export function resourcePrefix(gr: string): string {
  return `${REGISTRY_PREFIX}${gr}/`;
}

/** Prefix of one namespace's keys of a namespaced resource. */
export function namespacePrefix(gr: string, namespace: string): string {
  return `${REGISTRY_PREFIX}${gr}/${namespace}/`;
}

/** The key of one object; `namespace` is omitted for cluster-scoped kinds. */
export function objectStorageKey(gr: string, namespace: string | undefined, name: string): string {
  return namespace ? `${REGISTRY_PREFIX}${gr}/${namespace}/${name}` : `${REGISTRY_PREFIX}${gr}/${name}`;
}

/** The group-resource of an object key (its second segment), without splitting the rest. */
export function grOfKey(key: string): string {
  const end = key.indexOf('/', REGISTRY_PREFIX.length);
  return key.slice(REGISTRY_PREFIX.length, end < 0 ? undefined : end);
}

/** A key split back into its parts; null when the key is not an object key. */
export interface ParsedKey {
  gr: string;
  namespace: string;
  name: string;
}

export function parseStorageKey(key: string): ParsedKey | null {
  if (!key.startsWith(REGISTRY_PREFIX)) return null;
  const parts = key.slice(REGISTRY_PREFIX.length).split('/');
  if (parts.length === 2) return { gr: parts[0]!, namespace: '', name: parts[1]! };
  if (parts.length === 3) return { gr: parts[0]!, namespace: parts[1]!, name: parts[2]! };
  return null;
}
