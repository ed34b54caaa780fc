/**
 * The scheduler's chart; its effects are provided by actors/scheduler/machine.ts (over
 * actors/scheduler/core.ts).
 *
 * Lifecycle: the scheduler waits in `idle` until its informers have synced, activeQ has a
 * pod and fewer than maxInFlight writes await the apiserver. `scheduling` pops that pod
 * (one scheduling cycle), the `runCycle` effect runs scheduleOne against the snapshot and
 * starts the writes (assume + bind, or the PodScheduled=False status — after DefaultPreemption
 * (plugins/default-preemption/) has evicted lower-priority pods for it where that makes room),
 * and its verdict comes back as `cycle.done` (with the node it was nominated to, if any): the chart records the pending bind, or puts the pod back in the
 * queue, and returns to `idle`. A pod with WaitForFirstConsumer claims is bound only once
 * `claim.bound` has come for each of them (VolumeBinding's PreBind wait); a wait that
 * outlives bindTimeoutMs fails on `timer.fired` and the pod backs off (volume-waits.ts). Binding is asynchronous, as upstream: its answer arrives
 * later as `bind.succeeded` / `bind.failed` in whatever state the chart is in. Cluster
 * changes (pods, nodes, and `volume.changed` for claims, volumes and StorageClasses) may
 * move unschedulable pods; `timer.fired` flushes the backoff and unschedulable
 * pools. After every step the actor re-arms one timer at the queue's nextReadyAt.
 *
 * What the scheduler decides on is the context: the queue (machines/scheduler/queue.ts),
 * the pending binds, the node each accounted pod is on, the nodes' scheduling-relevant
 * signatures, the writes in flight, `synced`, and the counters — all plain data, so a
 * checkpoint, `replay --at` and the inspector show it. The assign actions change the queue
 * and the maps in place (each event costs O(log n), never a copy of 3000 queued pods): the
 * context is their single owner, and snapshots are not kept as history. The Snapshot (node
 * infos with their requested resources, affinity and port indexes) stays an effect-side
 * cache in actors/scheduler/core.ts: it is derived — nodes from the node watch, pods from
 * `podNodes` here — and is the hot path of every filter and score; the context keeps what
 * it is derived from, pod placements and pending (assumed) binds.
 */
import type { Node, Pod } from 'kubernetes-types/core/v1.js';
import { assertEvent, assign, setup } from 'xstate';
import { nodeSignature, withoutResults } from './changes.ts';
import type { ClusterEvent } from './framework.ts';
import { podKey } from './node-info.ts';
import {
  addUnschedulable, emptyQueue, flushBackoffCompleted, flushUnschedulableLeftover, moveAllToActiveOrBackoff,
  queueAdd, queueDelete, queuePop, type QueueConfig, type QueuedPod, type QueueState,
} from './queue.ts';
import { claimBound, expiredWaits, type VolumeWait } from './volume-waits.ts';

/** What the informers report (actors/scheduler/informers.ts); the actor stamps each with the time. */
export type SchedulerEvent =
  | { type: 'pod.added'; pod: Pod }
  | { type: 'pod.updated'; pod: Pod }
  | { type: 'pod.deleted'; pod: Pod }
  | { type: 'node.added'; node: Node }
  | { type: 'node.updated'; node: Node }
  | { type: 'node.deleted'; node: Node };

/** What one scheduling cycle found for the popped pod. */
export type CycleResult =
  /** `awaitClaims`: the pod's WaitForFirstConsumer claims (namespace/name) not yet Bound; the bind waits for them. */
  | { type: 'scheduled'; node: string; awaitClaims?: string[] }
  /** `nominatedNode`: preemption evicted pods there for this one (status.nominatedNodeName). */
  | { type: 'unschedulable'; plugins: string[]; message: string; nominatedNode?: string }
  | { type: 'error'; message: string };

/** The chart's events: every one carries the clock's time, as the chart reads no clock. */
export type SchedulerChartEvent =
  | (SchedulerEvent & { now: number })
  | { type: 'synced'; now: number }
  /** A claim, volume or StorageClass was added or changed (the storage informers): VolumeBinding may now admit a pod. */
  | { type: 'volume.changed'; now: number }
  /** A claim (namespace/name) became Bound: VolumeBinding's PreBind may now let a waiting pod be bound. */
  | { type: 'claim.bound'; claim: string; now: number }
  | { type: 'timer.fired'; now: number }
  | { type: 'cycle.done'; podKey: string; result: CycleResult; now: number }
  | { type: 'bind.succeeded'; podKey: string; node: string; now: number }
  /** `latest`: the informer's version of the pod when the refusal came (absent once deleted). */
  | { type: 'bind.failed'; podKey: string; node: string; message: string; latest?: Pod; now: number }
  | { type: 'status.written'; podKey: string; now: number };

