/**
 * A bounded map that drops its least recently used entry when full (client-go's
 * lru.Cache): a Map keeps insertion order, so a hit moves its key to the end and the
 * first key is the one to drop.
 */
export class Lru<K, V> {
  readonly #m = new Map<K, V>();
  constructor(private readonly capacity: number) {}

  get(k: K): V | undefined {
    const v = this.#m.get(k);
    if (v !== undefined) {
      this.#m.delete(k);
      this.#m.set(k, v);
    }
    return v;
  }

  set(k: K, v: V): void {
    this.#m.delete(k);
    this.#m.set(k, v);
    if (this.#m.size > this.capacity) this.#m.delete(this.#m.keys().next().value!);
  }

  delete(k: K): void {
    this.#m.delete(k);
  }
}

/**
 * A bounded map that keeps what was used lately, approximately, in two generations: entries go
 * into the young map; when it holds half the capacity it becomes the old map, and the old one
 * is dropped; a hit in the old map moves its entry back to the young one. A hit in the young
 * map — most hits — is one Map.get, where Lru's exact order costs a delete and a set on every
 * hit (about ten times the time, more in a large heap: the table rehashes as deleted entries
 * pile up). For memos, where keeping an entry a little longer or shorter changes nothing but
 * the time.
 */
export class RecentMap<K, V> {
  #young = new Map<K, V>();
  #old = new Map<K, V>();
  readonly #half: number;
  constructor(capacity: number) {
    this.#half = Math.max(1, Math.ceil(capacity / 2));
  }

  get(k: K): V | undefined {
    const v = this.#young.get(k);
    if (v !== undefined) return v;
    const o = this.#old.get(k);
    if (o !== undefined) {
      this.#old.delete(k);
      this.set(k, o);
    }
    return o;
  }

  set(k: K, v: V): void {
    this.#young.set(k, v);
    if (this.#young.size >= this.#half) {
      this.#old = this.#young;
      this.#young = new Map();
    }
  }
}
