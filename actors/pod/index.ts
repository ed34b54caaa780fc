import type { Pod, PodStatus } from 'kubernetes-types/core/v1.js';
import { createActor, type Actor, type AnyActorRef } from 'xstate';
import { ownedClock, type Clock } from '../../base/clock.ts';
import type { ChildObserver } from '../lifecycle.ts';
import type { Runtime } from '../runtime/runtime.ts';
import { podMachine, type PodEventRecord, type PodMachine } from '../../machines/pod/index.ts';
import { lightenSystem, releaseStartQueue, shareEmptyTags } from '../root-system.ts';
import { runCommands, type PodRuntime } from './bridge.ts';
import { setPodHooks, type PodHooks } from './hooks.ts';

/** Where a pod actor reports; the kubelet forwards these to the apiserver. */
export interface PodOutput {
  /** The full status, each time something in it changed. */
  onStatus(status: PodStatus): void;
  /** `source` is the reporting kubelet, as in a core/v1 Event. */
  onEvent(event: PodEventRecord, source: { component: 'kubelet'; host: string }): void;
  /** Containers and sandbox are gone: the kubelet may finish the delete. */
  onTerminated(): void;
}

/** The address a pod actor is recorded and replayed under: `pod.<uid>`. */
export const podAddress = (uid: string): string => `pod.${uid}`;

/** The pod chart's effects whose runs are its outputs (what `replay --verify` compares and a kubelet replay hears). */
export const POD_EFFECTS = ['runCommands', 'report', 'emitTerminated'] as const;

export interface PodActorOptions {
  pod: Pod;
  nodeName: string;
  hostIP: string;
  /** Allocated by the kubelet; a runtime that assigns IPs itself overrides it. */
  podIP?: string;
  clock: Clock;
  runtime: Runtime;
  output: PodOutput;
  /** The kubelet's `ActorContext.observe`: the recorder logs the pod at event level through it. */
  observe?: ChildObserver;
  /** What the kubelet prepares for the runtime steps (volumes, container environment). */
  hooks?: PodHooks;
}

export interface PodActor {
  readonly actor: Actor<PodMachine>;
  /** Begins graceful termination (the pod got a deletionTimestamp). */
  delete(gracePeriodSeconds?: number): void;
  /** Evicts the pod (kubelet's eviction manager): killed at once, Failed with reason Evicted. */
  evict(message: string): void;
  stop(): void;
}

interface Binding extends PodRuntime {
  output: PodOutput;
  source: { component: 'kubelet'; host: string };
}

/** The Event source of a node's pods: one object per node, not one per pod. */
const sources = new Map<string, Binding['source']>();
function sourceOf(host: string): Binding['source'] {
  let s = sources.get(host);
  if (!s) sources.set(host, (s = Object.freeze({ component: 'kubelet', host } as const)));
  return s;
}

/** Pod actor → its runtime, clock and where it reports. Keyed by the actor itself so one provided machine serves every pod. */
const bindings = new WeakMap<AnyActorRef, Binding>();
/**
 * The one provided pod machine, made at the first pod: everything per node (its runtime, its
 * clock, its output) is in the actor's binding. A machine per node cost each node 26 KB of heap
 * when made (130 MB at 5,000 nodes), more once its caches filled, for as long as the node lived,
 * and a quarter to half a millisecond to build.
 */
let machine: PodMachine | undefined;

function podMachineProvided(): PodMachine {
  return (machine ??= shareEmptyTags(podMachine.provide({
    actions: {
      runCommands: runCommands((self) => bindings.get(self as unknown as AnyActorRef)),
      report: ({ self }, p) => {
        const b = bindings.get(self);
        if (!b) return;
        for (const e of p.events) b.output.onEvent(e, b.source);
        if (p.status) b.output.onStatus(p.status);
      },
      emitTerminated: ({ self }) => {
        bindings.get(self)?.output.onTerminated();
        // Stopping inside our own transition is not allowed; do it right after.
        queueMicrotask(() => self.stop?.());
      },
    },
  })));
}

/**
 * Starts one root pod actor: the pod chart with its effects bound to `runtime`, its
 * timers on `clock`, and its reports to `output`. The actor stops itself once it has
 * reported `onTerminated`.
 */
export function startPodActor(o: PodActorOptions): PodActor {
  const input = { pod: o.pod, now: o.clock.now(), hostIP: o.hostIP, runtime: o.runtime.name, ...(o.podIP ? { podIP: o.podIP } : {}) };
  const address = podAddress(o.pod.metadata?.uid ?? '');
  const inspect = o.observe?.(address, { machine: 'pod', input, effects: POD_EFFECTS });
  // Its own clock view: the chart's timers are the pod's, not its kubelet's, in a recording.
  const actor = createActor(podMachineProvided(), { input, clock: ownedClock(o.clock, address), ...(inspect ? { inspect } : {}) });
  // XState's per-root system is a quarter of a running pod actor's heap; the pod uses its scheduler and inspection only.
  lightenSystem(actor, inspect);
  bindings.set(actor, { runtime: o.runtime, clock: o.clock, output: o.output, source: sourceOf(o.nodeName) });
  if (o.hooks) setPodHooks(o.pod, o.hooks);
  actor.start();
  releaseStartQueue(actor);
  return new LivePodActor(actor, o.clock);
}

/** A class, not an object of closures: the kubelet holds one per pod, and its methods live once on the prototype. */
class LivePodActor implements PodActor {
  constructor(
    readonly actor: Actor<PodMachine>,
    private readonly clock: Clock,
  ) {}

  delete(gracePeriodSeconds?: number): void {
    this.actor.send({ type: 'delete', at: this.clock.now(), ...(gracePeriodSeconds === undefined ? {} : { gracePeriodSeconds }) });
  }

  evict(message: string): void {
    this.actor.send({ type: 'evict', at: this.clock.now(), message });
  }

  stop(): void {
    this.actor.stop();
  }
}
