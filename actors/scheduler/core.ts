/**
 * The effects of the scheduler chart's named actions, on one incarnation's effect-side
 * state: the Snapshot (node infos with the pods accounted on them, assumed ones included),
 * the explanations, and the writer. What the scheduler decides on — queue, pending binds,
 * placements, writes in flight — is the chart's context (machines/scheduler/chart.ts);
 * these methods read it and never change it. Every method costs O(the pod or node
 * concerned), never O(all pods).
 */
import type { Pod } from 'kubernetes-types/core/v1.js';
import type { SchedulerStats } from '../../bus/catalogue/scheduler.ts';
import { bindFailureOutcome, type SchedulerChartEvent, type SchedulerContext } from '../../machines/scheduler/chart.ts';
import { simulatorAnnotations } from '../../machines/scheduler/explain.ts';
import { defaultPlugins, type PluginSet } from '../../machines/scheduler/plugins/registry.ts';
import { queueSizes } from '../../machines/scheduler/queue.ts';
import { scheduleOne, type ScheduleResult } from '../../machines/scheduler/schedule-one.ts';
import { preempt } from '../../machines/scheduler/plugins/default-preemption/index.ts';
import { Snapshot } from '../../machines/scheduler/snapshot.ts';
import { podKey } from '../../machines/scheduler/node-info.ts';
import { BIND_TIMEOUT_MESSAGE } from '../../machines/scheduler/volume-waits.ts';
import { ExplanationStore, toExplanation } from './explanations.ts';
import { optedIn } from './options.ts';
import type { ResolvedOptions } from './options.ts';
import type { SchedulerWriter } from './writer.ts';
import type { SchedulerMetrics } from './metrics.ts';

type Ev<T extends SchedulerChartEvent['type']> = Extract<SchedulerChartEvent, { type: T }>;
type Send = (e: SchedulerChartEvent) => void;

export interface CoreDeps {
  opts: ResolvedOptions;
  writer: SchedulerWriter;
  now(): number;
  random(): number;
  /** The latest version of a pod the informer has, by uid key (undefined once deleted). */
  current(key: string): Pod | undefined;
  /** Counts attempts, their durations and preemptions on the cluster's registry. */
  metrics?: SchedulerMetrics;
}

export class SchedulerCore {
  readonly snapshot = new Snapshot();
  readonly explanations: ExplanationStore;
  readonly plugins: PluginSet;
  #start = 0;
  /** The simulator's result annotations of pods waiting for their claims, for their later bind. */
  readonly #annotations = new Map<string, Record<string, string>>();
  /** When the cycle of each pod being bound began: its attempt ends with the bind's answer. */
  readonly #cycleStart = new Map<string, number>();

  constructor(private readonly d: CoreDeps) {
    this.plugins = d.opts.plugins ?? defaultPlugins;
    this.explanations = new ExplanationStore(d.opts.keepExplanations);
  }

  /** A pod or node event, applied to the Snapshot as the chart applies it to `podNodes` / `nodes`. */
  updateSnapshot(e: Ev<'pod.added' | 'pod.updated' | 'pod.deleted' | 'node.added' | 'node.updated' | 'node.deleted'>): void {
    switch (e.type) {
      case 'node.deleted':
        return this.snapshot.removeNode(e.node.metadata?.name ?? '');
      case 'node.added':
      case 'node.updated':
        return void this.snapshot.upsertNode(e.node);
      case 'pod.deleted':
        this.snapshot.unnominate(podKey(e.pod));
        return void this.snapshot.removePod(e.pod);
      default: {
        // A bound pod is accounted (upsertPod drops one that finished); a pending one is the queue's.
        if (e.pod.spec?.nodeName) this.snapshot.upsertPod(e.pod);
        // The nominator follows status.nominatedNodeName of pods still pending (also after a restart).
        const nominated = e.pod.spec?.nodeName || e.pod.metadata?.deletionTimestamp ? undefined : e.pod.status?.nominatedNodeName;
        if (nominated) this.snapshot.nominate(e.pod, nominated);
        else this.snapshot.unnominate(podKey(e.pod));
      }
    }
  }

