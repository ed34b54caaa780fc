/**
 * Aggregated discovery (apidiscovery.k8s.io/v2 APIGroupDiscoveryList): every group,
 * version and resource in one document. kubectl asks for it first on /api (the core group
 * alone) and /apis (every named group).
 */
import { groupVersions, singularOf, subresourcesOf, type ServedKind } from './types.ts';

export interface APIGroupDiscoveryList {
  kind: 'APIGroupDiscoveryList';
  apiVersion: 'apidiscovery.k8s.io/v2';
  metadata: Record<string, never>;
  items: APIGroupDiscovery[];
}

export interface APIGroupDiscovery {
  metadata: { name: string; creationTimestamp: null };
  versions: { version: string; resources: APIResourceDiscovery[]; freshness: 'Current' }[];
}

export interface APIResourceDiscovery {
  resource: string;
  responseKind: { group: string; version: string; kind: string };
  scope: 'Namespaced' | 'Cluster';
  singularResource: string;
  verbs: string[];
  shortNames?: string[];
  categories?: string[];
  subresources?: { subresource: string; responseKind: { group: string; version: string; kind: string }; verbs: string[] }[];
}

/** `core` true: the document for /api (group ""); false: the one for /apis. */
export function aggregatedDiscovery(kinds: readonly ServedKind[], core: boolean): APIGroupDiscoveryList {
  const byGroup = new Map<string, APIGroupDiscovery>();
  for (const { group, version } of groupVersions(kinds)) {
    if ((group === '') !== core) continue;
    let g = byGroup.get(group);
    if (!g) byGroup.set(group, (g = { metadata: { name: group, creationTimestamp: null }, versions: [] }));
    const resources = kinds.filter((k) => k.group === group && k.version === version).map(resourceDiscovery);
    g.versions.push({ version, resources, freshness: 'Current' });
  }
  return { kind: 'APIGroupDiscoveryList', apiVersion: 'apidiscovery.k8s.io/v2', metadata: {}, items: [...byGroup.values()] };
}

function resourceDiscovery(k: ServedKind): APIResourceDiscovery {
  const r: APIResourceDiscovery = {
    resource: k.resource,
    responseKind: { group: k.group, version: k.version, kind: k.kind },
    scope: k.namespaced ? 'Namespaced' : 'Cluster',
    singularResource: singularOf(k),
    verbs: [...k.verbs],
  };
  if (k.shortNames?.length) r.shortNames = [...k.shortNames];
  if (k.categories?.length) r.categories = [...k.categories];
  const subs = subresourcesOf(k);
  if (subs.length) {
    r.subresources = subs.map((s) => ({
      subresource: s.name,
      responseKind: { group: s.group, version: s.version, kind: s.kind },
      verbs: s.verbs,
    }));
  }
  return r;
}
