/**
 * api.list and api.deletecollection, served from the watch cache: one resource's objects
 * under a namespace (or all), filtered by label and field selector, in key order, paged by
 * limit/continue. A continue token pins the snapshot revision, so every page of one list
 * is consistent; a token older than the cache's window is 410 Expired.
 */
import type { KubeObject, ListOptions, PayloadShape } from './types.ts';
import { badRequest, expired, fail, isNotFound, ok, type Result } from '../../base/status.ts';
import type { Call, ServerContext } from './context.ts';
import { buildFilter, hasSelector, singleName } from './filter.ts';
import { listSnapshot, tooOldVersion, type Snapshot } from './read-version.ts';
import type { ResourceInfo } from './resources.ts';
import { namespacePrefix, resourcePrefix } from './storage-keys.ts';
import { remove } from './delete.ts';

interface ContinueToken {
  v: 'meta.k8s.io/v1';
  rv: number;
  /** The key (relative to the list's prefix) to start after. */
  start: string;
}

export const encodeContinue = (rv: number, start: string): string =>
  Buffer.from(JSON.stringify({ v: 'meta.k8s.io/v1', rv, start } satisfies ContinueToken)).toString('base64url');

export function decodeContinue(token: string): Result<ContinueToken> {
  try {
    const t = JSON.parse(Buffer.from(token, 'base64url').toString()) as ContinueToken;
    if (t.v === 'meta.k8s.io/v1' && typeof t.rv === 'number' && typeof t.start === 'string') return ok(t);
  } catch {
    /* answered below */
  }
  return fail(badRequest('continue key is not valid: incorrect encoded start resourceVersion (version meta.k8s.io/v1)'));
}

const CONTINUE_EXPIRED =
  'The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter, or use the continue value from the response to re-try the list.';

export interface ListPage {
  items: KubeObject[];
  rv: number;
  continue?: string;
  remainingItemCount?: number;
}

/** Collects one page from the cache at `snap`. */
export function collect(s: ServerContext, res: ResourceInfo, namespace: string | undefined, opts: ListOptions | undefined, snap: Snapshot, startAfter = ''): Result<ListPage> {
  const filter = buildFilter(res, opts);
  if (!filter.ok) return filter;
  const rc = s.cache.resource(res.gr);
  if (snap.exact && snap.rv < rc.windowStart) return fail(tooOldVersion(snap.rv, rc.windowStart + 1));
  const items = snap.exact && snap.rv < s.cache.rv ? rc.itemsAt(snap.rv) : rc.items;
  const prefix = res.namespaced && namespace ? namespacePrefix(res.gr, namespace) : resourcePrefix(res.gr);
  // As etcd3's GetList: one value no provider can decrypt fails the whole list.
  for (const [key, st] of rc.unreadable) if (key.startsWith(prefix)) return fail(st);
  const out: KubeObject[] = [];
  const single = singleName(res, namespace, filter.value);
  if (single !== undefined) {
    const obj = single > startAfter ? items.get(prefix + single) : undefined;
    if (obj && filter.value(obj)) out.push(obj);
    return ok({ items: out, rv: snap.rv });
  }
  const keys = items === rc.items ? rc.sortedKeys() : [...items.keys()].sort();
  const limit = opts?.limit && opts.limit > 0 ? opts.limit : Infinity;
  let i = lowerBound(keys, prefix + startAfter);
  if (startAfter && keys[i] === prefix + startAfter) i++;
  let last = '';
  for (; i < keys.length; i++) {
    const k = keys[i]!;
    if (!k.startsWith(prefix)) break;
    if (out.length >= limit) break;
    const obj = items.get(k)!;
    last = k;
    if (filter.value(obj)) out.push(obj);
  }
  const page: ListPage = { items: out, rv: snap.rv };
  if (i < keys.length && keys[i]!.startsWith(prefix) && out.length >= limit) {
    page.continue = encodeContinue(snap.rv, last.slice(prefix.length));
    if (!hasSelector(opts)) {
      let n = 0;
      for (let j = i; j < keys.length && keys[j]!.startsWith(prefix); j++) n++;
      page.remainingItemCount = n;
    }
  }
  return ok(page);
}

function lowerBound(keys: string[], key: string): number {
  let lo = 0;
  let hi = keys.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (keys[mid]! < key) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

export async function listPage(s: ServerContext, res: ResourceInfo, namespace: string | undefined, opts: ListOptions | undefined): Promise<Result<ListPage>> {
  if (opts?.continue) {
    const t = decodeContinue(opts.continue);
    if (!t.ok) return t;
    if (t.value.rv < s.cache.resource(res.gr).windowStart) return fail(expired(CONTINUE_EXPIRED));
    return collect(s, res, namespace, opts, { rv: t.value.rv, exact: true }, t.value.start);
  }
  const snap = await listSnapshot(s, opts);
  if (!snap.ok) return snap;
  return collect(s, res, namespace, opts, snap.value);
}

export function listObject(res: ResourceInfo, page: ListPage): KubeObject {
  const metadata: Record<string, unknown> = { resourceVersion: String(page.rv) };
  if (page.continue) metadata.continue = page.continue;
  if (page.remainingItemCount !== undefined) metadata.remainingItemCount = page.remainingItemCount;
  return { kind: res.listKind, apiVersion: res.apiVersion, metadata, items: page.items };
}

export async function list(s: ServerContext, res: ResourceInfo, call: Call<PayloadShape<'api.list'>>): Promise<Result<KubeObject>> {
  const p = call.payload;
  const page = await listPage(s, res, res.namespaced ? p.target.namespace : undefined, p.options);
  return page.ok ? ok(listObject(res, page.value)) : page;
}

/** Deletes every object the list options select (each as api.delete would); answers the list of what was deleted or marked. */
export async function deleteCollection(s: ServerContext, res: ResourceInfo, call: Call<PayloadShape<'api.deletecollection'>>): Promise<Result<KubeObject>> {
  const p = call.payload;
  const namespace = res.namespaced ? p.target.namespace : undefined;
  const page = await listPage(s, res, namespace, { ...p.listOptions, limit: undefined, continue: undefined });
  if (!page.ok) return page;
  const done: KubeObject[] = [];
  for (const obj of page.value.items) {
    const target = { ...p.target, name: obj.metadata?.name, namespace: obj.metadata?.namespace };
    const r = await remove(s, res, { ...call, payload: { target, options: p.options, dryRun: p.dryRun } });
    if (r.ok) done.push(r.value.object);
    else if (!isNotFound(r)) return r;
  }
  return ok(listObject(res, { items: done, rv: s.cache.rv }));
}
