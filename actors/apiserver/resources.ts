/**
 * What the apiserver needs to know about a resource to serve it, resolved from an ApiTarget
 * through the kinds registry (api/kinds.ts). Unknown group/version/resource → 404 with
 * Kubernetes' "the server could not find the requested resource".
 */
import type { ApiTarget } from '../../bus/catalogue/api.ts';
import { fail, ok, status, type Result } from '../../base/status.ts';
import { groupResource, type GroupResource } from '../../api/kinds/key.ts';

export interface ResourceInfo {
  group: string;
  version: string;
  /** Plural: 'pods'. */
  resource: string;
  kind: string;
  listKind: string;
  /** 'apps/v1', or 'v1' for the core group. */
  apiVersion: string;
  namespaced: boolean;
  /** Has a status stanza served as the /status subresource (main updates ignore status). */
  hasStatus: boolean;
  /** Serves autoscaling/v1 Scale at /scale (spec.replicas, status.replicas, selector). */
  hasScale: boolean;
  /** PUT of a missing object creates it (Kubernetes' AllowCreateOnUpdate: leases, events, endpoints...). */
  allowCreateOnUpdate: boolean;
  /** 'pods', 'deployments.apps': the storage key segment and the group-qualified name in errors. */
  gr: GroupResource;
  /** The kind's subresources, as its descriptor lists them. */
  subresources: readonly string[];
  /** Served, not stored: the actor that answers get and list (aggregated.ts). */
  servedBy?: string;
}

/** Finds a resource by group, version and plural; null when the server does not serve it. */
export type ResourceLookup = (group: string, version: string, resource: string) => ResourceInfo | null;

export const resourceNotFound = () => status(404, 'NotFound', 'the server could not find the requested resource');

/** Subresources the apiserver actor serves (pods/log is the HTTP front's, streamed from the kubelet). */
const SERVED_HERE: ReadonlySet<string> = new Set(['status', 'scale', 'binding', 'eviction', 'token', 'finalize', 'approval']);

export function resolveTarget(lookup: ResourceLookup, target: ApiTarget): Result<ResourceInfo> {
  const res = lookup(target.group, target.version, target.resource);
  if (!res) return fail(resourceNotFound());
  if (target.subresource !== undefined && !(SERVED_HERE.has(target.subresource) && res.subresources.includes(target.subresource))) return fail(resourceNotFound());
  return ok(res);
}

/** Builds a ResourceInfo from the registry's facts, filling what follows from them. */
export function resourceInfo(r: Omit<ResourceInfo, 'gr' | 'apiVersion' | 'listKind' | 'subresources'> & { listKind?: string; subresources?: readonly string[] }): ResourceInfo {
  return {
    ...r,
    subresources: r.subresources ?? [],
    listKind: r.listKind ?? `${r.kind}List`,
    apiVersion: r.group ? `${r.group}/${r.version}` : r.version,
    gr: groupResource(r.group, r.resource),
  };
}
