import type { KubeObject, WriteReply } from '../../../bus/catalogue/api.ts';
import { badRequest, unsupportedMediaType, type Result } from '../../../base/status.ts';
import { readBody } from './body.ts';
import { deleteOptions, isTrue, listOptions, writeParams } from './query.ts';
import { sendJson, sendStatus } from './respond.ts';
import { warningHeaders } from './warning.ts';
import type { ResourceRequest } from './resources.ts';
import { setPfHeaders } from './flowcontrol.ts';
import { listToAsked, toAsked, toServing } from './conversion.ts';
import { patchAtAskedVersion } from './patch-converted.ts';

/**
 * Answers a write: 201 when it created the object, else `code`; warnings as Warning headers.
 * The write has happened by now, so nothing that goes wrong while answering may report it as
 * failed: a header Node refuses is logged and left out, and an object that cannot be encoded
 * is answered with the success code and a Success Status saying so.
 */
export async function answer(r: ResourceRequest, result: Result<WriteReply>, code = 200): Promise<void> {
  if (!result.ok) return sendStatus(r.res, result.status);
  const { created, warnings } = result.value;
  // Upstream converts the answer back too; when that fails the write has happened and the client sees the conversion error.
  const converted = await toAsked(r.conversion, result.value.object);
  if (!converted.ok) return sendStatus(r.res, converted.status);
  const object = converted.value;
  const success = created ? 201 : code;
  try {
    if (!r.res.headersSent) for (const w of warningHeaders(warnings ?? [])) r.res.appendHeader('Warning', w);
  } catch (err) {
    r.res.removeHeader('Warning');
    r.ctx.log.warn('write applied, its warnings could not be sent', { err, warnings });
  }
  try {
    sendJson(r.res, object, success);
  } catch (err) {
    r.ctx.log.error('write applied, its answer could not be sent', { err });
    const message = 'the write was applied; the resulting object could not be encoded';
    if (!r.res.headersSent) sendJson(r.res, { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', code: success, message }, success);
    else r.res.end();
  }
}

async function objectBody(r: ResourceRequest): Promise<Result<KubeObject>> {
  const body = await readBody(r.req);
  if (!body.ok) return body;
  const v = body.value.value;
  if (typeof v !== 'object' || v === null || Array.isArray(v)) {
    return { ok: false, status: badRequest('the request body must be a single Kubernetes object (a JSON or YAML mapping)') };
  }
  return toServing(r.conversion, v as KubeObject);
}

/** POST: create (or create a subresource: binding, eviction). Always 201 on success. */
export async function serveCreate(r: ResourceRequest): Promise<void> {
  const params = writeParams(r.info.url.searchParams);
  if (!params.ok) return sendStatus(r.res, params.status);
  const body = await objectBody(r);
  if (!body.ok) return sendStatus(r.res, body.status);
  const result = await r.ctx.port.request(r.ctx.apiserver, 'api.create', { target: r.target, user: r.info.user, ...params.value, object: body.value }, { timeoutMs: r.ctx.requestTimeoutMs });
  setPfHeaders(r.res, result);
  await answer(r, result, 201);
}

/** PUT: replace (200), or create when the kind allows create-on-update (201). */
export async function serveUpdate(r: ResourceRequest): Promise<void> {
  const params = writeParams(r.info.url.searchParams);
  if (!params.ok) return sendStatus(r.res, params.status);
  const body = await objectBody(r);
  if (!body.ok) return sendStatus(r.res, body.status);
  const result = await r.ctx.port.request(r.ctx.apiserver, 'api.update', { target: r.target, user: r.info.user, ...params.value, object: body.value }, { timeoutMs: r.ctx.requestTimeoutMs });
  setPfHeaders(r.res, result);
  await answer(r, result);
}

/** PATCH with one of the four patch types its Content-Type names; server-side apply may create (201). */
export async function servePatch(r: ResourceRequest): Promise<void> {
  const q = r.info.url.searchParams;
  const params = writeParams(q);
  if (!params.ok) return sendStatus(r.res, params.status);
  const body = await readBody(r.req);
  if (!body.ok) return sendStatus(r.res, body.status);
  const patchType = body.value.patchType;
  if (!patchType) {
    return sendStatus(r.res, unsupportedMediaType(`the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml, application/strategic-merge-patch+json`));
  }
  if (patchType === 'apply' && !params.value.fieldManager) {
    return sendStatus(r.res, badRequest('PatchOptions.meta.k8s.io "" is invalid: fieldManager: Required value: is required for apply patch'));
  }
  const c = r.conversion;
  if (c && !c.converter.rewritesOnly && patchType !== 'apply') return patchAtAskedVersion(r, c, patchType, body.value.value, params.value);
  let patch = body.value.value;
  // An apply configuration names its apiVersion: it is converted as a (partial) object to the serving version.
  if (c && patchType === 'apply' && typeof patch === 'object' && patch !== null && !Array.isArray(patch)) {
    const converted = await toServing(c, patch as KubeObject);
    if (!converted.ok) return sendStatus(r.res, converted.status);
    patch = converted.value;
  }
  const payload = { target: r.target, user: r.info.user, ...params.value, patchType, patch, force: isTrue(q.get('force')) };
  const result = await r.ctx.port.request(r.ctx.apiserver, 'api.patch', payload, { timeoutMs: r.ctx.requestTimeoutMs });
  setPfHeaders(r.res, result);
  await answer(r, result);
}

/**
 * DELETE of one object. Kubernetes answers 200 with a Success Status when the object is
 * gone, and 202 with the object while deletion waits (finalizers, graceful pod termination).
 */
export async function serveDelete(r: ResourceRequest): Promise<void> {
  const body = await readBody(r.req);
  if (!body.ok) return sendStatus(r.res, body.status);
  const options = deleteOptions(r.info.url.searchParams, body.value.value);
  if (!options.ok) return sendStatus(r.res, options.status);
  const dryRun = options.value.dryRun?.includes('All') === true;
  const payload = { target: r.target, user: r.info.user, options: options.value, ...(dryRun ? { dryRun } : {}) };
  const result = await r.ctx.port.request(r.ctx.apiserver, 'api.delete', payload, { timeoutMs: r.ctx.requestTimeoutMs });
  setPfHeaders(r.res, result);
  if (!result.ok) return sendStatus(r.res, result.status);
  const obj = result.value.object;
  const meta = obj.metadata ?? {};
  const pending = (meta.finalizers?.length ?? 0) > 0 || (meta.deletionGracePeriodSeconds ?? 0) > 0;
  if (pending) {
    const converted = await toAsked(r.conversion, obj);
    return converted.ok ? sendJson(r.res, converted.value, 202) : sendStatus(r.res, converted.status);
  }
  sendJson(r.res, {
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Success',
    details: { name: meta.name ?? r.target.name, group: r.kind.group, kind: r.kind.resource, uid: meta.uid },
  });
}

/** DELETE on a collection: every object the label/field selectors match. */
export async function serveDeleteCollection(r: ResourceRequest): Promise<void> {
  const q = r.info.url.searchParams;
  const body = await readBody(r.req);
  if (!body.ok) return sendStatus(r.res, body.status);
  const options = deleteOptions(q, body.value.value);
  if (!options.ok) return sendStatus(r.res, options.status);
  const list = listOptions(q);
  if (!list.ok) return sendStatus(r.res, list.status);
  const dryRun = options.value.dryRun?.includes('All') === true;
  const payload = { target: r.target, user: r.info.user, options: options.value, listOptions: list.value, ...(dryRun ? { dryRun } : {}) };
  const result = await r.ctx.port.request(r.ctx.apiserver, 'api.deletecollection', payload, { timeoutMs: r.ctx.requestTimeoutMs });
  setPfHeaders(r.res, result);
  if (!result.ok) return sendStatus(r.res, result.status);
  // The deleted objects are answered as a list at the asked version, like a list.
  const converted = Array.isArray((result.value as { items?: unknown }).items) ? await listToAsked(r.conversion, result.value) : { ok: true as const, value: result.value };
  if (!converted.ok) return sendStatus(r.res, converted.status);
  sendJson(r.res, converted.value);
}
