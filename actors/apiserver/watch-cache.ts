/**
 * The apiserver's watch cache (Kubernetes' cacher): every object under /registry/, kept
 * current by ONE kv watch, plus a bounded window of recent events per resource. Lists,
 * resourceVersion="0" gets and every api.watch are served from here, never from a scan
 * of storage.
 *
 * Objects are held as served: decorated with metadata.resourceVersion = the kv modRevision.
 * They are shared by reference with watchers and list replies and never mutated.
 */
import type { KubeObject } from '../../bus/catalogue/api.ts';
import type { KvEvent, KvRecord } from '../../bus/catalogue/kv.ts';
import type { Clock } from '../../base/clock.ts';
import type { Status } from '../../base/status.ts';
import { grOfKey, objectStorageKey, parseStorageKey } from './storage-keys.ts';
import { Unreadable } from './encryption/storage.ts';
import { deepFreeze } from '../../api/json.ts';
import { approxJsonSize, approxJsonSizeBeside } from '../../api/limits.ts';

export type CacheEventType = 'ADDED' | 'MODIFIED' | 'DELETED';

/** One change as the cache saw it; `prev` is the object before it (absent for ADDED). */
export interface CacheEvent {
  type: CacheEventType;
  rv: number;
  key: string;
  object: KubeObject;
  prev?: KubeObject;
}

/** Events kept per resource for watches that resume from a resourceVersion (Kubernetes keeps 100..100k, sized by load). */
export const DEFAULT_WINDOW = 4096;

/**
 * Bytes of objects (as JSON) the window of one resource may hold: 4,096 events of 1 MB
 * objects would otherwise pin 4 GB. Older events are dropped first; a watch resuming from
 * before the window is 410 Expired and re-lists, as for the count bound.
 */
export const DEFAULT_WINDOW_BYTES = 64 * 1024 * 1024;

/** The stored value with the served resourceVersion stamped on a copy of its metadata. */
export function decorate(value: unknown, rev: number): KubeObject {
  const obj = (value ?? {}) as KubeObject;
  return { ...obj, metadata: { ...obj.metadata, resourceVersion: String(rev) } };
}

/**
 * `KUBEACTOR_FREEZE=1` (the specs set it): every object the cache holds is deep-frozen, so
 * code that would change a shared object (a watcher, a list reply, an update's first
 * attempt) throws at once instead of corrupting what others read. Off in production: a
 * freeze costs a walk of every object.
 */
const FREEZE = process.env.KUBEACTOR_FREEZE === '1';
function held(obj: KubeObject): KubeObject {
  return FREEZE ? deepFreeze(obj) : obj;
}

/** One resource's objects and recent events. */
export class ResourceCache {
  readonly items = new Map<string, KubeObject>();
  /** Keys whose stored value no encryption provider can read, with what a read of them answers; never in `items` or events. */
  readonly unreadable = new Map<string, Status>();
  /** Recent events, oldest first, from index #head on (entries before it are dropped ones awaiting a chunked splice). */
  readonly #events: CacheEvent[] = [];
  /** Weight of each window event (parallel to #events). */
  readonly #weights: number[] = [];
  /**
   * The weight of each object an event brought (by key, until deleted): an event's object
   * shares what it did not change with the one it replaces (the write path keeps it), so its
   * weight is the old one's plus what the walk of the differences finds.
   */
  readonly #sizes = new Map<string, number>();
  #head = 0;
  /** Weight of the events from #head on. */
  #bytes = 0;
  /** Every event of this resource with rv > windowStart is in the window. */
  windowStart: number;
  #sorted: string[] | null = null;

  constructor(
    readonly gr: string,
    start: number,
    private readonly capacity: number,
    private readonly byteBudget = DEFAULT_WINDOW_BYTES,
  ) {
    this.windowStart = start;
  }

  /** Weight of the events in the window (see DEFAULT_WINDOW_BYTES). */
  get windowBytes(): number {
    return this.#bytes;
  }

