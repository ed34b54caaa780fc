/** A set of callbacks; `add` returns the function that removes one. */
export class Listeners<A extends unknown[]> {
  readonly #set = new Set<(...args: A) => void>();
  add(fn: (...args: A) => void): () => void {
    this.#set.add(fn);
    return () => this.#set.delete(fn);
  }
  emit(...args: A): void {
    for (const fn of this.#set) fn(...args);
  }
  get size(): number {
    return this.#set.size;
  }
}