/** An assumed pod whose bind awaits the apiserver. */
export interface PendingBind {
  node: string;
  cycle: number;
  queued: QueuedPod;
  /** VolumeBinding's PreBind: the claims still to be Bound before the pod is (no bind is in flight meanwhile). */
  volumes?: VolumeWait;
}

export interface SchedulerCounters {
  /** Scheduling attempts (one per cycle). */
  attempts: number;
  bound: number;
  bindFailures: number;
  /** Attempts that found no node (or failed with an error). */
  failures: number;
}

export interface SchedulerContext {
  schedulerName: string;
  maxInFlight: number;
  queue: QueueState;
  /** The pod popped in the current cycle, until `cycle.done`. */
  popped: { queued: QueuedPod; cycle: number } | null;
  /** Pending binds: pod key → node, cycle (the pod is assumed on the node meanwhile). */
  binding: Record<string, PendingBind>;
  /** Pods that preempted others, until bound or deleted: pod key → the node their victims leave (status.nominatedNodeName). */
  nominated: Record<string, string>;
  /** Pods accounted on a node, bound or assumed: pod key → node name. */
  podNodes: Record<string, string>;
  /** Node name → its scheduling-relevant signature (a heartbeat moves no pod). */
  nodes: Record<string, string>;
  /** Writes awaiting the apiserver: binds and PodScheduled=False status updates. */
  inFlight: number;
  /** True once nodes, pods and namespaces are listed. */
  synced: boolean;
  /** VolumeBindingArgs.bindTimeoutSeconds, in ms: how long a bind waits for its claims. */
  bindTimeoutMs: number;
  /** Pods whose volume wait just ended: the startBinds effect binds them (set and cleared within one event). */
  bindNow: string[];
  /** Pods whose volume wait just ran out: the failWaits effect reports them (set and cleared within one event). */
  expired: string[];
  /** Scheduling cycles run. */
  cycles: number;
  stats: SchedulerCounters;
}

export interface SchedulerInput {
  schedulerName: string;
  maxInFlight: number;
  bindTimeoutMs: number;
  queue: QueueConfig;
}

/** What a refused bind means, given what the chart knows (shared by the chart and its effects). */
export function bindFailureOutcome(c: SchedulerContext, e: Extract<SchedulerChartEvent, { type: 'bind.failed' }>): 'unknown' | 'bound' | 'gone' | 'requeue' {
  if (!Object.hasOwn(c.binding, e.podKey)) return 'unknown';
  if (e.latest?.spec?.nodeName) return 'bound';
  return e.latest && !e.latest.metadata?.deletionTimestamp ? 'requeue' : 'gone';
}

function move(c: SchedulerContext, event: ClusterEvent, now: number): void {
  if (c.queue.unschedulableCount > 0) moveAllToActiveOrBackoff(c.queue, event, now);
}

function applyPod(c: SchedulerContext, e: Extract<SchedulerChartEvent, { type: `pod.${string}` }>): void {
  const key = podKey(e.pod);
  if (e.type === 'pod.deleted' || e.pod.spec?.nodeName) delete c.nominated[key];
  if (e.type === 'pod.deleted') {
    queueDelete(c.queue, key);
    if (c.binding[key]?.volumes) delete c.binding[key];
    if (!Object.hasOwn(c.podNodes, key)) return;
    delete c.podNodes[key];
    return move(c, 'PodDelete', e.now);
  }
  const pod = e.pod;
  const nodeName = pod.spec?.nodeName;
  if (nodeName) {
    queueDelete(c.queue, key);
    const before = c.podNodes[key];
    if (pod.status?.phase === 'Succeeded' || pod.status?.phase === 'Failed') {
      if (before === undefined) return;
      delete c.podNodes[key];
      return move(c, 'PodDelete', e.now);
    }
    c.podNodes[key] = nodeName;
    // A pod we assumed is no news to the pool; one bound elsewhere (or moved) is.
    if (before !== nodeName) move(c, 'PodAdd', e.now);
    return;
  }
  // Assumed and awaiting its bind: the pending version must not be queued again (skipPodUpdate).
  if (Object.hasOwn(c.binding, key)) return;
  if (pod.metadata?.deletionTimestamp || (pod.spec?.schedulerName ?? c.schedulerName) !== c.schedulerName) return queueDelete(c.queue, key);
  queueAdd(c.queue, withoutResults(pod), e.now);
}

function applyNode(c: SchedulerContext, e: Extract<SchedulerChartEvent, { type: `node.${string}` }>): void {
  const name = e.node.metadata?.name ?? '';
  if (e.type === 'node.deleted') {
    delete c.nodes[name];
    return move(c, 'NodeDelete', e.now);
  }
  const sig = nodeSignature(e.node);
  const old = c.nodes[name];
  c.nodes[name] = sig;
  if (old === undefined) move(c, 'NodeAdd', e.now);
  else if (old !== sig) move(c, 'NodeUpdate', e.now);
}

