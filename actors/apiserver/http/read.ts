import { badRequest } from '../../../base/status.ts';
import { tableFor } from '../../../api/tables/index.ts';
import type { IncludeObject } from '../../../api/tables/table.ts';
import type { JsonObject } from '../../../api/json.ts';
import { wantsTable } from './negotiate.ts';
import { listOptions } from './query.ts';
import { sendJson, sendStatus } from './respond.ts';
import type { ResourceRequest } from './resources.ts';
import { setPfHeaders } from './flowcontrol.ts';
import { listToAsked, toAsked } from './conversion.ts';

const TABLE_TYPE = 'application/json;as=Table;v=v1;g=meta.k8s.io';

/** `includeObject` as given, or null when it is not one of Kubernetes' three values. */
export function includeObjectOf(q: URLSearchParams): IncludeObject | null {
  const v = q.get('includeObject') ?? 'Metadata';
  return v === 'None' || v === 'Metadata' || v === 'Object' ? v : null;
}

/** GET of one object (or one subresource), as JSON or as a one-row Table. */
export async function serveGet(r: ResourceRequest): Promise<void> {
  const q = r.info.url.searchParams;
  const payload: { target: typeof r.target; user: typeof r.info.user; resourceVersion?: string } = { target: r.target, user: r.info.user };
  const rv = q.get('resourceVersion');
  if (rv !== null) payload.resourceVersion = rv;
  const result = await r.ctx.port.request(r.ctx.apiserver, 'api.get', payload, { timeoutMs: r.ctx.requestTimeoutMs });
  setPfHeaders(r.res, result);
  if (!result.ok) return sendStatus(r.res, result.status);
  const converted = await toAsked(r.conversion, result.value);
  if (!converted.ok) return sendStatus(r.res, converted.status);
  const obj = converted.value;
  if (r.target.subresource === undefined && wantsTable(r.info.accept)) {
    const include = includeObjectOf(q);
    if (!include) return sendStatus(r.res, badRequest(`includeObject: Unsupported value: "${q.get('includeObject')}"`));
    const rvOut = result.value.metadata?.resourceVersion;
    const table = tableFor(r.kind, [obj], { now: Date.now(), includeObject: include, listMeta: rvOut ? { resourceVersion: rvOut } : {} });
    return sendJson(r.res, table, 200, TABLE_TYPE);
  }
  sendJson(r.res, obj);
}

/** LIST, as a `<Kind>List` or a Table. */
export async function serveList(r: ResourceRequest): Promise<void> {
  const q = r.info.url.searchParams;
  const options = listOptions(q);
  if (!options.ok) return sendStatus(r.res, options.status);
  const table = wantsTable(r.info.accept);
  const include = includeObjectOf(q);
  if (table && !include) return sendStatus(r.res, badRequest(`includeObject: Unsupported value: "${q.get('includeObject')}"`));
  const result = await r.ctx.port.request(r.ctx.apiserver, 'api.list', { target: r.target, user: r.info.user, options: options.value }, { timeoutMs: r.ctx.requestTimeoutMs });
  setPfHeaders(r.res, result);
  if (!result.ok) return sendStatus(r.res, result.status);
  const converted = await listToAsked(r.conversion, result.value);
  if (!converted.ok) return sendStatus(r.res, converted.status);
  const list = converted.value as unknown as JsonObject & { items?: JsonObject[]; metadata?: JsonObject };
  if (!table) return sendJson(r.res, list);
  const m = list.metadata ?? {};
  const listMeta: { resourceVersion?: string; continue?: string; remainingItemCount?: number } = {};
  if (typeof m.resourceVersion === 'string') listMeta.resourceVersion = m.resourceVersion;
  if (typeof m.continue === 'string' && m.continue) listMeta.continue = m.continue;
  if (typeof m.remainingItemCount === 'number') listMeta.remainingItemCount = m.remainingItemCount;
  const items = (list.items ?? []).map((item) => withKind(item, r.kind.kind, list.apiVersion));
  sendJson(r.res, tableFor(r.kind, items, { now: Date.now(), includeObject: include ?? 'Metadata', listMeta }), 200, TABLE_TYPE);
}

/** List items travel without kind/apiVersion; a row's full object (includeObject=Object) needs them. */
function withKind(item: JsonObject, kind: string, apiVersion: unknown): JsonObject {
  if (item.kind && item.apiVersion) return item;
  return { apiVersion: typeof apiVersion === 'string' ? apiVersion : undefined, kind, ...item };
}
