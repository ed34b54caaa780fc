/**
 * The scheduling queue (internal/queue/scheduling_queue.go PriorityQueue) as plain data and
 * functions over it: time is passed in, nothing fires by itself. The scheduler chart holds
 * a QueueState in its context and applies these functions in its `assign` actions; the
 * actor arms a timer at `nextReadyAt` and the chart flushes when it fires.
 *
 * - activeQ: pods ready to schedule, highest spec.priority first, then earliest queued.
 * - backoffQ: pods that failed and wait out their backoff (1 s doubling to 10 s).
 * - unschedulable pool: pods no node fits; they move back on a cluster event one of the
 *   plugins that rejected them cares about, or after 5 minutes regardless.
 * - gated: pods with spec.schedulingGates (the SchedulingGates PreEnqueue plugin); they
 *   wait, untimed, until an update removes the last gate.
 *
 * The functions change the state in place, in O(log n) or O(the pool an event may move) —
 * never a copy of the whole queue per event (3000 pending pods are common in benches).
 */
import type { Pod } from 'kubernetes-types/core/v1.js';
import { backoffDuration, DEFAULT_INITIAL_BACKOFF_MS, DEFAULT_MAX_BACKOFF_MS, DEFAULT_MAX_IN_UNSCHEDULABLE_MS } from './backoff.ts';
import type { ClusterEvent } from './framework.ts';
import { emptyHeap, heapDelete, heapGet, heapHas, heapPeek, heapPop, heapUpsert, type HeapData, type HeapOrder } from './heap.ts';
import { podKey } from './node-info.ts';
import { changedForScheduling, gated, type QueuedPod } from './queued-pod.ts';

export type { QueuedPod } from './queued-pod.ts';

/** The queue's timing and which events each plugin registers for: plain data, checkpointed with the queue. */
export interface QueueConfig {
  initialBackoffMs: number;
  maxBackoffMs: number;
  maxInUnschedulableMs: number;
  /** Plugin name → the cluster events that may make a pod it rejected schedulable. */
  pluginEvents: Record<string, readonly ClusterEvent[]>;
}

/** What QueueConfig a caller may set (the rest has kube-scheduler's defaults). */
export type QueueOptions = Partial<QueueConfig>;

export function queueConfig(o: QueueOptions = {}): QueueConfig {
  return {
    initialBackoffMs: o.initialBackoffMs ?? DEFAULT_INITIAL_BACKOFF_MS,
    maxBackoffMs: o.maxBackoffMs ?? DEFAULT_MAX_BACKOFF_MS,
    maxInUnschedulableMs: o.maxInUnschedulableMs ?? DEFAULT_MAX_IN_UNSCHEDULABLE_MS,
    pluginEvents: o.pluginEvents ?? {},
  };
}

/** The queue's data. */
export interface QueueState {
  config: QueueConfig;
  active: HeapData<QueuedPod>;
  backoff: HeapData<QueuedPod>;
  unschedulable: Record<string, QueuedPod>;
  gated: Record<string, QueuedPod>;
  /** Counts of the two pools (a Record has no O(1) size). */
  unschedulableCount: number;
  gatedCount: number;
  seq: number;
  /** The scheduling cycle of the last pop (one per attempt). */
  schedulingCycle: number;
  moveRequestCycle: number;
}

export function emptyQueue(config: QueueConfig = queueConfig()): QueueState {
  // The static config last: a printed checkpoint (`replay --at`) shows the pods first.
  return { active: emptyHeap(), backoff: emptyHeap(), unschedulable: {}, gated: {}, unschedulableCount: 0, gatedCount: 0, seq: 0, schedulingCycle: 0, moveRequestCycle: -1, config };
}

const priority = (p: Pod): number => p.spec?.priority ?? 0;
const key = (q: QueuedPod): string => q.key;

const activeOrder: HeapOrder<QueuedPod> = {
  key,
  less: (a, b) =>
    priority(a.pod) !== priority(b.pod) ? priority(a.pod) > priority(b.pod)
      : a.timestamp !== b.timestamp ? a.timestamp < b.timestamp : a.seq < b.seq,
};

