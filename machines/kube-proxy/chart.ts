import type { Node, Service } from 'kubernetes-types/core/v1.js';
import type { EndpointSlice } from 'kubernetes-types/discovery/v1.js';
import { assertEvent, assign, setup } from 'xstate';
import { proxyRules, type ProxyRules } from './rules.ts';

/** How long a listener that could not open (address in use, a port below 1024 without privilege) waits before the next try. */
export const BIND_RETRY_MS = 5000;

export interface KubeProxyInput {
  nodeName: string;
  nodeIP: string;
}

export interface KubeProxyContext extends KubeProxyInput {
  rules: ProxyRules;
  /** The listeners the proxier could not open at its last sync, by key, with why. */
  failed: Record<string, string>;
  /** How many times the rules were applied (kube-proxy's sync count). */
  syncs: number;
}

export type KubeProxyEvent =
  /** The informers' caches changed (batched): everything the rules are computed from. */
  | { type: 'proxy.objects'; synced: boolean; services: Service[]; slices: EndpointSlice[]; nodes: Node[] }
  /** The proxier applied the rules; the listeners that failed to open. */
  | { type: 'proxy.applied'; failed: Record<string, string> };

/**
 * One node's kube-proxy. `syncing` until the Service, EndpointSlice and Node informers have
 * listed (kube-proxy waits for its caches before the first sync, so it never closes a
 * listener it merely has not heard of yet); then `proxying`: every change recomputes the
 * rules (rules.ts) and the proxier applies them. A sync that left listeners unopened waits
 * BIND_RETRY_MS in `retrying` and applies again, as kube-proxy's periodic sync would.
 */
export const kubeProxyChart = setup({
  types: { context: {} as KubeProxyContext, events: {} as KubeProxyEvent, input: {} as KubeProxyInput },
  actions: {
    compute: assign(({ context, event }) => {
      assertEvent(event, 'proxy.objects');
      return { rules: proxyRules({ nodeName: context.nodeName, nodeIP: context.nodeIP, services: event.services, slices: event.slices, nodes: event.nodes }) };
    }),
    recordApplied: assign(({ context, event }) => {
      assertEvent(event, 'proxy.applied');
      return { failed: event.failed, syncs: context.syncs + 1 };
    }),
    /** Provided by the actor: open and close listeners to match `context.rules`, then report `proxy.applied`. */
    apply: () => {},
  },
  guards: {
    synced: ({ event }) => event.type === 'proxy.objects' && event.synced,
    failedSome: ({ event }) => event.type === 'proxy.applied' && Object.keys(event.failed).length > 0,
  },
  delays: { retry: BIND_RETRY_MS },
}).createMachine({
  id: 'kube-proxy',
  context: ({ input }) => ({ ...input, rules: { ownsClusterIPs: false, listeners: [], healthChecks: [] }, failed: {}, syncs: 0 }),
  initial: 'syncing',
  states: {
    syncing: {
      on: { 'proxy.objects': { guard: 'synced', target: 'proxying', actions: ['compute', 'apply'] } },
    },
    proxying: {
      initial: 'applied',
      on: {
        'proxy.objects': { actions: ['compute', 'apply'] },
        'proxy.applied': [
          // Re-entered: each failed sync waits a full retry delay again.
          { guard: 'failedSome', target: '.retrying', reenter: true, actions: 'recordApplied' },
          { target: '.applied', actions: 'recordApplied' },
        ],
      },
      states: {
        applied: {},
        retrying: { after: { retry: { actions: 'apply' } } },
      },
    },
  },
});