  /**
   * One scheduling cycle for the popped pod: scheduleOne against the Snapshot, then assume
   * + bind, or FailedScheduling + PodScheduled=False. The verdict goes back as `cycle.done`;
   * the write's answer later as `bind.*` or `status.written`.
   */
  runCycle(c: SchedulerContext, send: Send): void {
    const p = c.popped;
    if (!p) return;
    const { queued: q } = p;
    const now = this.d.now();
    const pod = q.pod;
    const annotate = this.#annotates(pod);
    const explain = annotate || (this.explanations.limit > 0 && (this.d.opts.explain === 'all' || optedIn(pod)));
    const r = scheduleOne({
      snapshot: this.snapshot,
      pod,
      startIndex: this.#start,
      tieBreak: Math.floor(this.d.random() * 2 ** 31),
      plugins: this.plugins,
      ...(this.d.opts.percentageOfNodesToScore !== undefined ? { percentageOfNodesToScore: this.d.opts.percentageOfNodesToScore } : {}),
      explain,
    });
    this.#start = r.nextStartIndex;
    const m = pod.metadata ?? {};
    if (this.explanations.limit > 0) {
      const a = { namespace: m.namespace ?? 'default', name: m.name ?? '', uid: m.uid, at: now, attempt: q.attempts, numAllNodes: this.snapshot.nodes.length };
      this.explanations.put(toExplanation(a, r));
    }
    const annotations = annotate ? simulatorAnnotations(r) : undefined;
    if (r.type === 'scheduled') {
      this.#cycleStart.set(q.key, now);
      // Assume: the node's resources are taken now, before the apiserver answers; a nomination is spent.
      this.snapshot.unnominate(q.key);
      this.snapshot.upsertPod({ ...pod, spec: { ...pod.spec!, nodeName: r.node } });
      // VolumeBinding's PreBind: the node goes on the pod's WaitForFirstConsumer claims, and
      // the bind waits until they are Bound (the chart's `claim.bound`, then startBinds).
      const awaitClaims = this.snapshot.volumes.unboundDelayedClaims(pod);
      if (awaitClaims.length === 0) {
        this.#bind(q.key, pod, r.node, annotations, send);
        return send({ type: 'cycle.done', podKey: q.key, result: { type: 'scheduled', node: r.node }, now });
      }
      if (annotations) this.#annotations.set(q.key, annotations);
      void this.d.writer.selectNode(this.snapshot.volumes.delayedClaims(pod), r.node).then((res) => {
        if (!res.ok) send({ type: 'bind.failed', podKey: q.key, node: r.node, message: res.status.message, ...latest(this.d.current(q.key)), now: this.d.now() });
      });
      return send({ type: 'cycle.done', podKey: q.key, result: { type: 'scheduled', node: r.node, awaitClaims }, now });
    }
    const post = r.type === 'unschedulable' ? this.#postFilter(pod, r) : undefined;
    this.d.metrics?.attempt(r.type, this.d.now() - now);
    const message = r.type === 'unschedulable' ? r.error.message + (post?.message ? ` ${post.message}` : '') : r.message;
    this.d.writer.failed(pod, message);
    const current = this.d.current(q.key) ?? pod;
    void this.d.writer.markUnschedulable(current, r.type === 'unschedulable' ? 'Unschedulable' : 'SchedulerError', message, annotations, post?.nominate)
      .finally(() => send({ type: 'status.written', podKey: q.key, now: this.d.now() }));
    const nominated = post?.nominate ? { nominatedNode: post.nominate } : {};
    const result = r.type === 'unschedulable' ? { type: r.type, plugins: [...r.error.unschedulablePlugins], message, ...nominated } : { type: r.type, message };
    send({ type: 'cycle.done', podKey: q.key, result, now });
  }

  /** POSTs the bindings of the pods whose claims are now all Bound (the chart's `bindNow`). */
  startBinds(c: SchedulerContext, send: Send): void {
    for (const key of c.bindNow) {
      const b = c.binding[key];
      const annotations = this.#annotations.get(key);
      this.#annotations.delete(key);
      if (b) this.#bind(key, b.queued.pod, b.node, annotations, send);
    }
  }

