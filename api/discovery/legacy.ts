/**
 * Legacy discovery: /api (APIVersions), /apis (APIGroupList), /apis/<group> (APIGroup) and
 * /api/v1, /apis/<group>/<version> (APIResourceList). The Python dynamic client and older
 * tools read these instead of the aggregated document.
 */
import { groupVersion, groupVersions, singularOf, subresourcesOf, type ServedKind } from './types.ts';

export interface APIResource {
  name: string;
  singularName: string;
  namespaced: boolean;
  group?: string;
  version?: string;
  kind: string;
  verbs: string[];
  shortNames?: string[];
  categories?: string[];
}

export interface APIGroup {
  name: string;
  versions: { groupVersion: string; version: string }[];
  preferredVersion: { groupVersion: string; version: string };
}

/** /api: the core group's versions. `serverAddress` is host:port as the client reached it. */
export function apiVersions(serverAddress: string) {
  return {
    kind: 'APIVersions',
    versions: ['v1'],
    serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress }],
  };
}

/** /apis: every named group with its versions (the first listed is preferred). */
export function apiGroupList(kinds: readonly ServedKind[]) {
  return { kind: 'APIGroupList', apiVersion: 'v1', groups: namedGroups(kinds) };
}

/** /apis/<group>, or undefined when the group is not served. */
export function apiGroup(kinds: readonly ServedKind[], group: string) {
  const g = namedGroups(kinds).find((x) => x.name === group);
  return g ? { kind: 'APIGroup', apiVersion: 'v1', ...g } : undefined;
}

/** /api/v1 or /apis/<group>/<version>, or undefined when that group-version is not served. */
export function apiResourceList(kinds: readonly ServedKind[], group: string, version: string) {
  const served = kinds.filter((k) => k.group === group && k.version === version);
  if (served.length === 0) return undefined;
  const resources: APIResource[] = [];
  for (const k of served) {
    const r: APIResource = { name: k.resource, singularName: singularOf(k), namespaced: k.namespaced, kind: k.kind, verbs: [...k.verbs] };
    if (k.shortNames?.length) r.shortNames = [...k.shortNames];
    if (k.categories?.length) r.categories = [...k.categories];
    resources.push(r);
    for (const s of subresourcesOf(k)) {
      const sub: APIResource = { name: `${k.resource}/${s.name}`, singularName: '', namespaced: k.namespaced, kind: s.kind, verbs: s.verbs };
      if (s.group !== k.group || s.version !== k.version) Object.assign(sub, { group: s.group, version: s.version });
      resources.push(sub);
    }
  }
  return { kind: 'APIResourceList', apiVersion: 'v1', groupVersion: groupVersion(group, version), resources };
}

function namedGroups(kinds: readonly ServedKind[]): APIGroup[] {
  const groups = new Map<string, APIGroup>();
  for (const { group, version } of groupVersions(kinds)) {
    if (group === '') continue;
    const gv = { groupVersion: groupVersion(group, version), version };
    const g = groups.get(group);
    if (g) g.versions.push(gv);
    else groups.set(group, { name: group, versions: [gv], preferredVersion: gv });
  }
  return [...groups.values()];
}
