/**
 * The one key the kind registry is looked up by: Kubernetes' GroupResource string, the plural
 * resource for the core group ("pods") and "<resource>.<group>" otherwise ("deployments.apps").
 * It is also the storage key segment and the group-qualified name in error messages.
 */

/** A GroupResource string ("pods", "cronjobs.batch"); build one with `groupResource`. */
export type GroupResource = string & { readonly __groupResource?: never };

/** Kubernetes' GroupResource string: "pods", "deployments.apps". */
export function groupResource(group: string, resource: string): GroupResource {
  return group ? `${resource}.${group}` : resource;
}

/** "v1" for the core group, "apps/v1" otherwise. */
export function apiVersionOf(info: { group: string; version: string }): string {
  return info.group ? `${info.group}/${info.version}` : info.version;
}

/** Splits an apiVersion into group and version ("v1" → core). */
export function parseApiVersion(apiVersion: string): { group: string; version: string } {
  const i = apiVersion.lastIndexOf('/');
  return i < 0 ? { group: '', version: apiVersion } : { group: apiVersion.slice(0, i), version: apiVersion.slice(i + 1) };
}
