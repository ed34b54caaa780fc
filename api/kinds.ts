/**
 * The kind registry of this process: the built-in kinds (kinds/builtin.ts, one descriptor
 * file each) in one live KindRegistry (kinds/registry.ts), and the lookups most callers use.
 * Loading this module fails fast when a descriptor is incomplete or two share a
 * group/resource, a group/version/kind, or a short name.
 */
import { BUILTIN_KINDS } from './kinds/builtin.ts';
import type { KindInfo } from './kinds/info.ts';
import { KindRegistry } from './kinds/registry.ts';

export type { KindInfo, KindSpec, KindStrategy, KubeObject, Subresource, Verb } from './kinds/info.ts';
export { apiVersionOf, groupResource, parseApiVersion, type GroupResource } from './kinds/key.ts';
export { KindRegistry, type KindsListener } from './kinds/registry.ts';

/** The registry every component of this process reads (the apiserver, its HTTP front, the controllers). */
export const kindRegistry = new KindRegistry(BUILTIN_KINDS);

/** Every registered kind now, in registration order. */
export function allKinds(): readonly KindInfo[] {
  return kindRegistry.all();
}

/** Lookup by URL parts: group ('' for core) and plural resource. */
export function kindByResource(group: string, resource: string): KindInfo | undefined {
  return kindRegistry.byResource(group, resource);
}

/** Lookup by an object's apiVersion and kind. */
export function kindByGvk(apiVersion: string, kind: string): KindInfo | undefined {
  return kindRegistry.byGvk(apiVersion, kind);
}

/** Resolves what a user typed (plural, singular, short name or Kind, any case) in any group. */
export function resolveResource(name: string): KindInfo | undefined {
  return kindRegistry.resolve(name);
}
