/**
 * What the scheduler chart's named actions do, on one incarnation's state: the Snapshot
 * (with assumed pods), the SchedulingQueue, the binds in flight and the explanations.
 * Every method costs O(the pod or node concerned) — plus, as upstream, O(unschedulable
 * pods) when a cluster event may move them — never O(all pods).
 */
import type { Pod } from 'kubernetes-types/core/v1.js';
import type { SchedulerStats } from '../../bus/catalogue/scheduler.ts';
import type { SchedulerEvent } from '../../machines/scheduler/chart.ts';
import { simulatorAnnotations } from '../../machines/scheduler/explain.ts';
import type { ClusterEvent } from '../../machines/scheduler/framework.ts';
import { podKey } from '../../machines/scheduler/node-info.ts';
import { defaultPlugins } from '../../machines/scheduler/plugins/registry.ts';
import { SchedulingQueue, type QueuedPod } from '../../machines/scheduler/queue.ts';
import { scheduleOne } from '../../machines/scheduler/schedule-one.ts';
import { Snapshot } from '../../machines/scheduler/snapshot.ts';
import { ExplanationStore, toExplanation } from './explanations.ts';
import { nodeSignature, optedIn, withoutResults } from './changes.ts';
import type { ResolvedOptions } from './options.ts';
import type { SchedulerWriter } from './writer.ts';

interface Binding {
  q: QueuedPod;
  cycle: number;
  node: string;
}

export interface CoreDeps {
  opts: ResolvedOptions;
  writer: SchedulerWriter;
  now(): number;
  random(): number;
  /** Sends an event to the chart (bind results, wake-ups). */
  send(e: SchedulerEvent): void;
  /** The latest version of a pod the informer has, by uid key (undefined once deleted). */
  current(key: string): Pod | undefined;
}

export class SchedulerCore {
  readonly snapshot = new Snapshot();
  readonly queue: SchedulingQueue;
  readonly explanations: ExplanationStore;
  readonly #binding = new Map<string, Binding>();
  readonly #nodeSigs = new Map<string, string>();
  readonly #plugins;
  #start = 0;
  #blocked = false;
  synced = false;
  readonly stats = { attempts: 0, bound: 0, bindFailures: 0, failures: 0 };

