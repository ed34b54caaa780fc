/**
 * One informer of the factory, shared by every component of the process that asked for the
 * same resource, namespace and selectors. Components subscribe object handlers (client-go's
 * ResourceEventHandler) and read the one cache; a subscriber that comes late is handed the
 * cache as adds (client-go's AddEventHandler on a started informer).
 */
import type { KubeObject } from '../../bus/catalogue/api.ts';
import type { Port } from '../../bus/bus.ts';
import type { Envelope } from '../../base/envelope.ts';
import type { Clock } from '../../base/clock.ts';
import type { InformerState } from '../../machines/informers.ts';
import type { Logger } from '../actor-def.ts';
import type { Target } from '../client/targets.ts';
import { Informer } from '../informer.ts';
import { ORPHAN_INDEX, OWNER_UID_INDEX, type Indexable } from './indexer.ts';

/** client-go's ResourceEventHandler. */
export interface ObjectHandlers<T = KubeObject> {
  add?(obj: T): void;
  update?(old: T, cur: T): void;
  /** `obj` is the last state the informer saw. */
  delete?(obj: T): void;
}

/** Which informer: one per distinct (resource, namespace, label selector, field selector). */
export interface InformerSpec<T> {
  /** The resource, and the namespace (absent: all namespaces); a name is ignored. */
  target: Target<T>;
  labelSelector?: string;
  fieldSelector?: string;
}

/** What a subscriber reads: the shared cache and its indexes. */
export interface InformerView<T> {
  get(key: string): T | undefined;
  list(): T[];
  keys(): string[];
  /** The objects filed under `value` in index `name` (NAMESPACE_INDEX, OWNER_UID_INDEX, NODE_NAME_INDEX). */
  byIndex(name: string, value: string): T[];
  hasSynced(): boolean;
}

/** The cached objects that name `owner` in their ownerReferences, from the owner-uid index. */
export function ownedBy<T>(informer: Pick<InformerView<T>, 'byIndex'>, owner: { metadata?: { uid?: string } }): T[] {
  const uid = owner.metadata?.uid;
  return uid ? informer.byIndex(OWNER_UID_INDEX, uid) : [];
}

/**
 * What a controller may claim (ControllerRefManager's candidates): the cached objects that name
 * `owner` in their ownerReferences and those no controller owns in its namespace, each once.
 * Upstream lists the whole namespace and filters; a namespace of 150,000 pods or 1,500
 * ReplicaSets made every sync as long as the namespace.
 */
export function claimCandidates<T>(informer: Pick<InformerView<T>, 'byIndex'>, owner: { metadata?: { uid?: string; namespace?: string } }): T[] {
  const owned = ownedBy(informer, owner);
  const orphans = informer.byIndex(ORPHAN_INDEX, owner.metadata?.namespace ?? '');
  if (owned.length === 0) return orphans;
  if (orphans.length === 0) return owned;
  // An object this owner holds without being its controller is both owned and an orphan.
  return [...new Set([...owned, ...orphans])];
}

/** The informer key of a spec: what makes two requests share one informer. */
export function informerKey(spec: InformerSpec<unknown>): string {
  const t = spec.target;
  let key = `${t.group || 'core'}/${t.resource}`;
  if (t.namespace) key += ` -n ${t.namespace}`;
  if (spec.labelSelector) key += ` -l ${spec.labelSelector}`;
  if (spec.fieldSelector) key += ` --field-selector ${spec.fieldSelector}`;
  return key;
}

export class SharedInformer<T extends Indexable> implements InformerView<T> {
  #inner: Informer<T> | undefined;
  readonly #subscribers = new Set<ObjectHandlers<T>>();
  #waiters: (() => void)[] = [];

  constructor(
    readonly key: string,
    readonly spec: InformerSpec<T>,
    /** Told after every change of `state()`. */
    private readonly changed: (s: SharedInformer<T>) => void,
    /** Where a throwing handler is reported (it must not stop the others). */
    private readonly log: () => Logger | undefined,
  ) {}

  /** Builds the informer on the factory's port (once: the port and clock outlive restarts). */
  bind(port: Port, clock: Clock, id: number): void {
    if (this.#inner) return;
    const { target, labelSelector, fieldSelector } = this.spec;
    this.#inner = new Informer<T>({
      port,
      clock,
      target,
      ...(labelSelector ? { labelSelector } : {}),
      ...(fieldSelector ? { fieldSelector } : {}),
      name: `${target.resource}.${id}`,
      // client-go's reflector logs the same: the stream ended, it watches again from where it was.
      onSilent: (ms, rv) => this.log()?.warn('watch went silent: its apiserver is gone; watching again', { informer: this.key, silentMs: ms, resourceVersion: rv }),
      onList: () => {
        this.changed(this);
        for (const w of this.#waiters.splice(0)) w();
      },
      handlers: {
        add: (_, obj) => this.#each((h) => h.add?.(obj)),
        update: (_, old, cur) => this.#each((h) => h.update?.(old, cur)),
        delete: (_, last) => this.#each((h) => h.delete?.(last)),
      },
    });
  }

  /** Lists (again: a restarted factory's subscribers see the difference), then watches. */
  start(): void {
    void this.#inner?.start();
  }
  stop(): void {
    this.#inner?.stop();
  }

  /** Takes this informer's watch envelopes; false for anything else. */
  handle(env: Envelope): boolean {
    if (!this.#inner?.handle(env)) return false;
    this.changed(this);
    return true;
  }

  /** Adds handlers; when the cache is filled, they get it as adds at once. Returns the unsubscribe. */
  subscribe(h: ObjectHandlers<T>): () => void {
    this.#subscribers.add(h);
    if (this.hasSynced()) for (const obj of this.list()) this.#call(() => h.add?.(obj));
    this.changed(this);
    return () => {
      if (this.#subscribers.delete(h)) this.changed(this);
    };
  }

  /** Resolves once the first list is in the cache. */
  whenSynced(): Promise<void> {
    return this.hasSynced() ? Promise.resolve() : new Promise((r) => this.#waiters.push(r));
  }

  get(key: string): T | undefined {
    return this.#inner?.get(key);
  }
  list(): T[] {
    return this.#inner?.list() ?? [];
  }
  keys(): string[] {
    return this.#inner?.keys() ?? [];
  }
  byIndex(name: string, value: string): T[] {
    return this.#inner?.byIndex(name, value) ?? [];
  }
  hasSynced(): boolean {
    return this.#inner?.hasSynced() ?? false;
  }

  state(): InformerState {
    const { target, labelSelector, fieldSelector } = this.spec;
    return {
      resource: `${target.group || 'core'}/${target.resource}`,
      ...(target.namespace ? { namespace: target.namespace } : {}),
      ...(labelSelector ? { labelSelector } : {}),
      ...(fieldSelector ? { fieldSelector } : {}),
      synced: this.hasSynced(),
      resourceVersion: this.#inner?.resourceVersion ?? '',
      lists: this.#inner?.lists ?? 0,
      subscribers: this.#subscribers.size,
      objects: this.#inner?.size ?? 0,
    };
  }

  /** Every watch event passes here once per subscriber: no closure per call. */
  #each(fn: (h: ObjectHandlers<T>) => void): void {
    for (const h of this.#subscribers) {
      try {
        fn(h);
      } catch (err) {
        this.#failed(err);
      }
    }
  }

  #call(fn: () => void): void {
    try {
      fn();
    } catch (err) {
      this.#failed(err);
    }
  }

  #failed(err: unknown): void {
    this.log()?.error('informer handler failed', { informer: this.key, error: err instanceof Error ? err.message : String(err) });
  }
}
