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
  /**
   * key → the values it is filed under now, per index in #funcs order (to unfile on change).
   * The lists are shared: no value is the one empty list, one value a list per index and
   * value (`#single`), and a key whose values did not change keeps its lists. A fresh list
   * per index for every object and every update was about 300 bytes of heap per object in
   * each informer.
   */
  readonly #filed = new Map<string, (readonly string[])[]>();
  /** index name → value → the one-value list `[value]`, while the value is filed under. */
  readonly #single = new Map<string, Map<string, readonly string[]>>();

  constructor(funcs: Readonly<Record<string, IndexFunc<T>>>) {
    this.#funcs = Object.entries(funcs);
    for (const name of Object.keys(funcs)) {
      this.#index.set(name, new Map());
      this.#single.set(name, new Map());
    }
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
    let after = before;
    for (let i = 0; i < this.#funcs.length; i++) {
      const [name, fn] = this.#funcs[i]!;
      const was = before?.[i] ?? NONE;
      const now = fn(obj);
      if (before && sameValues(was, now)) continue;
      this.#unfile(name, key, was);
      const index = this.#index.get(name)!;
      for (const v of now) {
        let keys = index.get(v);
        if (keys === undefined) index.set(v, (keys = new Set()));
        keys.add(key);
      }
      if (after === before) after = before ? [...before] : this.#funcs.map(() => NONE);
      after![i] = this.#shared(name, now);
    }
    if (after !== before) this.#filed.set(key, after!);
  }

  /** `values` as a shared list where one exists (see #filed). */
  #shared(name: string, values: readonly string[]): readonly string[] {
    if (values.length === 0) return NONE;
    if (values.length > 1) return values;
    const single = this.#single.get(name)!;
    let list = single.get(values[0]!);
    if (list === undefined) single.set(values[0]!, (list = Object.freeze([values[0]!])));
    return list;
  }

  #unfile(name: string, key: string, values: readonly string[]): void {
    const index = this.#index.get(name)!;
    for (const v of values) {
      const keys = index.get(v);
      keys?.delete(key);
      if (keys?.size === 0) {
        index.delete(v);
        this.#single.get(name)!.delete(v);
      }
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