  /** Forgets the sorted keys (the key set changed outside `apply`). */
  dropSorted(): void {
    this.#sorted = null;
  }

  /**
   * Pods by spec.nodeName (pods only), kept with `items`: the node authorizer asks which pods
   * a node has at every Secret, ConfigMap and token a kubelet reads, and must not scan them all.
   */
  readonly byNode = new Map<string, Set<string>>();

  /** Stores `obj` under `key` (outside `apply`: a prime), indexed. */
  put(key: string, obj: KubeObject): void {
    this.#index(key, this.items.get(key), obj);
    this.items.set(key, obj);
  }

  #index(key: string, old: KubeObject | undefined, obj: KubeObject | undefined): void {
    if (this.gr !== 'pods') return;
    const nodeOf = (o: KubeObject | undefined) => (o?.spec as { nodeName?: string } | undefined)?.nodeName;
    const was = nodeOf(old);
    const now = nodeOf(obj);
    if (was === now) return;
    if (was) {
      const set = this.byNode.get(was);
      set?.delete(key);
      if (set?.size === 0) this.byNode.delete(was);
    }
    if (now) {
      let set = this.byNode.get(now);
      if (!set) this.byNode.set(now, (set = new Set()));
      set.add(key);
    }
  }

  /** approxJsonSize of `obj` when it is the object stored under `key` and an event weighed it; else undefined. */
  sizeOf(key: string, obj: KubeObject): number | undefined {
    return this.items.get(key) === obj ? this.#sizes.get(key) : undefined;
  }

  /** Keys in storage order (what etcd's range returns); cached until the key set changes. */
  sortedKeys(): string[] {
    if (!this.#sorted) this.#sorted = [...this.items.keys()].sort();
    return this.#sorted;
  }

  apply(ev: CacheEvent): void {
    if (ev.type === 'DELETED') {
      this.#index(ev.key, this.items.get(ev.key), undefined);
      this.items.delete(ev.key);
      this.#sorted = null;
    } else {
      if (!this.items.has(ev.key)) this.#sorted = null;
      this.#index(ev.key, this.items.get(ev.key), ev.object);
      this.items.set(ev.key, ev.object);
    }
    // What an event's object weighs in the window: about its JSON length (a close, cheap stand-in for its memory).
    const known = ev.prev && this.#sizes.get(ev.key);
    const w = known !== undefined ? approxJsonSizeBeside(ev.object, ev.prev, known) : approxJsonSize(ev.object);
    if (ev.type === 'DELETED') this.#sizes.delete(ev.key);
    else this.#sizes.set(ev.key, w);
    this.#events.push(ev);
    this.#weights.push(w);
    this.#bytes += w;
    while (this.#events.length > this.#head && (this.#events.length - this.#head > this.capacity || this.#bytes > this.byteBudget)) {
      this.windowStart = this.#events[this.#head]!.rv;
      this.#bytes -= this.#weights[this.#head]!;
      this.#events[this.#head++] = undefined as never;
    }
    // Drop the consumed head in chunks: a splice per event would move the whole window each time.
    if (this.#head >= 1024 || this.#head > this.capacity || this.#head === this.#events.length) {
      this.#events.splice(0, this.#head);
      this.#weights.splice(0, this.#head);
      this.#head = 0;
    }
  }

  /** Window events after `rv`, oldest first. */
  eventsAfter(rv: number): CacheEvent[] {
    let lo = this.#head;
    let hi = this.#events.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.#events[mid]!.rv <= rv) lo = mid + 1;
      else hi = mid;
    }
    return this.#events.slice(lo);
  }

  /** The window's events, oldest first. */
  get window(): readonly CacheEvent[] {
    return this.#head === 0 ? this.#events : this.#events.slice(this.#head);
  }

  /** The objects as they were at revision `rv` (>= windowStart), rebuilt by undoing later events. */
  itemsAt(rv: number): Map<string, KubeObject> {
    const later = this.eventsAfter(rv);
    if (later.length === 0) return this.items;
    const out = new Map(this.items);
    for (let i = later.length - 1; i >= 0; i--) {
      const ev = later[i]!;
      if (ev.prev) out.set(ev.key, ev.prev);
      else out.delete(ev.key);
    }
    return out;
  }
}

