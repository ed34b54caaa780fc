/**
 * The work queue of one controller as plain data (client-go's workqueue semantics, pure):
 * a FIFO of keys without duplicates; a key being synced is not handed out again, and a key
 * added while it syncs is remembered and queued again once the sync ends. Per-key failure
 * counts feed the exponential retry delay of client-go's default controller rate limiter.
 */

/** client-go's DefaultControllerRateLimiter: ItemExponentialFailureRateLimiter(5 ms, 1000 s). */
export const RETRY_BASE_MS = 5;
export const RETRY_MAX_MS = 1_000_000;

export interface WorkQueue {
  /** Keys waiting for a sync, oldest first, each at most once. */
  readonly queue: readonly string[];
  /** The key being synced, if any. */
  readonly current: string | null;
  /** The current key was added again while it synced. */
  readonly again: boolean;
  /** Failed syncs in a row, per key (absent: none). */
  readonly failures: Readonly<Record<string, number>>;
  /** Retries scheduled on the clock and not yet due. */
  readonly waiting: number;
}

export const emptyQueue = (): WorkQueue => ({ queue: [], current: null, again: false, failures: {}, waiting: 0 });

/** Whether adding `key` would change nothing: it is queued already, or being synced and marked to go again. */
export function isQueued(q: WorkQueue, key: string): boolean {
  return key === q.current ? q.again : q.queue.includes(key);
}

/** Adds `key` unless it is queued already; a key being synced is marked to go again. */
export function add(q: WorkQueue, key: string): WorkQueue {
  return isQueued(q, key) ? q : append(q, key);
}

/** Adds a key known not to be queued (isQueued is false): no second scan of the queue. */
export function append(q: WorkQueue, key: string): WorkQueue {
  if (key === q.current) return { ...q, again: true };
  return { ...q, queue: [...q.queue, key] };
}

/** Takes the oldest key as the current one. */
export function take(q: WorkQueue): WorkQueue {
  const [head, ...rest] = q.queue;
  if (head === undefined) return q;
  return { ...q, queue: rest, current: head, again: false };
}

/** The current sync ended; a key added meanwhile goes to the back of the queue. */
export function done(q: WorkQueue): WorkQueue {
  const key = q.current;
  const next = { ...q, current: null, again: false };
  return key !== null && q.again ? add(next, key) : next;
}

/** A success: the key's failure count is forgotten. */
export function forget(q: WorkQueue, key: string): WorkQueue {
  if (!(key in q.failures)) return q;
  const failures = { ...q.failures };
  delete failures[key];
  return { ...q, failures };
}

/** A failure: counts it; `retryDelay` then gives the wait before the key is queued again. */
export function failed(q: WorkQueue, key: string): WorkQueue {
  return { ...q, failures: { ...q.failures, [key]: (q.failures[key] ?? 0) + 1 } };
}

/** 5 ms · 2^(failures − 1), at most 1000 s. */
export function retryDelay(q: WorkQueue, key: string): number {
  const n = Math.max(1, q.failures[key] ?? 1);
  return Math.min(RETRY_MAX_MS, RETRY_BASE_MS * 2 ** Math.min(n - 1, 40));
}

export const hasWork = (q: WorkQueue): boolean => q.queue.length > 0;
