/**
 * The apiserver's open watches (Kubernetes' cacheWatcher): each is fed from the watch
 * cache, filtered by namespace, label and field selector, and delivered in batches to the
 * watcher's bus address as `api.watch-events`. An object that stops matching is sent as
 * DELETED (its previous state, at the event's resourceVersion) and one that starts matching
 * as ADDED, so the watcher's view stays the filtered set.
 */
import type { KubeObject, WatchEvent } from '../../bus/catalogue/api.ts';
import type { Port } from '../../bus/bus.ts';
import { expired, type Status } from '../../bus/status.ts';
import { decorate, type CacheEvent } from './watch-cache.ts';

/** Which objects a watch or list wants. */
export type ObjectFilter = (obj: KubeObject) => boolean;

export interface Watcher {
  id: string;
  address: string;
  gr: string;
  /** The storage-key prefix the watch covers (a namespace's or the whole resource's). */
  prefix: string;
  filter: ObjectFilter;
  bookmarks: boolean;
  /** Kind/apiVersion a bookmark object carries. */
  kind: string;
  apiVersion: string;
}

/** The event a watcher sees for a cache event, or null when neither side matches. */
export function toWatchEvent(w: Watcher, ev: CacheEvent): WatchEvent | null {
  if (!ev.key.startsWith(w.prefix)) return null;
  const cur = ev.type !== 'DELETED' && w.filter(ev.object);
  const old = ev.type === 'DELETED' ? w.filter(ev.object) : ev.prev !== undefined && w.filter(ev.prev);
  if (ev.type === 'DELETED') return old ? { type: 'DELETED', object: ev.object } : null;
  if (cur && old) return { type: 'MODIFIED', object: ev.object };
  if (cur) return { type: 'ADDED', object: ev.object };
  if (old) return { type: 'DELETED', object: decorate(ev.prev, ev.rv) };
  return null;
}

export const INITIAL_EVENTS_END = 'k8s.io/initial-events-end';

/** A BOOKMARK event: an object of the watched kind carrying only the resourceVersion. */
export function bookmark(w: Watcher, rv: number, initialEventsEnd = false): WatchEvent {
  const metadata: KubeObject['metadata'] = { resourceVersion: String(rv) };
  if (initialEventsEnd) metadata.annotations = { [INITIAL_EVENTS_END]: 'true' };
  return { type: 'BOOKMARK', object: { kind: w.kind, apiVersion: w.apiVersion, metadata } };
}

/** Kubernetes' message for a watch that asks for history the cache no longer holds. */
export function tooOld(requested: number, oldest: number): Status {
  return expired(`too old resource version: ${requested} (${oldest})`);
}

const wkey = (address: string, id: string): string => `${address}\u0000${id}`;

/** Open watches by resource, with batched delivery (one bus message per watcher per tick). */
export class WatcherSet {
  readonly #byGr = new Map<string, Map<string, Watcher>>();
  readonly #pending = new Map<string, { w: Watcher; events: WatchEvent[] }>();
  #scheduled = false;

  constructor(private readonly port: Port) {}

  add(w: Watcher): void {
    let m = this.#byGr.get(w.gr);
    if (!m) this.#byGr.set(w.gr, (m = new Map()));
    m.set(wkey(w.address, w.id), w);
  }

  remove(address: string, id: string): boolean {
    const k = wkey(address, id);
    this.#pending.delete(k);
    for (const m of this.#byGr.values()) if (m.delete(k)) return true;
    return false;
  }

  /** Drops every watch held by `address` (the address went away). */
  removeAddress(address: string): number {
    let n = 0;
    for (const m of this.#byGr.values()) {
      for (const [k, w] of m) {
        if (w.address === address) {
          m.delete(k);
          this.#pending.delete(k);
          n++;
        }
      }
    }
    return n;
  }

  all(): Watcher[] {
    return [...this.#byGr.values()].flatMap((m) => [...m.values()]);
  }

  get size(): number {
    let n = 0;
    for (const m of this.#byGr.values()) n += m.size;
    return n;
  }

  /** Routes one resource's cache events to its watchers. */
  dispatch(gr: string, events: CacheEvent[]): void {
    const m = this.#byGr.get(gr);
    if (!m) return;
    for (const w of m.values()) {
      for (const ev of events) {
        const out = toWatchEvent(w, ev);
        if (out) this.push(w, out);
      }
    }
  }

  /** Queues an event for a watcher; the queue is flushed once per microtask. */
  push(w: Watcher, ev: WatchEvent): void {
    const k = wkey(w.address, w.id);
    let p = this.#pending.get(k);
    if (!p) this.#pending.set(k, (p = { w, events: [] }));
    p.events.push(ev);
    if (!this.#scheduled) {
      this.#scheduled = true;
      queueMicrotask(() => this.flush());
    }
  }

  flush(): void {
    this.#scheduled = false;
    const batches = [...this.#pending.values()];
    this.#pending.clear();
    for (const { w, events } of batches) this.port.send(w.address, 'api.watch-events', { id: w.id, events });
  }

  /** Ends every watch with `status` (as api.watch-ended) and forgets them. */
  endAll(status: Status): void {
    this.flush();
    for (const w of this.all()) this.port.send(w.address, 'api.watch-ended', { id: w.id, status: status as unknown as KubeObject });
    this.#byGr.clear();
  }
}
