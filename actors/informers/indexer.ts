/**
 * client-go's Indexer, for one informer's cache: named index functions map an object to the
 * values it is filed under, and `byIndex(name, value)` answers from a maintained map of
 * value → keys (never a scan). The informer calls `update` on every add, update, delete and
 * re-list, so an index is never staler than the cache it indexes.
 */

/** The meta fields the built-in indexes read; every Kubernetes object has this shape. */
export interface Indexable {
  metadata?: { namespace?: string; name?: string; uid?: string; resourceVersion?: string; ownerReferences?: readonly { uid: string }[] };
}

/** The values `obj` is filed under in one index (none: not indexed). */
export type IndexFunc<T> = (obj: T) => readonly string[];

/** client-go's cache.NamespaceIndex: objects by metadata.namespace. */
export const NAMESPACE_INDEX = 'namespace';
/** Objects by the uid of each of their owners (metadata.ownerReferences[].uid). */
export const OWNER_UID_INDEX = 'owner-uid';
/** Pods by spec.nodeName (bound pods only). */
export const NODE_NAME_INDEX = 'node-name';

/** The indexes every informer keeps. */
export const BUILTIN_INDEXES: Readonly<Record<string, IndexFunc<Indexable>>> = Object.freeze({
  [NAMESPACE_INDEX]: (o: Indexable) => (o.metadata?.namespace ? [o.metadata.namespace] : []),
  [OWNER_UID_INDEX]: (o: Indexable) => (o.metadata?.ownerReferences ?? []).map((r) => r.uid),
  [NODE_NAME_INDEX]: (o: Indexable) => {
    const node = (o as { spec?: { nodeName?: unknown } }).spec?.nodeName;
    return typeof node === 'string' && node ? [node] : [];
  },
});

export class Indexer<T> {
  readonly #funcs: Readonly<Record<string, IndexFunc<T>>>;
  /** index name → value → keys. */
  readonly #index = new Map<string, Map<string, Set<string>>>();
  /** key → index name → the values it is filed under now (to unfile on change). */
  readonly #filed = new Map<string, Map<string, readonly string[]>>();

  constructor(funcs: Readonly<Record<string, IndexFunc<T>>>) {
    this.#funcs = funcs;
    for (const name of Object.keys(funcs)) this.#index.set(name, new Map());
  }

  /** Files `key` under the values of `obj` (undefined: the key is gone). */
  update(key: string, obj: T | undefined): void {
    const before = this.#filed.get(key);
    const after = new Map<string, readonly string[]>();
    for (const [name, fn] of Object.entries(this.#funcs)) {
      const index = this.#index.get(name)!;
      for (const v of before?.get(name) ?? []) {
        const keys = index.get(v);
        keys?.delete(key);
        if (keys?.size === 0) index.delete(v);
      }
      if (obj === undefined) continue;
      const values = fn(obj);
      if (values.length > 0) after.set(name, values);
      for (const v of values) {
        let keys = index.get(v);
        if (keys === undefined) index.set(v, (keys = new Set()));
        keys.add(key);
      }
    }
    if (after.size > 0) this.#filed.set(key, after);
    else this.#filed.delete(key);
  }

  /** The keys filed under `value` in index `name`; throws for an index that does not exist (client-go's error). */
  keys(name: string, value: string): string[] {
    const index = this.#index.get(name);
    if (index === undefined) throw new Error(`Index with name ${name} does not exist`);
    return [...(index.get(value) ?? [])];
  }
}
