/**
 * The /openapi/v3 root: one entry per served group-version, each pointing at its document
 * with a content hash, so clients cache documents and fetch again only when one changes.
 * Every served group-version must be listed, or kubectl goes looking for CRDs.
 */
import { groupVersions, type ServedKind } from '../discovery/types.ts';
import { openapiPrefix } from './document.ts';

export interface OpenApiRoot {
  paths: Record<string, { serverRelativeURL: string }>;
}

/** `hashOf(prefix)` gives the hash of that prefix's document (the caller computes and caches it). */
export function openapiRoot(kinds: readonly ServedKind[], hashOf: (prefix: string) => string): OpenApiRoot {
  const paths: OpenApiRoot['paths'] = {};
  for (const { group, version } of groupVersions(kinds)) {
    const prefix = openapiPrefix(group, version);
    paths[prefix] = { serverRelativeURL: `/openapi/v3/${prefix}?hash=${hashOf(prefix)}` };
  }
  return { paths };
}

/** The group and version a root prefix names, or undefined for a prefix of another shape. */
export function parsePrefix(prefix: string): { group: string; version: string } | undefined {
  const parts = prefix.split('/');
  if (parts[0] === 'api' && parts.length === 2) return { group: '', version: parts[1]! };
  if (parts[0] === 'apis' && parts.length === 3) return { group: parts[1]!, version: parts[2]! };
  return undefined;
}
