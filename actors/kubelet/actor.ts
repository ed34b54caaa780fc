/**
 * The kubelet actor at `kubelet.<node>`: the chart in machines/kubelet/ with its effects
 * bound to one incarnation's NodeSync (Node, Lease, status), PodManager (pod actors,
 * status manager, events), LogServer and StreamServer (exec, attach, port-forward). A
 * restart builds them afresh: the new incarnation re-registers (adopting its Node), re-lists its pods and starts them again.
 */
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AnyActorRef } from 'xstate';
import type { Pod } from 'kubernetes-types/core/v1.js';
import type { Envelope } from '../../base/envelope.ts';
import type { ActorContext, ActorDef } from '../actor-def.ts';
import { EventRecorder } from '../events.ts';
import { kubeletMachine, type KubeletEffectEvent } from '../../machines/kubelet/chart.ts';
import { DEFAULT_LEASE_DURATION_SECONDS, DEFAULT_REPORT_FREQUENCY_MS, nodeFacts, type KubeletOptions } from './config.ts';
import { portGate, type PortGate } from './gated-port.ts';
import { LogServer } from './logs.ts';
import { NodeSync } from './node-sync.ts';
import { PodManager, type PodManagerOptions } from './pods.ts';
import { StreamServer } from './streams.ts';
import { StatsServer } from './stats.ts';
import { STREAM_EVENTS } from '../../machines/kubelet/chart.ts';
import { RuntimeHandlers } from './runtimes.ts';
import { clientPort, clientThrottle, KUBELET_EVENT_LIMITS, limitsOf, throttledPort } from '../client/index.ts';

export const kubeletAddress = (nodeName: string): string => `kubelet.${nodeName}`;

/** What specs, benches and the CLI may look at in the running incarnation. */
export interface KubeletHandle {
  readonly nodeName: string;
  /** Pods with a live actor (or finishing their termination). */
  pods(): number;
  podCIDR(): string | undefined;
}

/** Messages the kubelet takes; anything else is dropped before it reaches the chart. */
const ACCEPTED = new Set<string>(['api.watch-events', 'api.watch-ended', 'kubelet.logs', 'kubelet.logs-stop', 'kubelet.stats', 'kubelet.stop', ...STREAM_EVENTS]);

const env = (e: unknown): Envelope => e as Envelope;

/** `<tmpdir>/kubeactor-kubelet`, read once: tmpdir() reads three environment variables, 17 µs a kubelet when 5,000 start. */
let root: string | undefined;
const defaultRoot = (): string => (root ??= join(tmpdir(), 'kubeactor-kubelet'));

/**
 * The ActorDef of one node's kubelet. `onHandle` receives each incarnation's handle.
 * Stop it with `host.stop(address)`: the pod actors are stopped, nothing is written.
 */
export function kubeletActor(opts: KubeletOptions, onHandle?: (h: KubeletHandle) => void, startPod?: PodManagerOptions['startPod']): ActorDef {
  let previous: { pods: PodManager; logs: LogServer; streams: StreamServer; gate: PortGate } | null = null;
  const facts = nodeFacts(opts);
  const runtimes = new RuntimeHandlers(opts.runtime, opts.handlers);
  return {
    address: kubeletAddress(opts.nodeName),
    config: kubeletConfig(opts),
    toEvent: (e) => (ACCEPTED.has(e.type) ? e : null),
    create(ctx: ActorContext) {
      previous?.pods.stop();
      previous?.logs.stop();
      previous?.streams.stop();
      previous?.gate.shut();
      // A new incarnation starts its pods afresh: the old one's processes end.
      if (previous) void runtimes.shutdown();
      // One client for every module of this kubelet (its bucket: kubeAPIQPS/kubeAPIBurst), and its Events' own (eventRecordQPS/eventBurst).
      const throttle = clientThrottle(ctx, limitsOf('kubelet', { ...(opts.kubeAPIQPS === undefined ? {} : { qps: opts.kubeAPIQPS }), ...(opts.kubeAPIBurst === undefined ? {} : { burst: opts.kubeAPIBurst }) }));
      // What this incarnation sends the apiserver; shut when it stops (portGate).
      const gate = portGate(ctx.port);
      const port = throttledPort(gate.port, throttle);
      const events = new EventRecorder({ port: clientPort({ ...ctx, port: gate.port }, KUBELET_EVENT_LIMITS), clock: ctx.clock, component: 'kubelet', host: opts.nodeName, enabled: opts.events !== false });
      const pods = new PodManager({
        port,
        // The same bucket, but no retry in between: the status manager's write continuations must
        // run as they did without a client (no promise hop), or a replay would interleave them
        // differently with the pods' reports; it retries a refused write itself, on its clock,
        // with the pod's latest status.
        statusPort: throttledPort(gate.port, throttle, { retry: false }),
        clock: ctx.clock,
        random: ctx.random,
        log: ctx.log,
        nodeName: opts.nodeName,
        hostIP: opts.hostIP,
        runtimes,
        events,
        volumes: {
          rootDir: opts.rootDir ?? join(defaultRoot(), opts.nodeName),
          allowedHostPaths: opts.allowedHostPaths ?? [],
          allocatable: facts.allocatable,
          ...opts.volumeTiming,
        },
        dns: { clusterDNS: opts.clusterDNS ?? [], clusterDomain: opts.clusterDomain ?? 'cluster.local', resolvConf: opts.resolvConf ?? '/etc/resolv.conf' },
        ...(ctx.observe ? { observe: ctx.observe } : {}),
        ...(startPod ? { startPod } : {}),
      });
      const node = new NodeSync({
        port,
        clock: ctx.clock,
        log: ctx.log,
        facts,
        leaseDurationSeconds: opts.leaseDurationSeconds ?? DEFAULT_LEASE_DURATION_SECONDS,
        reportFrequencyMs: opts.reportFrequencyMs ?? DEFAULT_REPORT_FREQUENCY_MS,
        events: opts.nodeEvents === false || opts.events === false ? null : events,
        onPodCIDR: (cidr) => pods.setPodCIDR(cidr),
      });
      const runtimeOf = (pod: Pod) => pods.runtimeOf(pod);
      const find = (ns: string, name: string, uid?: string) => pods.find(ns, name, uid);
      const logs = new LogServer({ port: ctx.port, clock: ctx.clock, log: ctx.log, runtimeOf, find });
      const streams = new StreamServer({ port: ctx.port, log: ctx.log, runtimeOf, find });
      const stats = new StatsServer({ port: ctx.port, clock: ctx.clock, nodeName: opts.nodeName, started: () => pods.started() });
      previous = { pods, logs, streams, gate };
      onHandle?.({ nodeName: opts.nodeName, pods: () => pods.size, podCIDR: () => node.podCIDR });
      const fx: KubeletEffects = {
        startPods: () => {
          pods.start();
          node.start();
        },
        stopPods: () => {
          pods.stop();
          node.stop();
          logs.stop();
          streams.stop();
          // After the informers' unwatch: what is still on its way from this incarnation is not sent.
          gate.shut();
          // The pod actors stopped without tearing down: their processes end here.
          void runtimes.shutdown();
        },
        onWatch: (e) => {
          if (!pods.handle(e)) node.handle(e);
        },
        onLogs: (e) => logs.handle(e),
        onStreams: (e) => streams.handle(e),
        onStats: (e) => stats.handle(e),
        register: () => node.register(),
        renewLease: () => node.renewLease(),
        syncNodeStatus: () => node.syncStatus(),
      };
      return { machine: sharedMachine(), input: { ...(opts.timing ? { timing: opts.timing } : {}) }, bind: (actor) => void bound.set(actor, fx) };
    },
  };
}

