/**
 * The apiserver's open watches (Kubernetes' cacheWatcher): each is fed from the watch
 * cache, filtered by namespace, label and field selector, and delivered in batches to the
 * watcher's bus address as `api.watch-events`. An object that stops matching is sent as
 * DELETED (its previous state, at the event's resourceVersion) and one that starts matching
 * as ADDED, so the watcher's view stays the filtered set.
 */
import type { KubeObject, WatchEvent } from '../../bus/catalogue/api.ts';
import type { Port } from '../../bus/bus.ts';
import { expired, type Status } from '../../base/status.ts';
import { decorate, type CacheEvent } from './watch-cache.ts';
import type { IndexedFilter } from './filter.ts';
import { REGISTRY_PREFIX } from './storage-keys.ts';
import { fieldValue } from '../../api/selectors/fields.ts';

/** Which objects a watch or list wants. */
export type ObjectFilter = (obj: KubeObject) => boolean;

export interface Watcher {
  id: string;
  address: string;
  gr: string;
  /** The kind's indexed field labels (its descriptor's `indexFields`), tried before metadata.name and metadata.namespace. */
  indexFields: readonly string[];
  /** The storage-key prefix the watch covers (a namespace's or the whole resource's). */
  prefix: string;
  filter: ObjectFilter;
  bookmarks: boolean;
  /** Kind/apiVersion a bookmark object carries. */
  kind: string;
  apiVersion: string;
  /** Batches sent so far (each batch carries its number, so the watcher can tell one was lost). */
  batches?: number;
  /** `batches` as the last progress heartbeat left it: unchanged at the next one means the watch was idle. */
  beat?: number;
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

/**
 * Field labels the watcher set indexes: the kind's own (Kubernetes' cacher indexes pods by
 * spec.nodeName), then metadata.name and metadata.namespace for every kind, in order of
 * preference: a watch is filed under the first one its selector pins to one value.
 */
const NAME = 'metadata.name';
const NAMESPACE = 'metadata.namespace';

/** An indexed field's value on an object, as fieldValue computes it ('' when absent). The namespace is the storage key's. */
function indexValue(field: string, obj: KubeObject, key: string, gr: string): string {
  if (field === NAMESPACE) return keyNamespace(key, gr);
  return fieldValue(obj, field);
}

/** The namespace segment of `/registry/<gr>/<ns>/<name>`; '' for a cluster-scoped key. */
function keyNamespace(key: string, gr: string): string {
  const from = REGISTRY_PREFIX.length + gr.length + 1;
  const slash = key.indexOf('/', from);
  return slash < 0 ? '' : key.slice(from, slash);
}

/** The field and value a watcher is filed under, or null (unindexed: it sees every event of its resource). */
export function indexTerm(w: Watcher): { field: string; value: string } | null {
  const exact = (w.filter as IndexedFilter).exact ?? [];
  for (const field of [...w.indexFields, NAME, NAMESPACE]) {
    const t = exact.find((e) => e.field === field);
    if (t) return t;
    if (field === NAMESPACE) {
      // A namespaced watch's prefix pins the namespace as well as a selector would.
      const rest = w.prefix.slice(REGISTRY_PREFIX.length + w.gr.length + 1);
      if (w.prefix.startsWith(REGISTRY_PREFIX) && rest.endsWith('/') && rest.length > 1 && rest.indexOf('/') === rest.length - 1) {
        return { field, value: rest.slice(0, -1) };
      }
    }
  }
  return null;
}

interface Entry {
  w: Watcher;
  bucket: Set<Watcher>;
  /** The index term the watcher is filed under (null: unindexed). */
  term: { field: string; value: string } | null;
}

/** One resource's watchers: the unindexed ones, and the rest by field → value. */
class GrWatchers {
  readonly entries = new Map<string, Entry>();
  readonly unindexed = new Set<Watcher>();
  readonly index = new Map<string, Map<string, Set<Watcher>>>();

  constructor(readonly gr: string) {}

  add(k: string, w: Watcher): void {
    this.delete(k);
    const term = indexTerm(w);
    let bucket = this.unindexed;
    if (term) {
      let byValue = this.index.get(term.field);
      if (!byValue) this.index.set(term.field, (byValue = new Map()));
      let b = byValue.get(term.value);
      if (!b) byValue.set(term.value, (b = new Set()));
      bucket = b;
    }
    bucket.add(w);
    this.entries.set(k, { w, bucket, term });
  }

