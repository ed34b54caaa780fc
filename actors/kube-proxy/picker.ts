/**
 * Which endpoint a new connection of a Service port goes to: round-robin over the usable
 * endpoints, or with sessionAffinity ClientIP the endpoint the client had, while it is still
 * usable and the client came back within the timeout (the iptables proxier's `recent` match:
 * each connection renews it). Time comes from the actor's clock, so the timeout runs in
 * virtual time in specs.
 */
import type { Clock } from '../../base/clock.ts';
import type { ListenerRule, ProxyEndpoint } from '../../machines/kube-proxy/rules.ts';

interface PortState {
  next: number;
  /** Client IP → the endpoint (ip:port) it sticks to and when it last connected. */
  affinity: Map<string, { endpoint: string; at: number }>;
}

const epKey = (e: ProxyEndpoint): string => `${e.ip}:${e.port}`;

export class EndpointPicker {
  readonly #ports = new Map<string, PortState>();
  constructor(private readonly clock: Pick<Clock, 'now'>) {}

  /** The endpoint for a connection from `client`, after `tried` endpoints refused it; undefined when none is left. */
  pick(rule: ListenerRule, client: string, tried: number): ProxyEndpoint | undefined {
    const eps = rule.endpoints;
    if (tried >= eps.length) return undefined;
    let st = this.#ports.get(rule.servicePort);
    if (!st) this.#ports.set(rule.servicePort, (st = { next: 0, affinity: new Map() }));
    const now = this.clock.now();
    if (rule.affinitySeconds !== undefined && tried === 0) {
      const had = st.affinity.get(client);
      const ep = had && now - had.at <= rule.affinitySeconds * 1000 ? eps.find((e) => epKey(e) === had.endpoint) : undefined;
      if (ep) {
        had!.at = now;
        return ep;
      }
    }
    const ep = eps[st.next++ % eps.length]!;
    if (rule.affinitySeconds !== undefined) st.affinity.set(client, { endpoint: epKey(ep), at: now });
    return ep;
  }

  /** Forgets the state of Service ports no longer served. */
  retain(servicePorts: ReadonlySet<string>): void {
    for (const k of this.#ports.keys()) if (!servicePorts.has(k)) this.#ports.delete(k);
  }
}