const backoffOrders = new WeakMap<QueueConfig, HeapOrder<QueuedPod>>();
function backoffOrder(c: QueueConfig): HeapOrder<QueuedPod> {
  let o = backoffOrders.get(c);
  if (!o) {
    o = {
      key,
      less: (a, b) => {
        const x = backoffExpiry(c, a);
        const y = backoffExpiry(c, b);
        return x !== y ? x < y : a.seq < b.seq;
      },
    };
    backoffOrders.set(c, o);
  }
  return o;
}

/** Pod counts per sub-queue. */
export function queueSizes(s: QueueState): { active: number; backoff: number; unschedulable: number; gated: number } {
  return { active: s.active.items.length, backoff: s.backoff.items.length, unschedulable: s.unschedulableCount, gated: s.gatedCount };
}

/** When a pod's backoff ends: its queue timestamp plus 1 s·2^(attempts-1), at most 10 s. */
export function backoffExpiry(c: QueueConfig, q: QueuedPod): number {
  return q.timestamp + backoffDuration(q.attempts, c.initialBackoffMs, c.maxBackoffMs);
}

export function queueHas(s: QueueState, k: string): boolean {
  return heapHas(s.active, activeOrder, k) || heapHas(s.backoff, backoffOrder(s.config), k) || Object.hasOwn(s.unschedulable, k) || Object.hasOwn(s.gated, k);
}

/** A new pending pod goes to activeQ, or waits if gated (an already queued one is updated instead). */
export function queueAdd(s: QueueState, pod: Pod, now: number): void {
  const k = podKey(pod);
  if (queueHas(s, k)) return queueUpdate(s, pod, now);
  const q: QueuedPod = { key: k, pod, timestamp: now, initialTimestamp: now, attempts: 0, unschedulablePlugins: [], seq: s.seq++ };
  if (gated(pod)) setPool(s, 'gated', q);
  else heapUpsert(s.active, activeOrder, q);
}

/**
 * A queued pod changed. In activeQ/backoffQ it is replaced in place; in the
 * unschedulable pool a change of spec, labels or annotations may make it fit, so it moves
 * to backoffQ or activeQ. A pod not queued is added.
 */
export function queueUpdate(s: QueueState, pod: Pod, now: number): void {
  const k = podKey(pod);
  const inActive = heapGet(s.active, activeOrder, k);
  if (inActive) return heapUpsert(s.active, activeOrder, { ...inActive, pod });
  const inBackoff = heapGet(s.backoff, backoffOrder(s.config), k);
  if (inBackoff) return heapUpsert(s.backoff, backoffOrder(s.config), { ...inBackoff, pod });
  const wasGated = s.gated[k];
  if (wasGated) {
    if (gated(pod)) return setPool(s, 'gated', { ...wasGated, pod });
    deleteFromPool(s, 'gated', k);
    return heapUpsert(s.active, activeOrder, { ...wasGated, pod, timestamp: now });
  }
  const old = s.unschedulable[k];
  if (!old) return queueAdd(s, pod, now);
  const q = { ...old, pod };
  if (!changedForScheduling(old.pod, pod)) return setPool(s, 'unschedulable', q);
  deleteFromPool(s, 'unschedulable', k);
  requeue(s, q, now);
}

/** Forgets a pod (deleted, or bound by someone else). */
export function queueDelete(s: QueueState, k: string): void {
  heapDelete(s.active, activeOrder, k);
  heapDelete(s.backoff, backoffOrder(s.config), k);
  deleteFromPool(s, 'unschedulable', k);
  deleteFromPool(s, 'gated', k);
}

/** The next pod to schedule (its attempts counted, a new scheduling cycle begun), or undefined when activeQ is empty. */
export function queuePop(s: QueueState): QueuedPod | undefined {
  const q = heapPop(s.active, activeOrder);
  if (!q) return undefined;
  q.attempts++;
  s.schedulingCycle++;
  return q;
}

/**
 * AddUnschedulableIfNotPresent: a popped pod failed in scheduling cycle `cycle`. It waits
 * in the unschedulable pool for an event — unless no plugin rejected it (an error), or a
 * move request came while it was being scheduled; then it only backs off.
 */
