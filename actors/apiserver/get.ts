/**
 * api.get: resourceVersion "" reads storage (a quorum read, as Kubernetes does for a get),
 * "0" the cache as it is, N the cache once it has reached N. /scale answers the Scale view;
 * /status the whole object, as Kubernetes does.
 */
import type { KubeObject, PayloadShape } from './types.ts';
import { badRequest, fail, notFound, ok, type Result } from '../../base/status.ts';
import type { Call, ServerContext } from './context.ts';
import { awaitCache, parseRv } from './read-version.ts';
import type { ResourceInfo } from './resources.ts';
import { scaleOf } from './scale.ts';
import { readCurrent } from './store.ts';
import { objectStorageKey } from './storage-keys.ts';

export async function get(s: ServerContext, res: ResourceInfo, call: Call<PayloadShape<'api.get'>>): Promise<Result<KubeObject>> {
  const p = call.payload;
  const name = p.target.name;
  if (!name) return fail(badRequest('the name of the object is required'));
  const key = objectStorageKey(res.gr, res.namespaced ? p.target.namespace : undefined, name);
  const rv = parseRv(p.resourceVersion);
  if (!rv.ok) return rv;
  let obj: KubeObject | undefined;
  if (rv.value === null) {
    const cur = await readCurrent(s, key);
    if (!cur.ok) return cur;
    obj = cur.value?.obj;
  } else {
    if (rv.value > 0) {
      const w = await awaitCache(s, rv.value);
      if (!w.ok) return w;
    }
    const rc = s.cache.resources.get(res.gr);
    obj = rc?.items.get(key);
    const unreadable = obj ? undefined : rc?.unreadable.get(key);
    if (unreadable) return fail(unreadable);
  }
  if (!obj) return fail(notFound(res.resource, name, res.group || undefined));
  return ok(p.target.subresource === 'scale' ? scaleOf(obj, s.model.kind(res).scalePaths) : obj);
}
