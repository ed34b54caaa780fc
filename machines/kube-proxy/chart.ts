import type { Node, Service } from 'kubernetes-types/core/v1.js';
import type { EndpointSlice } from 'kubernetes-types/discovery/v1.js';
import { assertEvent, assign, setup } from 'xstate';
import { proxyRules, type ProxyRules } from './rules.ts';

export interface KubeProxyInput {
  nodeName: string;
  nodeIP: string;
}

export interface KubeProxyContext extends KubeProxyInput {
  /** What this node serves now: the listeners, their endpoints, the health checks. */
  rules: ProxyRules;
}

export type KubeProxyEvent =
  /** The informers' caches changed (batched): everything the rules are computed from. */
  { type: 'proxy.objects'; synced: boolean; services: Service[]; slices: EndpointSlice[]; nodes: Node[] };

/**
 * One node's kube-proxy. `syncing` until the Service, EndpointSlice and Node informers have
 * listed (kube-proxy waits for its caches before the first sync, so it never closes a
 * listener it merely has not heard of yet); then `proxying`: every change recomputes the
 * rules (rules.ts) and `apply` hands them to the proxier, which opens and closes sockets
 * (and retries a listener that could not open: that is the socket's business, not a
 * decision, so it stays out of the chart and out of a replay).
 */
export const kubeProxyChart = setup({
  types: { context: {} as KubeProxyContext, events: {} as KubeProxyEvent, input: {} as KubeProxyInput },
  actions: {
    compute: assign(({ context, event }) => {
      assertEvent(event, 'proxy.objects');
      return { rules: proxyRules({ nodeName: context.nodeName, nodeIP: context.nodeIP, services: event.services, slices: event.slices, nodes: event.nodes }) };
    }),
    /** Provided by the actor: open and close listeners to match `context.rules`. */
    apply: () => {},
  },
  guards: {
    synced: ({ event }) => event.synced,
  },
}).createMachine({
  id: 'kube-proxy',
  context: ({ input }) => ({ ...input, rules: { ownsClusterIPs: false, listeners: [], connect: [], healthChecks: [] } }),
  initial: 'syncing',
  states: {
    syncing: {
      on: { 'proxy.objects': { guard: 'synced', target: 'proxying', actions: ['compute', 'apply'] } },
    },
    proxying: {
      on: { 'proxy.objects': { actions: ['compute', 'apply'] } },
    },
  },
});
