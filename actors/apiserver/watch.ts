/**
 * api.watch / api.unwatch. A watch from resourceVersion N replays the cache's window after N
 * and then streams live; without one (or with sendInitialEvents) it first sends the current
 * objects as ADDED — then, when bookmarks are allowed and initial events were asked for, a
 * BOOKMARK annotated k8s.io/initial-events-end. A resourceVersion older than the window is
 * 410 Expired ("too old resource version").
 *
 * `watch` answers a Result plus a `start` to run right after the reply is sent: registering
 * and queueing the first events happen in the same tick, so no change falls in between, and
 * the reply reaches the watcher before its first events.
 */
import type { PayloadShape, WatchEvent } from './types.ts';
import { ok, type Result } from '../../base/status.ts';
import type { Call, ServerContext } from './context.ts';
import { buildFilter, singleName } from './filter.ts';
import { awaitCache, consistent, parseRv, tooOldVersion } from './read-version.ts';
import type { ResourceInfo } from './resources.ts';
import { namespacePrefix, resourcePrefix } from './storage-keys.ts';
import { bookmark, toWatchEvent as toEvent, type Watcher } from './watchers.ts';

type WatchPayload = PayloadShape<'api.watch'>;

export interface WatchStart {
  reply: Result<{ id: string; resourceVersion: string; progressNotifyMs?: number }>;
  /** Registers the watcher and queues its first events; call right after replying. */
  start?: () => void;
}

export async function watch(s: ServerContext, res: ResourceInfo, call: Call<WatchPayload>): Promise<WatchStart> {
  const p = call.payload;
  const filter = buildFilter(res, p.options);
  if (!filter.ok) return { reply: filter };
  const rv = parseRv(p.options?.resourceVersion);
  if (!rv.ok) return { reply: rv };
  const namespace = res.namespaced ? p.target.namespace : undefined;
  const w: Watcher = {
    id: p.id,
    address: call.from,
    gr: res.gr,
    indexFields: s.model.kind(res).indexFields,
    prefix: namespace ? namespacePrefix(res.gr, namespace) : resourcePrefix(res.gr),
    filter: filter.value,
    bookmarks: p.allowWatchBookmarks === true,
    kind: res.kind,
    apiVersion: res.apiVersion,
  };
  const initial = p.sendInitialEvents ?? (rv.value === null || rv.value === 0);

  if (initial) {
    // sendInitialEvents with "" is a consistent start; with N "not older than N".
    if (p.sendInitialEvents && rv.value === null) {
      const c = await consistent(s);
      if (!c.ok) return { reply: c };
    } else if (rv.value) {
      const c = await awaitCache(s, rv.value);
      if (!c.ok) return { reply: c };
    }
  } else if (rv.value !== null) {
    const c = await awaitCache(s, rv.value);
    if (!c.ok) return { reply: c };
    const rc = s.cache.resource(res.gr);
    if (rv.value < rc.windowStart) return { reply: { ok: false, status: tooOldVersion(rv.value, rc.windowStart + 1) } };
  }

  const from = rv.value ?? 0;
  return {
    // A watch that allows bookmarks learns the heartbeat period: silence for longer means a dead stream.
    reply: ok({ id: p.id, resourceVersion: String(s.cache.rv), ...(w.bookmarks && s.progressNotifyMs ? { progressNotifyMs: s.progressNotifyMs } : {}) }),
    start: () => {
      s.watchers.add(w);
      const rc = s.cache.resource(res.gr);
      const first: WatchEvent[] = [];
      // A watch of one object replays that key's events alone (5,000 kubelets starting at
      // once each filtered thousands of other Nodes' events in the window).
      const single = singleName(res, namespace, filter.value);
      const key = single === undefined ? undefined : w.prefix + single;
      if (initial) {
        for (const k of key !== undefined ? [key] : rc.sortedKeys()) {
          if (!k.startsWith(w.prefix)) continue;
          const obj = rc.items.get(k);
          if (obj && w.filter(obj)) first.push({ type: 'ADDED', object: obj });
        }
        if (p.sendInitialEvents && w.bookmarks) first.push(bookmark(w, s.cache.rv, true));
      } else {
        for (const ev of rc.eventsAfter(from)) {
          if (key !== undefined && ev.key !== key) continue;
          const out = toEvent(w, ev);
          if (out) first.push(out);
        }
      }
      for (const ev of first) s.watchers.push(w, ev);
    },
  };
}

export function unwatch(s: ServerContext, from: string, id: string): void {
  s.watchers.remove(from, id);
}
