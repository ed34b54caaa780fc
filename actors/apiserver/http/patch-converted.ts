/**
 * A patch at a version whose fields differ from the serving version's (a webhook or a
 * built-in kind's field conversion): the patch must apply to the object as the client sees it.
 *
 * Why at the front, as read, convert, patch, convert back, update: the core patches the
 * stored object at the serving version, and converting inside it would put an async webhook
 * call inside the core's write path and teach it versions it never serves. The front already
 * converts every verb; the update carries the resourceVersion it read as a precondition, so a
 * write in between makes it a 409 Conflict, and the whole round is tried again (as upstream's
 * patcher retries a conflict when the patch itself names no resourceVersion).
 */
import type { KubeObject, PatchType } from '../../../bus/catalogue/api.ts';
import { isConflict, unsupportedMediaType, type Result } from '../../../base/status.ts';
import { applyJsonPatch } from '../../../api/patch/json.ts';
import { applyMergePatch } from '../../../api/patch/merge.ts';
import { strategicMergePatch } from '../../../api/patch/strategic.ts';
import type { PatchKind } from '../../../api/patch/meta.ts';
import { isObject } from '../../../api/json.ts';
import { sendStatus } from './respond.ts';
import { setPfHeaders } from './flowcontrol.ts';
import type { WriteParams } from './query.ts';
import type { ResourceRequest } from './resources.ts';
import { toAsked, toServing, type FrontConversion } from './conversion.ts';
import { answer } from './write.ts';

/** Rounds tried before the last conflict is answered (upstream's patcher gives up after 5 too). */
const MAX_ROUNDS = 5;

function applyPatch(r: ResourceRequest, obj: KubeObject, patchType: Exclude<PatchType, 'apply'>, patch: unknown): Result<KubeObject> {
  if (patchType === 'json') return applyJsonPatch(obj, patch);
  if (patchType === 'merge') return applyMergePatch(obj, patch);
  const kind = r.kind as Partial<PatchKind>;
  // Custom resources have no Go struct tags to merge by: upstream refuses strategic merge patches for them.
  if (!kind.patchMeta || r.kind.conversion?.strategy === 'Webhook') {
    return { ok: false, status: unsupportedMediaType('the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml') };
  }
  return strategicMergePatch(obj, patch, kind as PatchKind);
}

const rvOf = (o: unknown): unknown => (isObject(o) && isObject(o.metadata) ? o.metadata.resourceVersion : undefined);

export async function patchAtAskedVersion(r: ResourceRequest, c: FrontConversion, patchType: Exclude<PatchType, 'apply'>, patch: unknown, params: WriteParams): Promise<void> {
  const opts = { timeoutMs: r.ctx.requestTimeoutMs };
  for (let round = 1; ; round++) {
    const read = await r.ctx.port.request(r.ctx.apiserver, 'api.get', { target: r.target, user: r.info.user }, opts);
    if (!read.ok) return sendStatus(r.res, read.status);
    const seen = await toAsked(c, read.value);
    if (!seen.ok) return sendStatus(r.res, seen.status);
    const patched = applyPatch(r, seen.value, patchType, patch);
    if (!patched.ok) return sendStatus(r.res, patched.status);
    // A patch that names a resourceVersion makes it a precondition; otherwise the one read is.
    const named = rvOf(patched.value) !== rvOf(seen.value);
    const object = named ? patched.value : { ...patched.value, metadata: { ...patched.value.metadata, resourceVersion: read.value.metadata?.resourceVersion } };
    const serving = await toServing(c, object as KubeObject);
    if (!serving.ok) return sendStatus(r.res, serving.status);
    const result = await r.ctx.port.request(r.ctx.apiserver, 'api.update', { target: r.target, user: r.info.user, ...params, object: serving.value }, opts);
    if (!result.ok && isConflict(result) && !named && round < MAX_ROUNDS) continue;
    setPfHeaders(r.res, result);
    return answer(r, result);
  }
}