/** The maps and the queue the assign actions below changed in place, handed back to assign. */
const owned = (c: SchedulerContext) => ({ queue: c.queue, binding: c.binding, podNodes: c.podNodes, nodes: c.nodes, nominated: c.nominated });

/**
 * Named effects, stubbed here: actors/scheduler/machine.ts supplies them with `.provide()`.
 * - updateSnapshot: a pod or node event applied to the effect-side Snapshot (a bound pod
 *   accounted or moved, a deleted or finished one dropped, a node upserted or removed);
 * - runCycle: scheduleOne for `popped` against the Snapshot; on success assume the pod on
 *   the node and POST its binding, else record FailedScheduling and write PodScheduled=False;
 *   then send `cycle.done` (and later `bind.*` / `status.written`);
 * - announceBinding: the Scheduled event for a confirmed bind;
 * - undoAssume: after a refused bind, drop the assumed pod from the Snapshot (unless the
 *   watch shows it bound) and, when it is requeued, record FailedScheduling;
 * - startBinds: POST the bindings of the pods in `bindNow` (their claims are Bound);
 * - failWaits: for the pods in `expired` (a volume wait ran out), drop the assumed pod from
 *   the Snapshot, record FailedScheduling and write PodScheduled=False (then `status.written`);
 * - armTimer: one timer at the queue's nextReadyAt or the earliest volume wait's deadline.
 */
