/**
 * Several served versions of a kind, at the HTTP front: the apiserver serves the kind at one
 * version (its descriptor's `version`, the storage version); each other served version is
 * listed in discovery and OpenAPI as a kind of its own that names the version it is served
 * through (`servedAs`), and the front converts objects on the way in (to the served version)
 * and out (to the version asked for) through the kind's converter (api/conversion/converter.ts).
 */
import type { ServedKind } from '../discovery/types.ts';

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
