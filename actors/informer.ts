/**
 * A shared-informer-style helper for components: list then watch one resource through the
 * apiserver, keep a local cache keyed "namespace/name" (or "name"), and tell the component
 * which keys changed. Handlers only enqueue keys (Kubernetes' rule: the sync reads the
 * cache, level-triggered). A watch that ends (api.watch-ended), is answered 410, or whose
 * batches skip a number (one was lost on the bus, e.g. in a NATS outage) makes the
 * informer re-list — replacing the cache and reporting the difference — and watch again; a
 * resync period on the injected clock reports every key as updated.
 *
 * Liveness (client-go's reflector re-watches on a watch error or timeout; HTTP/2 pings find a
 * dead connection): when the apiserver's reply to the watch names a heartbeat period
 * (`progressNotifyMs`: it sends a BOOKMARK to an idle watch that often), a watch that has
 * brought nothing for SILENT_PERIODS periods is taken as dead — its apiserver's process died
 * and the stream with it — and watched again from the last resourceVersion, which the NATS
 * queue group hands to a live apiserver (410 there: re-list). One timer per watch, checked
 * against a batch counter: nothing is done per event.
 *
 * The component owns its port: it forwards envelopes to `handle(env)`, which takes the
 * api.watch-events / api.watch-ended of this informer's watch and ignores the rest.
 *
 * The cache keeps indexes (actors/informers/indexer.ts): by namespace, by owner uid and by
 * node name, plus any the component adds; `byIndex` answers from them. Components of a
 * process share informers through the factory (actors/informers/); the kubelet keeps its own.
 */
import type { ApiTarget, KubeObject, WatchEvent } from '../bus/catalogue/api.ts';
import type { Port } from '../bus/bus.ts';
import type { Envelope } from '../base/envelope.ts';
import { APISERVER_ADDRESS } from '../bus/permissions.ts';
import { isGone } from '../base/status.ts';
import type { Clock, TimerId } from '../base/clock.ts';
import { BUILTIN_INDEXES, Indexer, type Indexable, type IndexFunc } from './informers/indexer.ts';

/** Key-level handlers; the objects come along (`old`: the cached state before; `last`: the last state seen). */
export interface InformerHandlers<T = KubeObject> {
  add?(key: string, obj: T): void;
  update?(key: string, old: T, cur: T): void;
  delete?(key: string, last: T): void;
}

export interface InformerOptions<T = KubeObject> {
  port: Port;
  clock: Clock;
  /** The resource (and namespace, or all namespaces when absent) to follow; name is ignored. */
  target: ApiTarget;
  labelSelector?: string;
  fieldSelector?: string;
  handlers: InformerHandlers<T>;
  /** Indexes besides the built-in ones (namespace, owner uid, node name). */
  indexers?: Readonly<Record<string, IndexFunc<T>>>;
  /** Called after every list has replaced the cache (the first one included). */
  onList?(): void;
  /** Re-report every key as updated this often (0 or absent: never). */
  resyncMs?: number;
  /** Wait before re-listing after a failure (default 1000 ms, on the clock). */
  retryMs?: number;
  /** Distinguishes several informers on one port (default: the resource name). */
  name?: string;
  /** Told when a watch went silent for SILENT_PERIODS heartbeat periods and is watched again. */
  onSilent?(silentMs: number, resourceVersion: string): void;
}

/** Heartbeat periods without a batch after which a watch is taken as dead (a live idle watch gets one each period). */
export const SILENT_PERIODS = 3;

/** The cache key of an object: "namespace/name", or "name" when cluster-scoped. */
export function keyOf(obj: { metadata?: { namespace?: string; name?: string } }): string {
  const m = obj.metadata ?? {};
  return m.namespace ? `${m.namespace}/${m.name}` : String(m.name);
}

export class Informer<T extends Indexable = KubeObject> {
  readonly #store = new Map<string, T>();
  readonly #indexer: Indexer<T>;
  #rv = '';
  #synced = false;
  #stopped = false;
  #generation = 0;
  #watchId = '';
  /** The number of the last batch of the current watch. */
  #batch = 0;
  #resync: TimerId | undefined;
  #retry: TimerId | undefined;
  #relists = 0;
  /** Batches of the current watch received (the liveness check compares it between its firings). */
  #heard = 0;
  #liveness: TimerId | undefined;