interface Waiter {
  rv: number;
  resolve: (ok: boolean) => void;
  timer: unknown;
}

export type CacheListener = (gr: string, events: CacheEvent[]) => void;

/** The cache over all resources, with the revision it has reached. */
export class WatchCache {
  readonly resources = new Map<string, ResourceCache>();
  /** The kv revision every event up to which has been applied. */
  rv = 0;
  /** The revision of the last prime: a resource first seen later has had no events since. */
  primedAt = 0;
  #listeners = new Set<CacheListener>();
  #waiters: Waiter[] = [];
  /** Objects `served` made for a write's reply, by key, until the cache applies their revision. */
  readonly #written = new Map<string, KubeObject>();

  constructor(
    private readonly clock: Clock,
    private readonly capacity = DEFAULT_WINDOW,
    private readonly byteBudget = DEFAULT_WINDOW_BYTES,
  ) {}

  /** The object the cache holds for `gr`'s (namespace, name), if any (a miss is not proof of absence: a write may not have reached it yet). */
  object(gr: string, namespace: string | undefined, name: string): KubeObject | undefined {
    return this.resources.get(gr)?.items.get(objectStorageKey(gr, namespace, name));
  }

  /** The resource's cache, created empty (window starting now) on first use. */
  resource(gr: string): ResourceCache {
    let r = this.resources.get(gr);
    if (!r) this.resources.set(gr, (r = new ResourceCache(gr, this.primedAt, this.capacity, this.byteBudget)));
    return r;
  }

  /**
   * The object a write's reply serves for `value`, stored at `key` at revision `rev`: the cache's
   * own when it has applied that revision, or one the cache takes when the revision's event
   * arrives. So one decorated copy serves the
   * writer and every reader of that version (not one each), and the writer's next update of it —
   * a kubelet renews its Lease from the last reply — shares its metadata with the cache's copy.
   */
  served(key: string, value: KubeObject, rev: number): KubeObject {
    const applied = rev <= this.rv;
    if (applied) {
      // The revision's event came first (in one process, the kv's events reach the cache before
      // the write's continuation runs): the cache's object for it, if that is still the current one.
      const cur = this.resources.get(grOfKey(key))?.items.get(key);
      if (cur !== undefined && Number(cur.metadata?.resourceVersion) === rev) return cur;
    }
    const obj = held(decorate(value, rev));
    if (!applied) this.#written.set(key, obj);
    return obj;
  }

  /** Replaces everything with a fresh range read at `revision`; windows restart there. */
  prime(records: KvRecord[], revision: number): void {
    this.resources.clear();
    this.#written.clear();
    this.rv = revision;
    this.primedAt = revision;
    for (const rec of records) {
      const parsed = parseStorageKey(rec.key);
      if (!parsed) continue;
      if (rec.value instanceof Unreadable) this.resource(parsed.gr).unreadable.set(rec.key, rec.value.status);
      else this.resource(parsed.gr).put(rec.key, held(decorate(rec.value, rec.modRevision)));
    }
    this.#wake();
  }

  /**
   * Whether a batch of kv events continues the cache without a hole. Revisions are gap-free
   * (every revision is one transaction, and the one watch covers every key): a batch must
   * start at most one past the cache's revision and never jump inside. A hole means a batch
   * was lost on the way (the bus delivers at most once), and the cache must resume from its
   * own revision rather than apply events past the hole.
   */
  continues(events: readonly KvEvent[]): boolean {
    let last = this.rv;
    for (const e of events) {
      const rev = e.kv.modRevision;
      if (rev <= last) continue; // a duplicate, or another key of the same transaction
      if (rev > last + 1) return false;
      last = rev;
    }
    return true;
  }