/** One incarnation's effects: what the shared machine's actions do for the actor bound to them. */
interface KubeletEffects {
  startPods(): void;
  stopPods(): void;
  onWatch(e: Envelope): void;
  onLogs(e: Envelope): void;
  onStreams(e: Envelope): void;
  onStats(e: Envelope): void;
  register(): Promise<void>;
  renewLease(): Promise<void>;
  syncNodeStatus(): Promise<void>;
}

/** Each kubelet actor's effects, bound before it starts. */
const bound = new WeakMap<AnyActorRef, KubeletEffects>();

/**
 * The kubelet chart with its actions provided once for every kubelet of the process: each
 * finds its incarnation's effects by `self`. A machine provided per kubelet was 22 KB of heap
 * when made and 27 KB once its caches filled, for as long as the node lived (an idle 5,000-node
 * cluster: 433 MB of heap, 297 MB with one machine), and 0.18 ms to build.
 */
let shared: ReturnType<typeof kubeletMachine.provide> | undefined;
function sharedMachine(): ReturnType<typeof kubeletMachine.provide> {
  return (shared ??= kubeletMachine.provide({
    actions: {
      startPods: ({ self }) => bound.get(self)?.startPods(),
      stopPods: ({ self }) => bound.get(self)?.stopPods(),
      onWatch: ({ self }, p) => bound.get(self)?.onWatch(env(p.event)),
      onLogs: ({ self }, p) => bound.get(self)?.onLogs(env(p.event)),
      onStreams: ({ self }, p) => bound.get(self)?.onStreams(env(p.event)),
      onStats: ({ self }, p) => bound.get(self)?.onStats(env(p.event)),
      register: effect((fx) => fx.register(), 'kubelet.registered', 'kubelet.register-failed'),
      renewLease: effect((fx) => fx.renewLease(), 'kubelet.lease-renewed', 'kubelet.lease-failed'),
      syncNodeStatus: effect((fx) => fx.syncNodeStatus(), 'kubelet.status-synced', 'kubelet.status-failed'),
    },
  }));
}

type Failed = Extract<KubeletEffectEvent, { error: string }>['type'];
type Ended = Exclude<KubeletEffectEvent['type'], Failed>;

/** Runs one of the chart's effects and sends it how it ended (nothing once the kubelet has stopped). */
function effect(run: (fx: KubeletEffects) => Promise<void>, done: Ended, failed: Failed) {
  const tell = (self: AnyActorRef, ev: KubeletEffectEvent): void => {
    if (self.getSnapshot().status === 'active') self.send(ev);
  };
  return ({ self }: { self: AnyActorRef }): void => {
    const fx = bound.get(self);
    if (!fx) return;
    run(fx).then(
      () => tell(self, { type: done }),
      (e: unknown) => tell(self, { type: failed, error: e instanceof Error ? e.message : String(e) }),
    );
  };
}

/** What a recording logs about a kubelet: its options, with its runtimes by name (the default and the other handlers). */
export type KubeletConfig = Omit<KubeletOptions, 'runtime' | 'handlers'> & { runtime: string; handlers?: string[] };

function kubeletConfig(opts: KubeletOptions): KubeletConfig {
  const { handlers, ...rest } = opts;
  return { ...rest, runtime: opts.runtime.name, ...(handlers ? { handlers: Object.keys(handlers).sort() } : {}) };
}
