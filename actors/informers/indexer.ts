/**
 * client-go's Indexer, for one informer's cache: named index functions map an object to the
 * values it is filed under, and `byIndex(name, value)` answers from a maintained map of
 * value → keys (never a scan). The informer calls `update` on every add, update, delete and
 * re-list, so an index is never staler than the cache it indexes.
 */

/** The meta fields the built-in indexes read; every Kubernetes object has this shape. */
export interface Indexable {
  metadata?: { namespace?: string; name?: string; uid?: string; resourceVersion?: string; ownerReferences?: readonly { uid: string; controller?: boolean }[] };
}

/** The values `obj` is filed under in one index (none: not indexed). */
export type IndexFunc<T> = (obj: T) => readonly string[];

/** client-go's cache.NamespaceIndex: objects by metadata.namespace. */
export const NAMESPACE_INDEX = 'namespace';
/** Objects by the uid of each of their owners (metadata.ownerReferences[].uid). */
export const OWNER_UID_INDEX = 'owner-uid';
/** Pods by spec.nodeName (bound pods only). */
export const NODE_NAME_INDEX = 'node-name';
/** Objects no controller owns, by namespace: the ones a controller may adopt (client-go's orphan index). */
export const ORPHAN_INDEX = 'orphan-namespace';

/** The indexes every informer keeps. */
export const BUILTIN_INDEXES: Readonly<Record<string, IndexFunc<Indexable>>> = Object.freeze({
  [NAMESPACE_INDEX]: (o: Indexable) => (o.metadata?.namespace ? [o.metadata.namespace] : []),
  [OWNER_UID_INDEX]: (o: Indexable) => (o.metadata?.ownerReferences ?? []).map((r) => r.uid),
  [ORPHAN_INDEX]: (o: Indexable) => (o.metadata?.ownerReferences?.some((r) => r.controller === true) ? [] : [o.metadata?.namespace ?? '']),
  [NODE_NAME_INDEX]: (o: Indexable) => {
    const node = (o as { spec?: { nodeName?: unknown } }).spec?.nodeName;
    return typeof node === 'string' && node ? [node] : [];
  },
});

export class Indexer<T> {
  readonly #funcs: readonly (readonly [string, IndexFunc<T>])[];
  /** index name → value → keys. */
  readonly #index = new Map<string, Map<string, Set<string>>>();
  /** key → the values it is filed under now, per index in #funcs order (to unfile on change). */
  readonly #filed = new Map<string, (readonly string[])[]>();

  constructor(funcs: Readonly<Record<string, IndexFunc<T>>>) {
    this.#funcs = Object.entries(funcs);
    for (const name of Object.keys(funcs)) this.#index.set(name, new Map());
  }

  /** Files `key` under the values of `obj` (undefined: the key is gone). */
  update(key: string, obj: T | undefined): void {
    const before = this.#filed.get(key);
    if (obj === undefined) {
      if (before) this.#funcs.forEach(([name], i) => this.#unfile(name, key, before[i]!));
      this.#filed.delete(key);
      return;
    }
    // Most updates (status writes) move no index value: compare first, refile only what changed.
    const after = this.#funcs.map(([, fn]) => fn(obj));
    this.#funcs.forEach(([name], i) => {
      const was = before?.[i] ?? NONE;
      const now = after[i]!;
      if (sameValues(was, now)) return;
      this.#unfile(name, key, was);
      const index = this.#index.get(name)!;
      for (const v of now) {
        let keys = index.get(v);
        if (keys === undefined) index.set(v, (keys = new Set()));
        keys.add(key);
      }
    });
    this.#filed.set(key, after);
  }

  #unfile(name: string, key: string, values: readonly string[]): void {
    const index = this.#index.get(name)!;
    for (const v of values) {
      const keys = index.get(v);
      keys?.delete(key);
      if (keys?.size === 0) index.delete(v);
    }
  }

  /** The keys filed under `value` in index `name`; throws for an index that does not exist (client-go's error). */
  keys(name: string, value: string): string[] {
    const index = this.#index.get(name);
    if (index === undefined) throw new Error(`Index with name ${name} does not exist`);
    return [...(index.get(value) ?? [])];
  }
}

const NONE: readonly string[] = [];

function sameValues(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i]);
}