  /**
   * Applies a batch of kv events (in revision order) and tells the listeners, per resource.
   * Events past a hole (see `continues`) are not applied; false when there was one.
   */
  applyKv(events: KvEvent[]): boolean {
    const byGr = new Map<string, CacheEvent[]>();
    let whole = true;
    const before = this.rv;
    for (const e of events) {
      if (e.kv.modRevision <= before) continue; // a replayed duplicate after a resumed watch
      if (e.kv.modRevision > this.rv + 1) {
        whole = false;
        break;
      }
      const parsed = parseStorageKey(e.kv.key);
      this.rv = e.kv.modRevision;
      if (!parsed) continue;
      const res = this.resource(parsed.gr);
      if (!this.#readable(res, e)) continue;
      const prior = res.items.get(e.kv.key);
      const ev: CacheEvent =
        e.type === 'delete'
          ? { type: 'DELETED', rv: e.kv.modRevision, key: e.kv.key, object: held(decorate(prior ?? e.kv.value, e.kv.modRevision)) }
          : { type: prior ? 'MODIFIED' : 'ADDED', rv: e.kv.modRevision, key: e.kv.key, object: this.#servedAt(e.kv.key, e.kv.modRevision) ?? held(decorate(e.kv.value, e.kv.modRevision)) };
      if (prior) ev.prev = prior;
      res.apply(ev);
      let list = byGr.get(parsed.gr);
      if (!list) byGr.set(parsed.gr, (list = []));
      list.push(ev);
    }
    for (const [gr, evs] of byGr) for (const l of this.#listeners) l(gr, evs);
    this.#wake();
    return whole;
  }

  /** The object `served` made for `key` at revision `rev`, if it did; its entry (or an older one) is dropped. */
  #servedAt(key: string, rev: number): KubeObject | undefined {
    if (this.#written.size === 0) return undefined;
    const obj = this.#written.get(key);
    if (obj === undefined) return undefined;
    const at = Number(obj.metadata!.resourceVersion);
    // A later write's reply may already be waiting for its own event.
    if (at > rev) return undefined;
    this.#written.delete(key);
    return at === rev ? obj : undefined;
  }

  /**
   * Keeps `unreadable` current for one event: a put nothing can decrypt hides the key (an
   * object that was readable leaves as if deleted, without an event); a delete or a readable
   * put brings it back to normal. False when the event is not one for the watchers.
   */
  #readable(res: ResourceCache, e: KvEvent): boolean {
    if (e.type === 'put' && e.kv.value instanceof Unreadable) {
      res.unreadable.set(e.kv.key, e.kv.value.status);
      if (res.items.delete(e.kv.key)) res.dropSorted();
      return false;
    }
    if (res.unreadable.size === 0) return true;
    const was = res.unreadable.delete(e.kv.key);
    return !(was && e.type === 'delete');
  }

  /** Moves the reached revision forward without an event (a kv watch reply or bookmark). */
  advance(rev: number): void {
    if (rev > this.rv) {
      this.rv = rev;
      this.#wake();
    }
  }

  onEvents(l: CacheListener): () => void {
    this.#listeners.add(l);
    return () => this.#listeners.delete(l);
  }

  /** Resolves true once the cache reached `rv`, false after `timeoutMs` on the clock. */
  waitFor(rv: number, timeoutMs = 3000): Promise<boolean> {
    if (this.rv >= rv) return Promise.resolve(true);
    return new Promise((resolve) => {
      const w: Waiter = { rv, resolve, timer: undefined };
      w.timer = this.clock.setTimeout(() => {
        this.#waiters = this.#waiters.filter((x) => x !== w);
        resolve(false);
      }, timeoutMs);
      this.#waiters.push(w);
    });
  }

  #wake(): void {
    if (this.#waiters.length === 0) return;
    const keep: Waiter[] = [];
    for (const w of this.#waiters) {
      if (w.rv <= this.rv) {
        this.clock.clearTimeout(w.timer);
        w.resolve(true);
      } else keep.push(w);
    }
    this.#waiters = keep;
  }
}
