/**
 * The local provider's load balancers, as k3s's servicelb or MetalLB in layer-2 mode give
 * them: for each LoadBalancer Service, listeners on its EXTERNAL-IP at the Service's ports
 * that forward each connection (TCP) or client flow (UDP) to a node's InternalIP at the
 * port's nodePort, where kube-proxy takes over. Nodes are taken in turn; one that refuses is
 * skipped for the next, as a cloud balancer's health check would. `loadBalancerSourceRanges`
 * (or the service.beta.kubernetes.io/load-balancer-source-ranges annotation) is enforced at
 * accept: other clients are cut off at once.
 *
 * The backends are read at each new connection, so a node that joins, leaves or (with
 * externalTrafficPolicy Local) loses its last ready endpoint changes where the next
 * connection goes without touching the listeners; existing connections finish.
 */
import { clientAddress, listenTcp, listenUdp, type ForwardPolicy, type Listener } from '../../net/forward.ts';
import { parseCidr, parseIp, type Cidr } from '../../../api/ipv4.ts';

/** One listener: a Service port and the nodePort it forwards to. */
export interface BalancedPort {
  protocol: 'TCP' | 'UDP';
  port: number;
  nodePort: number;
}

export interface BalancerSpec {
  ip: string;
  ports: readonly BalancedPort[];
  /** Client ranges allowed in (empty: everyone). */
  sourceRanges: readonly string[];
  /** The node IPs that may take a new connection now, in no particular order. */
  backends(): readonly string[];
}

interface Balancer {
  spec: BalancerSpec;
  /** Read at each accept: a change of source ranges needs no new listener. */
  ranges: Cidr[];
  listeners: Map<string, Listener>;
  next: number;
}

const listenerKey = (ip: string, p: BalancedPort): string => `${ip}:${p.protocol}/${p.port}->${p.nodePort}`;

function inRanges(ranges: readonly Cidr[], address: string): boolean {
  if (ranges.length === 0) return true;
  const ip = parseIp(clientAddress(address));
  return ip !== null && ranges.some((r) => ip >= r.base && ip < r.base + r.size);
}

/** The load balancers of one cloud-service controller, by Service key. */
export class LoadBalancers {
  readonly #byService = new Map<string, Balancer>();

  /**
   * Makes the Service's listeners match `spec` (opening new ports, closing dropped ones).
   * Resolves to the failures, one message per port that could not listen (empty when all do).
   */
  async ensure(key: string, spec: BalancerSpec): Promise<string[]> {
    const b = this.#byService.get(key) ?? { spec, ranges: [], listeners: new Map<string, Listener>(), next: 0 };
    b.spec = spec;
    b.ranges = spec.sourceRanges.map((r) => parseCidr(r.trim()));
    this.#byService.set(key, b);
    const wanted = new Map(spec.ports.map((p) => [listenerKey(spec.ip, p), p]));
    for (const [k, l] of b.listeners) {
      if (!wanted.has(k)) {
        l.close();
        b.listeners.delete(k);
      }
    }
    const failures: string[] = [];
    for (const [k, p] of wanted) {
      if (b.listeners.has(k)) continue;
      try {
        b.listeners.set(k, await (p.protocol === 'UDP' ? listenUdp : listenTcp)(spec.ip, p.port, policyOf(b, p)));
      } catch (err) {
        failures.push(`listen ${p.protocol} ${spec.ip}:${p.port}: ${(err as Error).message}`);
      }
    }
    return failures;
  }

  /** Closes the Service's listeners; connections in flight finish. */
  remove(key: string): void {
    const b = this.#byService.get(key);
    if (!b) return;
    for (const l of b.listeners.values()) l.close();
    this.#byService.delete(key);
  }

  /** The EXTERNAL-IP:port listeners open now (for status and specs). */
  listening(key: string): string[] {
    return [...(this.#byService.get(key)?.listeners.keys() ?? [])];
  }

  close(): void {
    for (const key of [...this.#byService.keys()]) this.remove(key);
  }
}

/** The policy of one listener: admit by source range, nodes in turn (one that refuses is skipped). */
function policyOf(b: Balancer, p: BalancedPort): ForwardPolicy {
  return {
    admit: (address) => inRanges(b.ranges, address),
    pick(_address, tried) {
      const nodes = b.spec.backends();
      if (nodes.length === 0 || tried >= nodes.length) return undefined;
      return { host: nodes[b.next++ % nodes.length]!, port: p.nodePort };
    },
  };
}
