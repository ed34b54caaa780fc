/**
 * The scheduling queue (internal/queue/scheduling_queue.go PriorityQueue), as a pure data
 * structure: time is passed in, nothing fires by itself. The actor calls
 * flushBackoffCompleted / flushUnschedulableLeftover when `nextReadyAt` comes due.
 *
 * - activeQ: pods ready to schedule, highest spec.priority first, then earliest queued.
 * - backoffQ: pods that failed and wait out their backoff (1 s doubling to 10 s).
 * - unschedulable pool: pods no node fits; they move back on a cluster event one of the
 *   plugins that rejected them cares about, or after 5 minutes regardless.
 * - gated: pods with spec.schedulingGates (the SchedulingGates PreEnqueue plugin); they
 *   wait, untimed, until an update removes the last gate.
 */
import type { Pod } from 'kubernetes-types/core/v1.js';
import { backoffDuration, DEFAULT_INITIAL_BACKOFF_MS, DEFAULT_MAX_BACKOFF_MS, DEFAULT_MAX_IN_UNSCHEDULABLE_MS } from './backoff.ts';
import type { ClusterEvent } from './framework.ts';
import { KeyedHeap } from './heap.ts';
import { podKey } from './node-info.ts';
import { changedForScheduling, gated, type QueuedPod } from './queued-pod.ts';

export type { QueuedPod } from './queued-pod.ts';

export interface QueueOptions {
  initialBackoffMs?: number;
  maxBackoffMs?: number;
  maxInUnschedulableMs?: number;
  /** The events each plugin registers for (from the plugin set). */
  eventsOf?: (plugin: string) => readonly ClusterEvent[] | undefined;
}

const priority = (p: Pod): number => p.spec?.priority ?? 0;