  /**
   * Volume waits that ran out (the chart's `expired`, already requeued there): the assumed
   * pod leaves its node, FailedScheduling and PodScheduled=False (SchedulerError) say why.
   */
  failWaits(c: SchedulerContext, send: Send): void {
    for (const key of c.expired) {
      this.#annotations.delete(key);
      this.#attemptEnded(key, 'error');
      if (this.snapshot.nodeOf(key) && !Object.hasOwn(c.podNodes, key)) this.snapshot.removePod(key);
      const pod = this.d.current(key);
      if (!pod) {
        send({ type: 'status.written', podKey: key, now: this.d.now() });
        continue;
      }
      this.d.writer.failed(pod, BIND_TIMEOUT_MESSAGE);
      void this.d.writer.markUnschedulable(pod, 'SchedulerError', BIND_TIMEOUT_MESSAGE)
        .finally(() => send({ type: 'status.written', podKey: key, now: this.d.now() }));
    }
  }

  /** The Scheduled event for a bind the apiserver confirmed. */
  announceBinding(c: SchedulerContext, e: Ev<'bind.succeeded'>): void {
    const b = c.binding[e.podKey];
    this.#attemptEnded(e.podKey, 'scheduled');
    if (!b) return;
    this.d.writer.scheduled(b.queued.pod, e.node);
    this.d.metrics?.scheduled(b.queued.attempts, this.d.now() - b.queued.initialTimestamp);
  }

  /** A refused bind: the assumed pod leaves its node unless the watch shows it bound. */
  undoAssume(c: SchedulerContext, e: Ev<'bind.failed'>): void {
    const outcome = bindFailureOutcome(c, e);
    this.#attemptEnded(e.podKey, 'error');
    if (outcome === 'unknown' || outcome === 'bound') return;
    if (this.snapshot.nodeOf(e.podKey) === e.node) this.snapshot.removePod(e.podKey);
    if (outcome === 'requeue') this.d.writer.failed(e.latest!, `Binding rejected: ${e.message}`);
  }

  stats(c: SchedulerContext): SchedulerStats {
    return {
      queue: queueSizes(c.queue),
      ...c.stats,
      inFlight: Object.keys(c.binding).length,
      nodes: this.snapshot.nodes.length,
      pods: this.snapshot.podCount,
    };
  }

  /**
   * DefaultPreemption after a failed cycle: the victims are marked, deleted and told
   * (writer.preempt), and the pod is nominated to their node; or the message to append to
   * the FailedScheduling one ("preemption: …"), and "" to clear a stale nomination.
   */
  #postFilter(pod: Pod, r: Extract<ScheduleResult, { type: 'unschedulable' }>): { message?: string; nominate?: string } {
    if (!r.postFilter) return {};
    const pre = preempt({
      snapshot: this.snapshot, state: r.postFilter.state, filters: r.postFilter.filters, pod, error: r.error,
      pdbs: [...this.snapshot.pdbs.values()], offset: Math.floor(this.d.random() * 2 ** 31),
    });
    this.d.metrics?.preemption(pre.type === 'none' ? undefined : pre.victims.length);
    if (pre.type === 'none') {
      if (pre.clearNomination) this.snapshot.unnominate(podKey(pod));
      return { message: pre.message, ...(pre.clearNomination && pod.status?.nominatedNodeName ? { nominate: '' } : {}) };
    }
    const schedulerName = pod.spec?.schedulerName ?? this.d.opts.schedulerName;
    for (const victim of pre.victims) void this.d.writer.preempt(victim, pod, pre.node, schedulerName);
    // At once, not when the watch brings status.nominatedNodeName back: the room is the preemptor's from now.
    this.snapshot.nominate(pod, pre.node);
    return { nominate: pre.node };
  }

  #bind(key: string, pod: Pod, node: string, annotations: Record<string, string> | undefined, send: Send): void {
    void this.d.writer.bind(pod, node, annotations).then((res) => {
      const at = this.d.now();
      if (res.ok) send({ type: 'bind.succeeded', podKey: key, node, now: at });
      else send({ type: 'bind.failed', podKey: key, node, message: res.status.message, ...latest(this.d.current(key)), now: at });
    });
  }

  /** A bound pod's attempt ends with the bind's answer (or a volume wait's end). */
  #attemptEnded(key: string, result: 'scheduled' | 'error'): void {
    const start = this.#cycleStart.get(key);
    if (start === undefined) return;
    this.#cycleStart.delete(key);
    this.d.metrics?.attempt(result, this.d.now() - start);
  }

  #annotates(pod: Pod): boolean {
    const mode = this.d.opts.annotate;
    return mode === 'all' || (mode === 'opt-in' && optedIn(pod));
  }
}

const latest = (pod: Pod | undefined): { latest?: Pod } => (pod ? { latest: pod } : {});