  constructor(private readonly opts: InformerOptions<T>) {
    this.#indexer = new Indexer<T>({ ...BUILTIN_INDEXES, ...opts.indexers });
  }

  /** Lists, then watches; resolves once the first list is in the cache. */
  async start(): Promise<void> {
    this.#stopped = false;
    this.#scheduleResync();
    await this.#relist();
  }

  stop(): void {
    this.#stopped = true;
    if (this.#watchId) this.opts.port.send(APISERVER_ADDRESS, 'api.unwatch', { id: this.#watchId });
    this.#watchId = '';
    if (this.#resync !== undefined) this.opts.clock.clearTimeout(this.#resync);
    if (this.#retry !== undefined) this.opts.clock.clearTimeout(this.#retry);
    this.#unfollow();
  }

  /** True once the first list has filled the cache. */
  hasSynced(): boolean {
    return this.#synced;
  }
  get(key: string): T | undefined {
    return this.#store.get(key);
  }
  list(): T[] {
    return [...this.#store.values()];
  }
  /** The cached objects filed under `value` in index `name` (client-go's ByIndex), from the maintained index. */
  byIndex(name: string, value: string): T[] {
    return this.#indexer.keys(name, value).map((k) => this.#store.get(k)!);
  }
  keys(): string[] {
    return [...this.#store.keys()];
  }
  /** How many objects the cache holds. */
  get size(): number {
    return this.#store.size;
  }
  /** The last resourceVersion seen (list, event or bookmark). */
  get resourceVersion(): string {
    return this.#rv;
  }
  /** How many lists were made (1 after start; more after watch ends). */
  get lists(): number {
    return this.#relists;
  }

  /** Takes this informer's watch envelopes; false for anything else. */
  handle(env: Envelope): boolean {
    if (env.type !== 'api.watch-events' && env.type !== 'api.watch-ended') return false;
    const p = env.payload as { id: string; events?: WatchEvent[] };
    if (p.id.slice(0, p.id.lastIndexOf('.') + 1) !== this.#idBase()) return false;
    if (p.id !== this.#watchId || this.#stopped) {
      // A previous watch still sends: its unwatch went to another member of the apiservers'
      // queue group (NATS), or crossed a batch in flight. Say it again; the holder drops it.
      if (!this.#stopped && env.type === 'api.watch-events') this.opts.port.send(APISERVER_ADDRESS, 'api.unwatch', { id: p.id });
      return true;
    }
    this.#heard++;
    if (env.type === 'api.watch-ended') {
      this.#watchId = '';
      void this.#relist();
      return true;
    }
    const seq = (p as { seq?: number }).seq;
    if (seq !== undefined) {
      if (seq !== this.#batch + 1) {
        // A batch went missing: what the cache holds may be wrong; only a fresh list can tell.
        this.opts.port.send(APISERVER_ADDRESS, 'api.unwatch', { id: this.#watchId });
        this.#watchId = '';
        void this.#relist();
        return true;
      }
      this.#batch = seq;
    }
    for (const ev of p.events ?? []) this.#apply(ev);
    return true;
  }

  /** The prefix of this informer's watch ids (the list generation follows it). */
  #idBase(): string {
    return `informer.${this.opts.name ?? this.opts.target.resource}.`;
  }

  #apply(ev: WatchEvent): void {
    const rv = ev.object.metadata?.resourceVersion;
    if (rv) this.#rv = rv;
    if (ev.type === 'BOOKMARK' || ev.type === 'ERROR') return;
    const key = keyOf(ev.object);
    const old = this.#store.get(key);
    if (ev.type === 'DELETED') {
      if (old !== undefined) this.#remove(key, old);
      return;
    }
    // The apiserver answers objects of the resource watched: the one place the type is asserted.
    this.#put(key, old, ev.object as unknown as T);
  }

  #put(key: string, old: T | undefined, obj: T): void {
    this.#store.set(key, obj);
    this.#indexer.update(key, obj);
    if (old !== undefined) this.opts.handlers.update?.(key, old, obj);
    else this.opts.handlers.add?.(key, obj);
  }

  #remove(key: string, last: T): void {
    this.#store.delete(key);
    this.#indexer.update(key, undefined);
    this.opts.handlers.delete?.(key, last);
  }

  async #relist(): Promise<void> {
    if (this.#stopped) return;
    const gen = ++this.#generation;
    this.#relists++;
    this.#unfollow();
    const { port } = this.opts;
    const listed = await port.request(APISERVER_ADDRESS, 'api.list', { target: this.#target(), options: this.#selectors() });
    if (gen !== this.#generation || this.#stopped) return;
    if (!listed.ok) return this.#retryLater();
    this.#replace((listed.value.items as T[] | undefined) ?? [], String(listed.value.metadata?.resourceVersion ?? ''));
    this.#synced = true;
    this.opts.onList?.();
    await this.#watch(gen);
  }

  /** Watches from the last resourceVersion as generation `gen`. */
  async #watch(gen: number): Promise<void> {
    this.#watchId = `${this.#idBase()}${gen}`;
    this.#batch = 0;
    const w = await this.opts.port.request(APISERVER_ADDRESS, 'api.watch', {
      target: this.#target(),
      id: this.#watchId,
      options: { ...this.#selectors(), resourceVersion: this.#rv },
      allowWatchBookmarks: true,
    });
    if (gen !== this.#generation || this.#stopped) return;
    if (!w.ok) {
      this.#watchId = '';
      // 410: our version is gone from the cache window; re-list at once. Anything else: after a pause.
      if (isGone(w)) return void this.#relist();
      return this.#retryLater();
    }
    if (w.value.progressNotifyMs) this.#follow(w.value.progressNotifyMs);
  }

  #target(): ApiTarget {
    const target = { ...this.opts.target };
    delete target.name;
    return target;
  }
  #selectors(): { labelSelector: string | undefined; fieldSelector: string | undefined } {
    return { labelSelector: this.opts.labelSelector, fieldSelector: this.opts.fieldSelector };
  }

  /** Checks every heartbeat period that the current watch brought something; SILENT_PERIODS without: watch again. */
  #follow(every: number): void {
    let seen = this.#heard;
    let silent = 0;
    const check = (): void => {
      this.#liveness = undefined;
      if (this.#stopped) return;
      if (this.#heard !== seen) {
        seen = this.#heard;
        silent = 0;
      } else if (++silent >= SILENT_PERIODS) {
        return this.#silent(silent * every);
      }
      this.#liveness = this.opts.clock.setTimeout(check, every);
    };
    this.#liveness = this.opts.clock.setTimeout(check, every);
  }

  #unfollow(): void {
    if (this.#liveness !== undefined) this.opts.clock.clearTimeout(this.#liveness);
    this.#liveness = undefined;
  }

  /** The watch's stream is dead: forget it (telling whichever apiserver hears it) and watch again from where it stopped. */
  #silent(silentMs: number): void {
    this.opts.onSilent?.(silentMs, this.#rv);
    if (this.#watchId) this.opts.port.send(APISERVER_ADDRESS, 'api.unwatch', { id: this.#watchId });
    this.#watchId = '';
    void this.#watch(++this.#generation);
  }

  /** Replaces the cache with a fresh list, reporting what was added, changed and removed. */
  #replace(items: T[], rv: string): void {
    const fresh = new Map(items.map((o) => [keyOf(o), o]));
    for (const [key, old] of this.#store) {
      const cur = fresh.get(key);
      if (cur === undefined) {
        this.#remove(key, old);
        continue;
      }
      if (cur.metadata?.resourceVersion !== old.metadata?.resourceVersion) this.#put(key, old, cur);
      fresh.delete(key);
    }
    for (const [key, obj] of fresh) this.#put(key, undefined, obj);
    this.#rv = rv;
  }

  #retryLater(): void {
    if (this.#retry !== undefined) this.opts.clock.clearTimeout(this.#retry);
    this.#retry = this.opts.clock.setTimeout(() => {
      this.#retry = undefined;
      void this.#relist();
    }, this.opts.retryMs ?? 1000);
  }

  #scheduleResync(): void {
    const every = this.opts.resyncMs;
    if (!every) return;
    if (this.#resync !== undefined) this.opts.clock.clearTimeout(this.#resync);
    this.#resync = this.opts.clock.setTimeout(() => {
      this.#resync = undefined;
      if (this.#stopped) return;
      if (this.#synced) for (const [key, obj] of this.#store) this.opts.handlers.update?.(key, obj, obj);
      this.#scheduleResync();
    }, every);
  }
}
