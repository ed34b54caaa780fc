/** One scheduled callback of the virtual clock; the object itself is the opaque timer id. */
export class VirtualTimer {
  constructor(
    /** Virtual time at which it fires. */
    readonly due: number,
    /** Insertion order: breaks ties between timers due at the same time. */
    readonly seq: number,
    /** When it was scheduled. */
    readonly scheduledAt: number,
    /** Null once cleared or fired (heap entries are deleted lazily). */
    public fn: (() => void) | null,
    /** The actor it belongs to (`ownedClock`), reported with its firing. */
    readonly owner?: string,
  ) {}
}

const before = (a: VirtualTimer, b: VirtualTimer): boolean => a.due < b.due || (a.due === b.due && a.seq < b.seq);

/**
 * A binary min-heap of timers ordered by (due, seq). Cleared timers stay in the heap and
 * are skipped when they reach the top; once they outnumber the live ones the heap is
 * rebuilt without them, so clearing is O(1), and memory stays within twice the live count.
 */
export class TimerHeap {
  #items: VirtualTimer[] = [];
  #live = 0;

  /** Timers scheduled and neither fired nor cleared. */
  get live(): number {
    return this.#live;
  }

  push(t: VirtualTimer): void {
    const items = this.#items;
    let i = items.length;
    items.push(t);
    while (i > 0) {
      const p = (i - 1) >> 1;
      const parent = items[p]!;
      if (!before(t, parent)) break;
      items[i] = parent;
      i = p;
    }
    items[i] = t;
    this.#live++;
  }

  /** Marks a timer as cleared; false if it already fired or was cleared. */
  cancel(t: VirtualTimer): boolean {
    if (t.fn === null) return false;
    t.fn = null;
    this.#live--;
    const dead = this.#items.length - this.#live;
    if (dead > 1024 && dead > this.#live) this.#compact();
    return true;
  }

  /** The earliest live timer, without removing it. */
  peek(): VirtualTimer | undefined {
    const items = this.#items;
    while (items.length > 0 && items[0]!.fn === null) this.#popTop();
    return items[0];
  }

  /**
   * Removes the earliest live timer and returns its callback; the timer then counts as
   * fired (clearing it is a no-op). Throws when no timer is pending.
   */
  take(): () => void {
    const top = this.peek();
    if (top === undefined) throw new Error('TimerHeap.take: no pending timer');
    this.#popTop();
    this.#live--;
    const fn = top.fn!;
    top.fn = null;
    return fn;
  }

  #popTop(): void {
    const items = this.#items;
    const last = items.pop()!;
    if (items.length === 0) return;
    this.#siftDown(last, 0);
  }

  #siftDown(t: VirtualTimer, from: number): void {
    const items = this.#items;
    const n = items.length;
    let i = from;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= n) break;
      const r = l + 1;
      const c = r < n && before(items[r]!, items[l]!) ? r : l;
      const child = items[c]!;
      if (!before(child, t)) break;
      items[i] = child;
      i = c;
    }
    items[i] = t;
  }

  #compact(): void {
    const items = this.#items.filter((t) => t.fn !== null);
    this.#items = items;
    for (let i = (items.length >> 1) - 1; i >= 0; i--) this.#siftDown(items[i]!, i);
  }
}
