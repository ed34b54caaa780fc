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