export const schedulerChart = setup({
  types: {
    context: {} as SchedulerContext,
    events: {} as SchedulerChartEvent,
    input: {} as SchedulerInput,
  },
  actions: {
    updateSnapshot: () => {},
    runCycle: () => {},
    announceBinding: () => {},
    undoAssume: () => {},
    armTimer: () => {},
    startBinds: () => {},
    failWaits: () => {},
    applyPodEvent: assign(({ context, event }) => {
      assertEvent(event, ['pod.added', 'pod.updated', 'pod.deleted']);
      applyPod(context, event);
      return owned(context);
    }),
    applyNodeEvent: assign(({ context, event }) => {
      assertEvent(event, ['node.added', 'node.updated', 'node.deleted']);
      applyNode(context, event);
      return owned(context);
    }),
    applyVolumeEvent: assign(({ context, event }) => {
      assertEvent(event, 'volume.changed');
      move(context, 'VolumeChange', event.now);
      return owned(context);
    }),
    claimBound: assign(({ context, event }) => {
      assertEvent(event, 'claim.bound');
      const bindNow = claimBound(context.binding, event.claim);
      // A bind starting is a write in flight; the wait before it was not.
      return { ...owned(context), bindNow, inFlight: context.inFlight + bindNow.length };
    }),
    /** Waits that ran out: each pod is forgotten and backs off, as after a failed PreBind; its status write is in flight. */
    expireWaits: assign(({ context, event }) => {
      assertEvent(event, 'timer.fired');
      const expired = expiredWaits(context.binding, event.now);
      if (expired.length === 0) return {};
      for (const key of expired) {
        const b = context.binding[key]!;
        delete context.binding[key];
        if (context.podNodes[key] === b.node) delete context.podNodes[key];
        addUnschedulable(context.queue, b.queued, [], b.cycle, event.now);
      }
      move(context, 'PodDelete', event.now);
      const stats = { ...context.stats, bindFailures: context.stats.bindFailures + expired.length };
      return { ...owned(context), expired, inFlight: context.inFlight + expired.length, stats };
    }),
    clearHandoffs: assign(({ context }) => (context.bindNow.length || context.expired.length ? { bindNow: [], expired: [] } : {})),
    markSynced: assign({ synced: true }),
    flushQueues: assign(({ context, event }) => {
      assertEvent(event, ['timer.fired', 'synced']);
      flushBackoffCompleted(context.queue, event.now);
      flushUnschedulableLeftover(context.queue, event.now);
      return owned(context);
    }),
    pop: assign(({ context }) => {
      const queued = queuePop(context.queue);
      if (!queued) return { popped: null };
      const stats = { ...context.stats, attempts: context.stats.attempts + 1 };
      return { ...owned(context), popped: { queued, cycle: context.queue.schedulingCycle }, cycles: context.cycles + 1, stats };
    }),
    finishCycle: assign(({ context, event }) => {
      assertEvent(event, 'cycle.done');
      const p = context.popped;
      if (!p || p.queued.key !== event.podKey) return {};
      const r = event.result;
      if (r.type === 'scheduled') {
        const waits = r.awaitClaims?.length ? { volumes: { claims: [...r.awaitClaims], deadline: event.now + context.bindTimeoutMs } } : {};
        context.binding[event.podKey] = { node: r.node, cycle: p.cycle, queued: p.queued, ...waits };
        context.podNodes[event.podKey] = r.node;
        return { ...owned(context), popped: null, inFlight: context.inFlight + (r.awaitClaims?.length ? 0 : 1) };
      }
      if (r.type === 'unschedulable' && r.nominatedNode) context.nominated[event.podKey] = r.nominatedNode;
      addUnschedulable(context.queue, p.queued, r.type === 'unschedulable' ? r.plugins : [], p.cycle, event.now);
      const stats = { ...context.stats, failures: context.stats.failures + 1 };
      return { ...owned(context), popped: null, inFlight: context.inFlight + 1, stats };
    }),
    confirmBinding: assign(({ context, event }) => {
      assertEvent(event, 'bind.succeeded');
      if (!Object.hasOwn(context.binding, event.podKey)) return {};
      delete context.binding[event.podKey];
      return { ...owned(context), inFlight: context.inFlight - 1, stats: { ...context.stats, bound: context.stats.bound + 1 } };
    }),
    /** Forget the assumed pod (unless the watch already shows it bound) and back off. */
    forgetBinding: assign(({ context, event }) => {
      assertEvent(event, 'bind.failed');
      const outcome = bindFailureOutcome(context, event);
      if (outcome === 'unknown') return {};
      const b = context.binding[event.podKey]!;
      delete context.binding[event.podKey];
      // A claim annotation refused during a volume wait: no bind was in flight.
      const after = { inFlight: context.inFlight - (b.volumes ? 0 : 1), stats: { ...context.stats, bindFailures: context.stats.bindFailures + 1 } };
      if (outcome === 'bound') return { ...owned(context), ...after };
      if (context.podNodes[event.podKey] === event.node) delete context.podNodes[event.podKey];
      move(context, 'PodDelete', event.now);
      if (outcome === 'requeue') addUnschedulable(context.queue, { ...b.queued, pod: withoutResults(event.latest!) }, [], b.cycle, event.now);
      return { ...owned(context), ...after };
    }),
    statusWritten: assign(({ context, event }) => {
      assertEvent(event, 'status.written');
      return { inFlight: context.inFlight - 1 };
    }),
  },
  guards: {
    /** Informers synced, a pod in activeQ and room for another write. */
    hasReadyPod: ({ context }) => context.synced && context.queue.active.items.length > 0 && context.inFlight < context.maxInFlight,
    nothingPopped: ({ context }) => context.popped === null,
  },
}).createMachine({
  id: 'scheduler',
  // In the order a printed checkpoint (`replay --at`) reads best: counters, then the pods, then the config.
  context: ({ input }) => ({
    synced: false,
    cycles: 0,
    inFlight: 0,
    stats: { attempts: 0, bound: 0, bindFailures: 0, failures: 0 },
    popped: null,
    binding: {},
    nominated: {},
    bindNow: [],
    expired: [],
    queue: emptyQueue(input.queue),
    podNodes: {},
    nodes: {},
    schedulerName: input.schedulerName,
    maxInFlight: input.maxInFlight,
    bindTimeoutMs: input.bindTimeoutMs,
  }),
  initial: 'idle',
  on: {
    'pod.added': { actions: ['updateSnapshot', 'applyPodEvent', 'armTimer'] },
    'pod.updated': { actions: ['updateSnapshot', 'applyPodEvent', 'armTimer'] },
    'pod.deleted': { actions: ['updateSnapshot', 'applyPodEvent', 'armTimer'] },
    'node.added': { actions: ['updateSnapshot', 'applyNodeEvent', 'armTimer'] },
    'node.updated': { actions: ['updateSnapshot', 'applyNodeEvent', 'armTimer'] },
    'node.deleted': { actions: ['updateSnapshot', 'applyNodeEvent', 'armTimer'] },
    'volume.changed': { actions: ['applyVolumeEvent', 'armTimer'] },
    'claim.bound': { actions: ['claimBound', 'startBinds', 'clearHandoffs', 'armTimer'] },
    synced: { actions: ['markSynced', 'flushQueues', 'armTimer'] },
    'timer.fired': { actions: ['expireWaits', 'failWaits', 'clearHandoffs', 'flushQueues', 'armTimer'] },
    'bind.succeeded': { actions: ['announceBinding', 'confirmBinding'] },
    'bind.failed': { actions: ['undoAssume', 'forgetBinding', 'armTimer'] },
    'status.written': { actions: ['statusWritten'] },
  },
  states: {
    idle: {
      always: { guard: 'hasReadyPod', target: 'scheduling' },
    },
    scheduling: {
      entry: ['pop', 'runCycle'],
      always: { guard: 'nothingPopped', target: 'idle' },
      on: {
        'cycle.done': { target: 'idle', actions: ['finishCycle', 'armTimer'] },
      },
    },
  },
});
