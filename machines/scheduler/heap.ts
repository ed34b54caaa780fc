/**
 * A binary heap indexed by key (the scheduler queue's heap.Heap): push, pop, peek, and
 * O(log n) update or removal of any element by key.
 */
export class KeyedHeap<T> {
  readonly #items: T[] = [];
  readonly #index = new Map<string, number>();

  /** `less(a, b)`: a comes out before b. */
  constructor(
    private readonly keyOf: (item: T) => string,
    private readonly less: (a: T, b: T) => boolean,
  ) {}

  get size(): number {
    return this.#items.length;
  }

  has(key: string): boolean {
    return this.#index.has(key);
  }

  get(key: string): T | undefined {
    const i = this.#index.get(key);
    return i === undefined ? undefined : this.#items[i];
  }

  peek(): T | undefined {
    return this.#items[0];
  }

  /** Adds the item, or replaces the one with the same key and restores order. */
  upsert(item: T): void {
    const key = this.keyOf(item);
    const i = this.#index.get(key);
    if (i !== undefined) {
      this.#items[i] = item;
      this.#fix(i);
      return;
    }
    this.#items.push(item);
    this.#index.set(key, this.#items.length - 1);
    this.#up(this.#items.length - 1);
  }

  pop(): T | undefined {
    const top = this.#items[0];
    if (top !== undefined) this.#removeAt(0);
    return top;
  }

  delete(key: string): T | undefined {
    const i = this.#index.get(key);
    if (i === undefined) return undefined;
    const item = this.#items[i];
    this.#removeAt(i);
    return item;
  }

  values(): IterableIterator<T> {
    return this.#items.values();
  }

  #removeAt(i: number): void {
    const last = this.#items.length - 1;
    this.#index.delete(this.keyOf(this.#items[i] as T));
    if (i !== last) {
      this.#items[i] = this.#items[last] as T;
      this.#index.set(this.keyOf(this.#items[i] as T), i);
    }
    this.#items.pop();
    if (i < this.#items.length) this.#fix(i);
  }

  #fix(i: number): void {
    if (!this.#up(i)) this.#down(i);
  }

  #swap(i: number, j: number): void {
    const a = this.#items[i] as T;
    const b = this.#items[j] as T;
    this.#items[i] = b;
    this.#items[j] = a;
    this.#index.set(this.keyOf(b), i);
    this.#index.set(this.keyOf(a), j);
  }

  #up(i: number): boolean {
    const start = i;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.less(this.#items[i] as T, this.#items[parent] as T)) break;
      this.#swap(i, parent);
      i = parent;
    }
    return i !== start;
  }

  #down(i: number): void {
    const n = this.#items.length;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < n && this.less(this.#items[l] as T, this.#items[m] as T)) m = l;
      if (r < n && this.less(this.#items[r] as T, this.#items[m] as T)) m = r;
      if (m === i) return;
      this.#swap(i, m);
      i = m;
    }
  }
}
