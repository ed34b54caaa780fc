/**
 * Several served versions of a custom resource with `conversion: None`, at the HTTP front:
 * the apiserver serves the kind at one version (its descriptor's `version`, the storage
 * version); each other served version is listed in discovery and OpenAPI as a kind of its
 * own that names the version it is served through (`servedAs`), and the front rewrites
 * apiVersion on the way in (to the served version) and out (to the version asked for).
 */
import type { ServedKind } from '../discovery/types.ts';
import { isObject, type JsonObject } from '../json.ts';

/** A registry kind as the front needs it for versions: ServedKind plus the versions and their schemas. */
export interface VersionedKind extends ServedKind {
  readonly servedVersions?: readonly string[];
  readonly versionSchemas?: Readonly<Record<string, Readonly<Record<string, unknown>>>>;
}

/** One entry per served version, in servedVersions' order (the preferred first); kinds with one version as they are. */
export function expandServedVersions<K extends VersionedKind>(kinds: readonly K[]): ServedKind[] {
  return kinds.flatMap((k): ServedKind[] => {
    const versions = k.servedVersions;
    if (!versions || versions.length < 2) return [k];
    return versions.map((v) => (v === k.version ? k : { ...k, version: v, servedAs: k.version, ...(k.versionSchemas?.[v] ? { openapiSchema: k.versionSchemas[v] } : {}) }));
  });
}

const rewrite = (o: unknown, from: string, to: string): unknown => (isObject(o) && o.apiVersion === from ? { ...o, apiVersion: to } : o);

/** The front's rewriting for a kind asked for at another version than the apiserver serves (undefined when none is needed). */
export function versionView(k: ServedKind): { in(obj: unknown): unknown; out(obj: unknown): unknown } | undefined {
  if (!k.servedAs || k.servedAs === k.version) return undefined;
  const asked = `${k.group}/${k.version}`;
  const served = `${k.group}/${k.servedAs}`;
  const conv = k.convertVersion;
  if (conv) {
    const inOne = (o: unknown): unknown => (isObject(o) && o.apiVersion === asked ? conv.toStored(o, asked) : o);
    const outOne = (o: unknown): unknown => (isObject(o) && o.apiVersion === served ? conv.fromStored(o, asked) : o);
    // A list's items may come without apiVersion and kind: converted all the same, and left without them.
    const outItem = (o: unknown): unknown => {
      if (!isObject(o) || o.apiVersion !== undefined) return outOne(o);
      const { apiVersion: _a, kind: _k, ...rest } = conv.fromStored({ ...o, apiVersion: served, kind: k.kind }, asked);
      return rest;
    };
    return {
      in: inOne,
      out(obj) {
        if (isObject(obj) && Array.isArray(obj.items)) return { ...rewrite(obj, served, asked) as JsonObject, items: obj.items.map(outItem) };
        return outOne(obj);
      },
    };
  }
  return {
    in: (obj) => rewrite(obj, asked, served),
    out(obj) {
      if (isObject(obj) && Array.isArray(obj.items)) return { ...rewrite(obj, served, asked) as JsonObject, items: obj.items.map((i) => rewrite(i, served, asked)) };
      return rewrite(obj, served, asked);
    },
  };
}
