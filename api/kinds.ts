/**
 * The registry of resource kinds: one table (kinds/table.ts), indexed here. Loading this
 * module fails fast when two rows share a group/resource, a group/version/kind, or a short name.
 */
import type { KindInfo } from './kinds/info.ts';
import { KIND_TABLE } from './kinds/table.ts';

export type { KindInfo, KubeObject, Subresource, Verb } from './kinds/info.ts';

/** Builds the indexes of a kind table; throws on any duplicate. Exported for tests. */
export function indexKinds(table: readonly KindInfo[]): {
  byResource: ReadonlyMap<string, KindInfo>;
  byGvk: ReadonlyMap<string, KindInfo>;
  byShortName: ReadonlyMap<string, KindInfo>;
} {
  const byResource = new Map<string, KindInfo>();
  const byGvk = new Map<string, KindInfo>();
  const byShortName = new Map<string, KindInfo>();
  const put = (m: Map<string, KindInfo>, k: string, v: KindInfo, what: string): void => {
    if (m.has(k)) throw new Error(`duplicate kind registration: ${what} ${k}`);
    m.set(k, v);
  };
  for (const k of table) {
    put(byResource, `${k.group}/${k.resource}`, k, 'resource');
    put(byGvk, `${apiVersionOf(k)}/${k.kind}`, k, 'kind');
    for (const s of k.shortNames) put(byShortName, `${k.group}/${s}`, k, 'short name');
  }
  return { byResource, byGvk, byShortName };
}

/** "v1" for the core group, "apps/v1" otherwise. */
export function apiVersionOf(info: Pick<KindInfo, 'group' | 'version'>): string {
  return info.group ? `${info.group}/${info.version}` : info.version;
}

/** Splits an apiVersion into group and version ("v1" → core). */
export function parseApiVersion(apiVersion: string): { group: string; version: string } {
  const i = apiVersion.lastIndexOf('/');
  return i < 0 ? { group: '', version: apiVersion } : { group: apiVersion.slice(0, i), version: apiVersion.slice(i + 1) };
}

/** Every registered kind, in table order. */
export const kinds: readonly KindInfo[] = KIND_TABLE;

const index = indexKinds(KIND_TABLE);

/** Lookup by URL parts: group ('' for core) and plural resource. */
export function kindByResource(group: string, resource: string): KindInfo | undefined {
  return index.byResource.get(`${group}/${resource}`);
}

/** Lookup by an object's apiVersion and kind. */
export function kindByGvk(apiVersion: string, kind: string): KindInfo | undefined {
  return index.byGvk.get(`${apiVersion}/${kind}`);
}

/** Resolves what a user typed (plural, singular, short name or Kind, any case) in any group. */
export function resolveResource(name: string): KindInfo | undefined {
  const n = name.toLowerCase();
  return kinds.find((k) => k.resource === n || k.singular === n || k.shortNames.includes(n));
}
