/**
 * kube-proxy of one node at `proxy.<node>`, started with the node's kubelet (it runs with
 * the node's credentials: bus identity node-<name>, the system:node-proxier rules). It owns
 * a shared informer factory (actors/informers/) on its own port — Services, EndpointSlices
 * and Nodes, as kube-proxy's own informers — whose changes reach the chart
 * (machines/kube-proxy/chart.ts) batched, as `proxy.objects`; the chart's `apply` runs the
 * proxier (sockets) and reports back `proxy.applied`. /healthz listens on the node's IP.
 */
import type { AnyActorRef } from 'xstate';
import type { Node, Service } from 'kubernetes-types/core/v1.js';
import type { EndpointSlice } from 'kubernetes-types/discovery/v1.js';
import type { Server } from 'node:http';
import type { Envelope } from '../../base/envelope.ts';
import { kubeProxyChart, type KubeProxyContext, type KubeProxyEvent } from '../../machines/kube-proxy/chart.ts';
import { HEALTHZ_PORT } from '../../machines/kube-proxy/rules.ts';
import type { ActorContext, ActorDef } from '../actor-def.ts';
import { targets } from '../client/index.ts';
import { SharedInformerFactory, type SharedInformer } from '../informers/index.ts';
import type { Indexable } from '../informers/indexer.ts';
import { serveHealthz } from './healthz.ts';
import { clientPort, limitsOf, type ClientLimits } from '../client/index.ts';
import { Proxier, type ProxierLike } from './proxier.ts';

export interface KubeProxyOptions {
  nodeName: string;
  /** The node's InternalIP: its NodePorts and /healthz listen there. */
  nodeIP: string;
  /** kube-proxy's --healthz-bind-address port (default 10256; 0 serves no healthz). */
  healthzPort?: number;
  /** Where to keep the node's connect table for its process pods (connect-table.ts); none by default. */
  connectTable?: string;
  /** KubeProxyConfiguration clientConnection: its client's qps and burst (default 5 and 10). */
  clientConnection?: Partial<ClientLimits>;
}

export const kubeProxyAddress = (nodeName: string): string => `proxy.${nodeName}`;

/** What a running kube-proxy lets its starter read (specs, `up`). */
export interface KubeProxyHandle {
  /** The listeners open now (`ip:PROTO/port`). */
  listening(): string[];
  context(): KubeProxyContext | undefined;
}

/** What a replay swaps out: the proxier (no sockets) and the healthz server. */
export interface KubeProxyEffects {
  proxier?: () => ProxierLike;
  healthz?: boolean;
}

export function kubeProxyActor(o: KubeProxyOptions, refOf: () => AnyActorRef | undefined, onHandle?: (h: KubeProxyHandle) => void, effects: KubeProxyEffects = {}): ActorDef {
  const factory = new SharedInformerFactory();
  const services = factory.informer<Service & Indexable>({ target: targets.services() });
  const slices = factory.informer<EndpointSlice & Indexable>({ target: targets.endpointslices() });
  const nodes = factory.informer<Node & Indexable>({ target: targets.nodes() });
  const send = (e: KubeProxyEvent): void => void refOf()?.send(e);
  let live: { proxier: ProxierLike; healthz?: Promise<Server | undefined>; unsubscribe: () => void } | undefined;

  function stopLive(): void {
    if (!live) return;
    live.unsubscribe();
    live.proxier.close();
    void live.healthz?.then((s) => s?.close());
    live = undefined;
  }

  return {
    address: kubeProxyAddress(o.nodeName),
    config: o,
    create(ctx: ActorContext) {
      stopLive();
      const proxier = effects.proxier?.() ?? new Proxier(o.nodeIP, ctx.clock, ctx.log, o.connectTable);
      let pending = false;
      // Many watch events arrive in one delivery: the chart hears of them once, after it.
      const changed = (): void => {
        if (pending) return;
        pending = true;
        queueMicrotask(() => {
          pending = false;
          if (live?.proxier !== proxier) return;
          const synced = services.hasSynced() && slices.hasSynced() && nodes.hasSynced();
          send({ type: 'proxy.objects', synced, services: services.list(), slices: slices.list(), nodes: nodes.list() });
        });
      };
      const handlers = { add: changed, update: changed, delete: changed };
      const subs = [services.subscribe(handlers), slices.subscribe(handlers), nodes.subscribe(handlers)];
      live = { proxier, unsubscribe: () => subs.forEach((u) => u()) };
      const port = o.healthzPort ?? HEALTHZ_PORT;
      if (port > 0 && effects.healthz !== false) {
        live.healthz = serveHealthz(o.nodeIP, port, ctx.clock, () => proxier.lastSync).catch((err: Error) => {
          ctx.log.warn('kube-proxy: healthz cannot listen', { address: `${o.nodeIP}:${port}`, error: err.message });
          return undefined;
        });
      }
      onHandle?.({ listening: () => proxier.listening(), context: () => refOf()?.getSnapshot().context as KubeProxyContext | undefined });
      const machine = kubeProxyChart.provide({
        actions: {
          apply: ({ context }) => proxier.apply(context.rules),
        },
      });
      return { machine, input: { nodeName: o.nodeName, nodeIP: o.nodeIP } };
    },
    onStart(ctx: ActorContext) {
      factory.start(clientPort(ctx, limitsOf('kube-proxy', o.clientConnection)), ctx.clock, ctx.log);
      // An informer that had synced before a restart calls no handler: the chart hears of its cache now.
      if (services.hasSynced() && slices.hasSynced() && nodes.hasSynced()) {
        send({ type: 'proxy.objects', synced: true, services: services.list(), slices: slices.list(), nodes: nodes.list() });
      }
    },
    onStop() {
      factory.stop();
      stopLive();
    },
    toEvent(env: Envelope) {
      factory.handle(env);
      return null;
    },
  };
}