  delete(k: string): boolean {
    const e = this.entries.get(k);
    if (!e) return false;
    this.entries.delete(k);
    e.bucket.delete(e.w);
    if (e.term && e.bucket.size === 0) {
      const byValue = this.index.get(e.term.field);
      byValue?.delete(e.term.value);
      if (byValue?.size === 0) this.index.delete(e.term.field);
    }
    return true;
  }

  /** Calls `fn` with every watcher that can see `ev` (each once). */
  candidates(ev: CacheEvent, fn: (w: Watcher) => void): void {
    for (const w of this.unindexed) fn(w);
    for (const [field, byValue] of this.index) {
      const v = indexValue(field, ev.object, ev.key, this.gr);
      const b = byValue.get(v);
      if (b) for (const w of b) fn(w);
      if (ev.prev !== undefined && ev.prev !== ev.object) {
        const pv = indexValue(field, ev.prev, ev.key, this.gr);
        if (pv !== v) {
          const pb = byValue.get(pv);
          if (pb) for (const w of pb) fn(w);
        }
      }
    }
  }
}

/**
 * Open watches by resource, indexed by the exact-match field their selector (or namespace)
 * pins, with batched delivery (one bus message per watcher per tick). An event reaches the
 * unindexed watchers and those filed under the event's object's — or its previous
 * state's — value, so an object that moves into or out of a watcher's selection still
 * reaches it (as ADDED or DELETED).
 */
export class WatcherSet {
  readonly #byGr = new Map<string, GrWatchers>();
  readonly #pending = new Map<string, { w: Watcher; events: WatchEvent[] }>();
  #scheduled = false;

  constructor(private readonly port: Port) {}

  add(w: Watcher): void {
    let m = this.#byGr.get(w.gr);
    if (!m) this.#byGr.set(w.gr, (m = new GrWatchers(w.gr)));
    m.add(wkey(w.address, w.id), w);
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
      for (const [k, e] of [...m.entries]) {
        if (e.w.address === address) {
          m.delete(k);
          this.#pending.delete(k);
          n++;
        }
      }
    }
    return n;
  }

  all(): Watcher[] {
    return [...this.#byGr.values()].flatMap((m) => [...m.entries.values()].map((e) => e.w));
  }

  get size(): number {
    let n = 0;
    for (const m of this.#byGr.values()) n += m.entries.size;
    return n;
  }

  /** Routes one resource's cache events to the watchers that can see them (per watcher in event order). */
  dispatch(gr: string, events: CacheEvent[]): void {
    const m = this.#byGr.get(gr);
    if (!m || m.entries.size === 0) return;
    for (const ev of events) {
      m.candidates(ev, (w) => {
        const out = toWatchEvent(w, ev);
        if (out) this.push(w, out);
      });
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
    for (const { w, events } of batches) {
      w.batches = (w.batches ?? 0) + 1;
      this.port.send(w.address, 'api.watch-events', { id: w.id, events, seq: w.batches });
    }
  }

  /**
   * A progress heartbeat (etcd's progress notify, in the shape of Kubernetes' bookmarks): a
   * BOOKMARK at `rv` to every watch that allows bookmarks and got no batch since the previous
   * heartbeat. A busy watch costs nothing: it already proves the stream alive, and the check is
   * one comparison of the batch counter the delivery keeps anyway.
   */
  heartbeat(rv: number): void {
    for (const m of this.#byGr.values()) {
      for (const { w } of m.entries.values()) {
        const sent = w.batches ?? 0;
        if (!w.bookmarks) continue;
        if (sent === (w.beat ?? 0)) {
          this.push(w, bookmark(w, rv));
          // The flush makes exactly one more batch (pending events of this tick join it).
          w.beat = sent + 1;
        } else {
          w.beat = sent;
        }
      }
    }
  }

  /** Ends every watch with `status` (as api.watch-ended) and forgets them. */
  endAll(status: Status): void {
    this.flush();
    for (const w of this.all()) this.port.send(w.address, 'api.watch-ended', { id: w.id, status: status as unknown as KubeObject });
    this.#byGr.clear();
  }
}