export class SchedulingQueue {
  readonly #active = new KeyedHeap<QueuedPod>((q) => q.key, (a, b) =>
    priority(a.pod) !== priority(b.pod) ? priority(a.pod) > priority(b.pod)
      : a.timestamp !== b.timestamp ? a.timestamp < b.timestamp : a.seq < b.seq);
  readonly #backoff = new KeyedHeap<QueuedPod>((q) => q.key, (a, b) => {
    const x = this.backoffExpiry(a);
    const y = this.backoffExpiry(b);
    return x !== y ? x < y : a.seq < b.seq;
  });
  readonly #unschedulable = new Map<string, QueuedPod>();
  readonly #gated = new Map<string, QueuedPod>();
  #seq = 0;
  #schedulingCycle = 0;
  #moveRequestCycle = -1;
  readonly #initialBackoff: number;
  readonly #maxBackoff: number;
  readonly #maxInUnschedulable: number;
  readonly #eventsOf: (plugin: string) => readonly ClusterEvent[] | undefined;

  constructor(opts: QueueOptions = {}) {
    this.#initialBackoff = opts.initialBackoffMs ?? DEFAULT_INITIAL_BACKOFF_MS;
    this.#maxBackoff = opts.maxBackoffMs ?? DEFAULT_MAX_BACKOFF_MS;
    this.#maxInUnschedulable = opts.maxInUnschedulableMs ?? DEFAULT_MAX_IN_UNSCHEDULABLE_MS;
    this.#eventsOf = opts.eventsOf ?? (() => undefined);
  }

  /** Pod counts per sub-queue. */
  get sizes(): { active: number; backoff: number; unschedulable: number; gated: number } {
    return { active: this.#active.size, backoff: this.#backoff.size, unschedulable: this.#unschedulable.size, gated: this.#gated.size };
  }

  /** The scheduling cycle of the last pop (one per attempt). */
  get schedulingCycle(): number {
    return this.#schedulingCycle;
  }

  /** When a pod's backoff ends: its queue timestamp plus 1 s·2^(attempts-1), at most 10 s. */
  backoffExpiry(q: QueuedPod): number {
    return q.timestamp + backoffDuration(q.attempts, this.#initialBackoff, this.#maxBackoff);
  }

  has(key: string): boolean {
    return this.#active.has(key) || this.#backoff.has(key) || this.#unschedulable.has(key) || this.#gated.has(key);
  }

  /** A new pending pod goes to activeQ, or waits if gated (an already queued one is updated instead). */
  add(pod: Pod, now: number): void {
    const key = podKey(pod);
    if (this.has(key)) return this.update(pod, now);
    const q: QueuedPod = { key, pod, timestamp: now, initialTimestamp: now, attempts: 0, unschedulablePlugins: new Set(), seq: this.#seq++ };
    if (gated(pod)) this.#gated.set(key, q);
    else this.#active.upsert(q);
  }

  /**
   * A queued pod changed. In activeQ/backoffQ it is replaced in place; in the
   * unschedulable pool a change of spec, labels or annotations may make it fit, so it moves
   * to backoffQ or activeQ. A pod not queued is added.
   */
  update(pod: Pod, now: number): void {
    const key = podKey(pod);
    const inActive = this.#active.get(key);
    if (inActive) return this.#active.upsert({ ...inActive, pod });
    const inBackoff = this.#backoff.get(key);
    if (inBackoff) return this.#backoff.upsert({ ...inBackoff, pod });
    const wasGated = this.#gated.get(key);
    if (wasGated) {
      if (gated(pod)) return void this.#gated.set(key, { ...wasGated, pod });
      this.#gated.delete(key);
      return this.#active.upsert({ ...wasGated, pod, timestamp: now });
    }
    const old = this.#unschedulable.get(key);
    if (!old) return this.add(pod, now);
    const q = { ...old, pod };
    if (!changedForScheduling(old.pod, pod)) return void this.#unschedulable.set(key, q);
    this.#unschedulable.delete(key);
    this.#requeue(q, now);
  }

  /** Forgets a pod (deleted, or bound by someone else). */
  delete(key: string): void {
    this.#active.delete(key);
    this.#backoff.delete(key);
    this.#unschedulable.delete(key);
    this.#gated.delete(key);
  }

  /** The next pod to schedule, or undefined when activeQ is empty. */
  pop(): QueuedPod | undefined {
    const q = this.#active.pop();
    if (!q) return undefined;
    q.attempts++;
    this.#schedulingCycle++;
    return q;
  }

  /**
   * AddUnschedulableIfNotPresent: a popped pod failed in scheduling cycle `cycle`. It waits
   * in the unschedulable pool for an event — unless no plugin rejected it (an error), or a
   * move request came while it was being scheduled; then it only backs off.
   */
  addUnschedulable(q: QueuedPod, unschedulablePlugins: Iterable<string>, cycle: number, now: number): void {
    if (this.has(q.key)) return;
    q.timestamp = now;
    q.unschedulablePlugins = new Set(unschedulablePlugins);
    if (q.unschedulablePlugins.size === 0 || this.#moveRequestCycle >= cycle) this.#backoff.upsert(q);
    else this.#unschedulable.set(q.key, q);
  }

  /**
   * MoveAllToActiveOrBackoffQueue: pods in the unschedulable pool that a plugin interested
   * in `event` rejected move on — to backoffQ if still backing off, else to activeQ.
   */
  moveAllToActiveOrBackoff(event: ClusterEvent, now: number): number {
    let moved = 0;
    for (const q of [...this.#unschedulable.values()]) {
      if (!this.#worthRequeuing(q, event)) continue;
      this.#unschedulable.delete(q.key);
      this.#requeue(q, now);
      moved++;
    }
    this.#moveRequestCycle = this.#schedulingCycle;
    return moved;
  }

  /** flushBackoffQCompleted: pods whose backoff has ended move to activeQ. */
  flushBackoffCompleted(now: number): number {
    let moved = 0;
    for (let top = this.#backoff.peek(); top && this.backoffExpiry(top) <= now; top = this.#backoff.peek()) {
      this.#backoff.pop();
      this.#active.upsert(top);
      moved++;
    }
    return moved;
  }

  /** flushUnschedulablePodsLeftover: pods unschedulable for 5 minutes are retried. */
  flushUnschedulableLeftover(now: number): number {
    let moved = 0;
    for (const q of [...this.#unschedulable.values()]) {
      if (now - q.timestamp < this.#maxInUnschedulable) continue;
      this.#unschedulable.delete(q.key);
      this.#requeue(q, now);
      moved++;
    }
    return moved;
  }

  /**
   * When the actor should next act: `now` if activeQ has a pod, else the earliest backoff
   * end or unschedulable timeout; undefined when nothing waits on time.
   */
  nextReadyAt(now: number): number | undefined {
    if (this.#active.size > 0) return now;
    let at = Infinity;
    const top = this.#backoff.peek();
    if (top) at = this.backoffExpiry(top);
    for (const q of this.#unschedulable.values()) at = Math.min(at, q.timestamp + this.#maxInUnschedulable);
    return at === Infinity ? undefined : Math.max(at, now);
  }

  #requeue(q: QueuedPod, now: number): void {
    if (this.backoffExpiry(q) > now) this.#backoff.upsert(q);
    else this.#active.upsert(q);
  }

  #worthRequeuing(q: QueuedPod, event: ClusterEvent): boolean {
    if (event === 'UnschedulableTimeout' || event === 'ForceActivate' || q.unschedulablePlugins.size === 0) return true;
    for (const p of q.unschedulablePlugins) if (this.#eventsOf(p)?.includes(event)) return true;
    return false;
  }
}
