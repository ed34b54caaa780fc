/**
 * metadata.managedFields bookkeeping for ordinary writes (create, update, non-apply
 * patches): the manager takes ownership of what it changed, through api/patch/apply.ts.
 * Server-side apply records its own entry in the patch path.
 */
import type { KubeObject } from '../../bus/catalogue/api.ts';
import { recordUpdate } from '../../api/patch/apply.ts';
import type { ResourceInfo } from './resources.ts';

/** "apps/v1/Deployment": the key api/patch uses for a kind's merge keys. */
export const gvkOf = (res: ResourceInfo): string => `${res.apiVersion}/${res.kind}`;

/** `next` with `manager`'s Update entry recorded against `old` (undefined on create). */
export function recordWrite(res: ResourceInfo, old: KubeObject | undefined, next: KubeObject, manager: string, now: string): KubeObject {
  return recordUpdate(old, next as Record<string, unknown>, manager, gvkOf(res), now) as KubeObject;
}
