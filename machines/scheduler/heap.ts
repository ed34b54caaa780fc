/**
 * A binary heap over plain data (the scheduler queue's heap.Heap): push, pop, peek, and
 * O(log n) update or removal of any element by key. The heap is `{ items }` — an array in
 * heap order, which a chart context can hold and a checkpoint can serialize; the
 * key → position index is a derived cache kept beside it (rebuilt in O(n) the first time a
 * heap restored from a checkpoint is touched), so it never shows in a snapshot.
 */

/** A heap's data: its items in heap order. Change it only through these functions. */
export interface HeapData<T> {
  items: T[];
}

/** How a heap orders and names its items: `less(a, b)` means a comes out before b. */
export interface HeapOrder<T> {
  key(item: T): string;
  less(a: T, b: T): boolean;
}

const indexes = new WeakMap<unknown[], Map<string, number>>();

function indexOf<T>(h: HeapData<T>, o: HeapOrder<T>): Map<string, number> {
  let ix = indexes.get(h.items);
  if (!ix) {
    ix = new Map(h.items.map((it, i) => [o.key(it), i]));
    indexes.set(h.items, ix);
  }
  return ix;
}

export const emptyHeap = <T>(): HeapData<T> => ({ items: [] });

export function heapHas<T>(h: HeapData<T>, o: HeapOrder<T>, key: string): boolean {
  return indexOf(h, o).has(key);
}

export function heapGet<T>(h: HeapData<T>, o: HeapOrder<T>, key: string): T | undefined {
  const i = indexOf(h, o).get(key);
  return i === undefined ? undefined : h.items[i];
}

export const heapPeek = <T>(h: HeapData<T>): T | undefined => h.items[0];

/** Adds the item, or replaces the one with the same key and restores order. */
export function heapUpsert<T>(h: HeapData<T>, o: HeapOrder<T>, item: T): void {
  const ix = indexOf(h, o);
  const key = o.key(item);
  const i = ix.get(key);
  if (i !== undefined) {
    h.items[i] = item;
    if (!up(h, o, ix, i)) down(h, o, ix, i);
    return;
  }
  h.items.push(item);
  ix.set(key, h.items.length - 1);
  up(h, o, ix, h.items.length - 1);
}

export function heapPop<T>(h: HeapData<T>, o: HeapOrder<T>): T | undefined {
  const top = h.items[0];
  if (top !== undefined) removeAt(h, o, indexOf(h, o), 0);
  return top;
}

export function heapDelete<T>(h: HeapData<T>, o: HeapOrder<T>, key: string): T | undefined {
  const ix = indexOf(h, o);
  const i = ix.get(key);
  if (i === undefined) return undefined;
  const item = h.items[i];
  removeAt(h, o, ix, i);
  return item;
}

function removeAt<T>(h: HeapData<T>, o: HeapOrder<T>, ix: Map<string, number>, i: number): void {
  const items = h.items;
  const last = items.length - 1;
  ix.delete(o.key(items[i] as T));
  if (i !== last) {
    items[i] = items[last] as T;
    ix.set(o.key(items[i] as T), i);
  }
  items.pop();
  if (i < items.length && !up(h, o, ix, i)) down(h, o, ix, i);
}

function swap<T>(h: HeapData<T>, o: HeapOrder<T>, ix: Map<string, number>, i: number, j: number): void {
  const a = h.items[i] as T;
  const b = h.items[j] as T;
  h.items[i] = b;
  h.items[j] = a;
  ix.set(o.key(b), i);
  ix.set(o.key(a), j);
}

function up<T>(h: HeapData<T>, o: HeapOrder<T>, ix: Map<string, number>, i: number): boolean {
  const start = i;
  while (i > 0) {
    const parent = (i - 1) >> 1;
    if (!o.less(h.items[i] as T, h.items[parent] as T)) break;
    swap(h, o, ix, i, parent);
    i = parent;
  }
  return i !== start;
}

function down<T>(h: HeapData<T>, o: HeapOrder<T>, ix: Map<string, number>, i: number): void {
  const n = h.items.length;
  for (;;) {
    const l = 2 * i + 1;
    const r = l + 1;
    let m = i;
    if (l < n && o.less(h.items[l] as T, h.items[m] as T)) m = l;
    if (r < n && o.less(h.items[r] as T, h.items[m] as T)) m = r;
    if (m === i) return;
    swap(h, o, ix, i, m);
    i = m;
  }
}
