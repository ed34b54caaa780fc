/**
 * metadata.managedFields bookkeeping for ordinary writes (create, update, non-apply
 * patches): the manager takes ownership of what it changed, through api/patch/apply.ts.
 * Server-side apply records its own entry in the patch path.
 */
import type { KubeObject } from '../../bus/catalogue/api.ts';
import { recordUpdate } from '../../api/patch/apply.ts';
import type { KindInfo } from '../../api/kinds.ts';

/** `next`, an object of `kind`, with `manager`'s Update entry recorded against `old` (undefined on create). */
export function recordWrite(kind: KindInfo, old: KubeObject | undefined, next: KubeObject, manager: string, now: string): KubeObject {
  return recordUpdate(old, next, manager, kind, now);
}