export function addUnschedulable(s: QueueState, q: QueuedPod, unschedulablePlugins: readonly string[], cycle: number, now: number): void {
  if (queueHas(s, q.key)) return;
  const failed: QueuedPod = { ...q, timestamp: now, unschedulablePlugins: [...new Set(unschedulablePlugins)] };
  if (failed.unschedulablePlugins.length === 0 || s.moveRequestCycle >= cycle) heapUpsert(s.backoff, backoffOrder(s.config), failed);
  else setPool(s, 'unschedulable', failed);
}

/**
 * MoveAllToActiveOrBackoffQueue: pods in the unschedulable pool that a plugin interested
 * in `event` rejected move on — to backoffQ if still backing off, else to activeQ.
 */
export function moveAllToActiveOrBackoff(s: QueueState, event: ClusterEvent, now: number): number {
  let moved = 0;
  if (s.unschedulableCount > 0) {
    for (const q of Object.values(s.unschedulable)) {
      if (!worthRequeuing(s.config, q, event)) continue;
      deleteFromPool(s, 'unschedulable', q.key);
      requeue(s, q, now);
      moved++;
    }
  }
  s.moveRequestCycle = s.schedulingCycle;
  return moved;
}

/** flushBackoffQCompleted: pods whose backoff has ended move to activeQ. */
export function flushBackoffCompleted(s: QueueState, now: number): number {
  let moved = 0;
  const order = backoffOrder(s.config);
  for (let top = heapPeek(s.backoff); top && backoffExpiry(s.config, top) <= now; top = heapPeek(s.backoff)) {
    heapPop(s.backoff, order);
    heapUpsert(s.active, activeOrder, top);
    moved++;
  }
  return moved;
}

/** flushUnschedulablePodsLeftover: pods unschedulable for 5 minutes are retried. */
export function flushUnschedulableLeftover(s: QueueState, now: number): number {
  let moved = 0;
  if (s.unschedulableCount === 0) return 0;
  for (const q of Object.values(s.unschedulable)) {
    if (now - q.timestamp < s.config.maxInUnschedulableMs) continue;
    deleteFromPool(s, 'unschedulable', q.key);
    requeue(s, q, now);
    moved++;
  }
  return moved;
}

/**
 * When the scheduler should next act: `now` if activeQ has a pod, else the earliest backoff
 * end or unschedulable timeout; undefined when nothing waits on time.
 */
export function nextReadyAt(s: QueueState, now: number): number | undefined {
  if (s.active.items.length > 0) return now;
  let at = Infinity;
  const top = heapPeek(s.backoff);
  if (top) at = backoffExpiry(s.config, top);
  if (s.unschedulableCount > 0) for (const q of Object.values(s.unschedulable)) at = Math.min(at, q.timestamp + s.config.maxInUnschedulableMs);
  return at === Infinity ? undefined : Math.max(at, now);
}

function requeue(s: QueueState, q: QueuedPod, now: number): void {
  if (backoffExpiry(s.config, q) > now) heapUpsert(s.backoff, backoffOrder(s.config), q);
  else heapUpsert(s.active, activeOrder, q);
}

function setPool(s: QueueState, pool: 'unschedulable' | 'gated', q: QueuedPod): void {
  const m = s[pool];
  if (!Object.hasOwn(m, q.key)) s[pool === 'gated' ? 'gatedCount' : 'unschedulableCount']++;
  m[q.key] = q;
}

function deleteFromPool(s: QueueState, pool: 'unschedulable' | 'gated', k: string): void {
  const m = s[pool];
  if (!Object.hasOwn(m, k)) return;
  delete m[k];
  s[pool === 'gated' ? 'gatedCount' : 'unschedulableCount']--;
}

function worthRequeuing(c: QueueConfig, q: QueuedPod, event: ClusterEvent): boolean {
  if (event === 'UnschedulableTimeout' || event === 'ForceActivate' || q.unschedulablePlugins.length === 0) return true;
  return q.unschedulablePlugins.some((p) => c.pluginEvents[p]?.includes(event));
}
