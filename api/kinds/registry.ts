/**
 * The live kind registry: every served kind's descriptor, keyed by GroupResource, with the
 * lookups the apiserver needs (by URL resource, by an object's apiVersion and kind, by what
 * a user typed). Kinds can be registered and unregistered while the server runs (the
 * CustomResourceDefinition controller will); discovery and the routes follow the change
 * notification. Registering fails fast on an incomplete descriptor and on any duplicate
 * group/resource, group/version/kind or short name.
 */
import { missingParts, type KindInfo } from './info.ts';
import { apiVersionOf, groupResource, type GroupResource } from './key.ts';

/** Called after every register or unregister, with the kinds now served. */
export type KindsListener = (kinds: readonly KindInfo[]) => void;

export class KindRegistry {
  readonly #byGr = new Map<GroupResource, KindInfo>();
  readonly #byGvk = new Map<string, KindInfo>();
  readonly #byShortName = new Map<string, KindInfo>();
  readonly #listeners = new Set<KindsListener>();
  #all: readonly KindInfo[] = [];

  constructor(kinds: readonly KindInfo[] = []) {
    for (const k of kinds) this.#add(k);
    this.#all = [...this.#byGr.values()];
  }

  /** Adds a kind; throws (and changes nothing) when it is incomplete or clashes with a served one. */
  register(kind: KindInfo): void {
    this.#add(kind);
    this.#changed();
  }

  /** Removes the kind of `gr`; false when none was registered. */
  unregister(gr: GroupResource): boolean {
    const k = this.#byGr.get(gr);
    if (!k) return false;
    this.#byGr.delete(gr);
    this.#byGvk.delete(gvkKey(apiVersionOf(k), k.kind));
    for (const s of k.shortNames) this.#byShortName.delete(`${k.group}/${s}`);
    this.#changed();
    return true;
  }

  /** Listens for changes; returns the function that stops listening. */
  onChange(listener: KindsListener): () => void {
    this.#listeners.add(listener);
    return () => void this.#listeners.delete(listener);
  }

  /** Every registered kind, in registration order. A new array after each change (callers may cache by identity). */
  all(): readonly KindInfo[] {
    return this.#all;
  }

  /** The kind of a GroupResource ("pods", "cronjobs.batch"). */
  get(gr: GroupResource): KindInfo | undefined {
    return this.#byGr.get(gr);
  }

  /** Lookup by URL parts: group ('' for core) and plural resource. */
  byResource(group: string, resource: string): KindInfo | undefined {
    return this.#byGr.get(groupResource(group, resource));
  }

  /** Lookup by an object's apiVersion and kind. */
  byGvk(apiVersion: string, kind: string): KindInfo | undefined {
    return this.#byGvk.get(gvkKey(apiVersion, kind));
  }

  /** Resolves what a user typed (plural, singular, short name or Kind, any case) in any group. */
  resolve(name: string): KindInfo | undefined {
    const n = name.toLowerCase();
    return this.#all.find((k) => k.resource === n || k.singular === n || k.shortNames.includes(n));
  }

  #add(k: KindInfo): void {
    const missing = missingParts(k);
    if (missing.length) throw new Error(`kind ${k.kind || '?'} is incomplete: missing ${missing.join(', ')}`);
    const gvk = gvkKey(apiVersionOf(k), k.kind);
    const shorts = k.shortNames.map((s) => `${k.group}/${s}`);
    if (this.#byGr.has(k.gr)) throw new Error(`duplicate kind registration: resource ${k.gr}`);
    if (this.#byGvk.has(gvk)) throw new Error(`duplicate kind registration: kind ${apiVersionOf(k)}/${k.kind}`);
    const clash = shorts.find((s) => this.#byShortName.has(s));
    if (clash !== undefined || new Set(shorts).size < shorts.length) throw new Error(`duplicate kind registration: short name ${clash ?? shorts.join(',')}`);
    this.#byGr.set(k.gr, k);
    this.#byGvk.set(gvk, k);
    for (const s of shorts) this.#byShortName.set(s, k);
  }

  #changed(): void {
    this.#all = [...this.#byGr.values()];
    for (const l of [...this.#listeners]) l(this.#all);
  }
}

const gvkKey = (apiVersion: string, kind: string): string => `${apiVersion}, Kind=${kind}`;