  constructor(private readonly d: CoreDeps) {
    this.#plugins = d.opts.plugins ?? defaultPlugins;
    this.queue = new SchedulingQueue({ ...d.opts.queue, eventsOf: (n) => this.#plugins.byName.get(n)?.events });
    this.explanations = new ExplanationStore(d.opts.keepExplanations);
  }

  /** The chart's hasReadyPod: informers synced, a pod in activeQ and room for another write. */
  hasReadyPod(): boolean {
    if (!this.synced || this.queue.sizes.active === 0) return false;
    this.#blocked = this.d.writer.inFlight >= this.d.opts.maxInFlight;
    return !this.#blocked;
  }

  /** A write finished: if scheduling waited for room, wake the chart. */
  wrote(): void {
    if (this.#blocked) {
      this.#blocked = false;
      this.d.send({ type: 'timer.fired', now: this.d.now() });
    }
  }

  applyPod(e: Extract<SchedulerEvent, { type: 'pod.added' | 'pod.updated' | 'pod.deleted' }>): void {
    const now = this.d.now();
    const key = podKey(e.pod);
    if (e.type === 'pod.deleted') {
      this.queue.delete(key);
      if (this.snapshot.removePod(key)) this.#move('PodDelete', now);
      return;
    }
    const pod = e.pod;
    if (pod.spec?.nodeName) {
      this.queue.delete(key);
      const before = this.snapshot.nodeOf(key);
      const terminal = pod.status?.phase === 'Succeeded' || pod.status?.phase === 'Failed';
      if (terminal) {
        if (this.snapshot.removePod(key)) this.#move('PodDelete', now);
        return;
      }
      this.snapshot.upsertPod(pod);
      // A pod we assumed is no news to the pool; one bound elsewhere (or moved) is.
      if (before === undefined || before !== pod.spec.nodeName) this.#move('PodAdd', now);
      return;
    }
    // Assumed and awaiting its bind: the pending version must not be queued again (skipPodUpdate).
    if (this.#binding.has(key)) return;
    if (pod.metadata?.deletionTimestamp || (pod.spec?.schedulerName ?? this.d.opts.schedulerName) !== this.d.opts.schedulerName) {
      this.queue.delete(key);
      return;
    }
    this.queue.add(withoutResults(pod), now);
  }

  applyNode(e: Extract<SchedulerEvent, { type: 'node.added' | 'node.updated' | 'node.deleted' }>): void {
    const now = this.d.now();
    const name = e.node.metadata?.name ?? '';
    if (e.type === 'node.deleted') {
      this.snapshot.removeNode(name);
      this.#nodeSigs.delete(name);
      return void this.#move('NodeDelete', now);
    }
    this.snapshot.upsertNode(e.node);
    const sig = nodeSignature(e.node);
    const old = this.#nodeSigs.get(name);
    this.#nodeSigs.set(name, sig);
    if (old === undefined) this.#move('NodeAdd', now);
    else if (old !== sig) this.#move('NodeUpdate', now);
  }

  /** A claim, volume or StorageClass was added or changed: pods VolumeBinding turned away may fit now. */
  volumeChanged(): void {
    const before = this.queue.sizes.unschedulable;
    if (before === 0) return;
    const now = this.d.now();
    this.#move('VolumeChange', now);
    if (this.queue.sizes.unschedulable !== before) this.d.send({ type: 'timer.fired', now });
  }

  flush(now: number): void {
    this.queue.flushBackoffCompleted(now);
    this.queue.flushUnschedulableLeftover(now);
  }

  /** One scheduling cycle: pop, scheduleOne, then assume + bind, or record the failure. */
  scheduleNext(): void {
    const q = this.queue.pop();
    if (!q) return;
    const cycle = this.queue.schedulingCycle;
    const now = this.d.now();
    const pod = q.pod;
    const annotate = this.#annotates(pod);
    const explain = annotate || (this.explanations.limit > 0 && (this.d.opts.explain === 'all' || optedIn(pod)));
    const r = scheduleOne({
      snapshot: this.snapshot,
      pod,
      startIndex: this.#start,
      tieBreak: Math.floor(this.d.random() * 2 ** 31),
      plugins: this.#plugins,
      ...(this.d.opts.percentageOfNodesToScore !== undefined ? { percentageOfNodesToScore: this.d.opts.percentageOfNodesToScore } : {}),
      explain,
    });
    this.#start = r.nextStartIndex;
    this.stats.attempts++;
    const m = pod.metadata ?? {};
    if (this.explanations.limit > 0) {
      const a = { namespace: m.namespace ?? 'default', name: m.name ?? '', uid: m.uid, at: now, attempt: q.attempts, numAllNodes: this.snapshot.nodes.length };
      this.explanations.put(toExplanation(a, r));
    }
    const annotations = annotate ? simulatorAnnotations(r) : undefined;
    if (r.type === 'scheduled') {
      // Assume: the node's resources are taken now, before the apiserver answers.
      this.snapshot.upsertPod({ ...pod, spec: { ...pod.spec!, nodeName: r.node } });
      this.#binding.set(q.key, { q, cycle, node: r.node });
      // VolumeBinding's PreBind: the node goes on the pod's WaitForFirstConsumer claims first.
      // Without such claims the bind is sent now (it counts in flight at once).
      const claims = this.snapshot.volumes.delayedClaims(pod);
      const bound = claims.length
        ? this.d.writer.selectNode(claims, r.node).then((v) => (v.ok ? this.d.writer.bind(pod, r.node, annotations) : v))
        : this.d.writer.bind(pod, r.node, annotations);
      void bound.then((res) => {
        this.d.send(res.ok ? { type: 'bind.succeeded', podKey: q.key, node: r.node } : { type: 'bind.failed', podKey: q.key, node: r.node, message: res.status.message });
      });
      return;
    }
    this.stats.failures++;
    const plugins = r.type === 'unschedulable' ? r.error.unschedulablePlugins : [];
    this.queue.addUnschedulable(q, plugins, cycle, now);
    const message = r.type === 'unschedulable' ? r.error.message : r.message;
    this.d.writer.failed(pod, message);
    const latest = this.d.current(q.key) ?? pod;
    void this.d.writer.markUnschedulable(latest, r.type === 'unschedulable' ? 'Unschedulable' : 'SchedulerError', message, annotations).then(() => this.wrote());
  }

  confirmBinding(e: Extract<SchedulerEvent, { type: 'bind.succeeded' }>): void {
    const b = this.#binding.get(e.podKey);
    if (!b) return;
    this.#binding.delete(e.podKey);
    this.stats.bound++;
    this.d.writer.scheduled(b.q.pod, e.node);
    this.wrote();
  }

  /** Forget the assumed pod (unless the watch already shows it bound) and back off. */
  handleBindFailure(e: Extract<SchedulerEvent, { type: 'bind.failed' }>): void {
    const b = this.#binding.get(e.podKey);
    if (!b) return;
    this.#binding.delete(e.podKey);
    this.stats.bindFailures++;
    const now = this.d.now();
    const latest = this.d.current(e.podKey);
    if (latest?.spec?.nodeName) return this.wrote();
    if (this.snapshot.nodeOf(e.podKey) === e.node) this.snapshot.removePod(e.podKey);
    this.#move('PodDelete', now);
    if (latest && !latest.metadata?.deletionTimestamp) {
      this.queue.addUnschedulable({ ...b.q, pod: withoutResults(latest) }, [], b.cycle, now);
      this.d.writer.failed(latest, `Binding rejected: ${e.message}`);
    }
    this.wrote();
  }

  /** When the chart should next flush the queues: undefined when nothing waits on time. */
  nextReadyAt(now: number): number | undefined {
    return this.queue.nextReadyAt(now);
  }

  snapshotStats(): SchedulerStats {
    return {
      queue: this.queue.sizes,
      ...this.stats,
      inFlight: this.#binding.size,
      nodes: this.snapshot.nodes.length,
      pods: this.snapshot.podCount,
    };
  }

  #annotates(pod: Pod): boolean {
    const mode = this.d.opts.annotate;
    return mode === 'all' || (mode === 'opt-in' && optedIn(pod));
  }

  #move(event: ClusterEvent, now: number): void {
    if (this.queue.sizes.unschedulable > 0) this.queue.moveAllToActiveOrBackoff(event, now);
  }
}
