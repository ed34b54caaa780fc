/**
 * Addresses for simulated nodes: each node index gets an InternalIP on loopback and a pod
 * range carved from the cluster CIDR.
 *
 * Decision (pod ranges): Kubernetes' node IPAM controller (kube-controller-manager with
 * --allocate-node-cidrs) patches spec.podCIDR after a Node registers. Here the process
 * that starts the nodes allocates instead, through this pool, and each kubelet registers
 * its Node with the range already set (or, adopting a Node that has one, keeps that).
 * One pool per process sees every node it starts; it is seeded from the Nodes already
 * in the apiserver (one list), so a second `kubeactor node --count K` does not collide
 * with the first, and a name that already has a Node gets that Node's pair back
 * (`forNode`): a restarted node keeps its InternalIP and pod range, as a kubelet keeps
 * its Node across restarts. Concurrent pools in several processes could collide; a controller
 * allocating after registration is the way out if that ever matters (the kubelet already
 * picks up a range set later, see KubeletOptions.podCIDR).
 */
import type { Node } from 'kubernetes-types/core/v1.js';
import { formatIp, parseCidr, parseIp, subnet, subnetIndex, type Cidr } from '../../machines/kubelet/cidr.ts';

/**
 * Kubernetes' usual 10.244.0.0/16, moved into loopback: process pods bind their pod IP on
 * this host, and every 127.0.0.0/8 address is the loopback interface's on Linux. Node
 * InternalIPs count up from 127.0.1.1, far below it.
 */
export const DEFAULT_CLUSTER_CIDR = '127.244.0.0/16';
export const DEFAULT_NODE_MASK = 24;
/**
 * Node InternalIPs come from a /16 on loopback, from its x.x.1.1 up (x.x.0.x stays free for
 * the control plane's own listeners): 65,277 nodes. The default 127.0.0.0/16 gives 127.0.1.1,
 * 127.0.1.2, …; a second cluster on the host claims the next /16 (actors/address-claims.ts),
 * so their NodePorts do not collide.
 */
export const DEFAULT_NODE_RANGE = '127.0.0.0/16';

export interface NodeAddresses {
  hostIP: string;
  podCIDR: string;
}

export class NodeAddressPool {
  readonly #cluster: Cidr;
  readonly #usedIndex = new Set<number>();
  readonly #usedHost = new Set<number>();
  readonly #known = new Map<string, Partial<NodeAddresses>>();
  readonly #hostBase: number;
  readonly #hostCount: number;
  #nextIndex = 0;
  #nextHost = 0;

  constructor(readonly clusterCIDR: string = DEFAULT_CLUSTER_CIDR, readonly nodeMaskBits: number = DEFAULT_NODE_MASK, readonly nodeRange: string = DEFAULT_NODE_RANGE) {
    this.#cluster = parseCidr(clusterCIDR);
    const hosts = parseCidr(nodeRange);
    this.#hostBase = hosts.base + 256 + 1;
    this.#hostCount = hosts.size - 256 - 2;
    if (this.#hostCount < 1) throw new Error(`node range ${nodeRange} is too small (use a /16)`);
    if (nodeMaskBits < this.#cluster.bits || nodeMaskBits > 30) throw new Error(`node mask /${nodeMaskBits} does not fit the cluster CIDR ${clusterCIDR}`);
  }

  /** How many node ranges the cluster CIDR holds (256 for a /16 cut in /24s). */
  get capacity(): number {
    return 2 ** (this.nodeMaskBits - this.#cluster.bits);
  }

  /** Marks what existing Nodes hold (their pod range and InternalIP) and remembers it by name. */
  seed(nodes: readonly Node[]): void {
    for (const n of nodes) {
      const podCIDR = n.spec?.podCIDR;
      const i = podCIDR ? subnetIndex(this.#cluster, this.nodeMaskBits, podCIDR) : null;
      if (i !== null) this.#usedIndex.add(i);
      const hostIP = n.status?.addresses?.find((a) => a.type === 'InternalIP')?.address;
      const h = hostIP ? this.#hostOffset(hostIP) : null;
      if (h !== null) this.#usedHost.add(h);
      const name = n.metadata?.name;
      if (name) this.#known.set(name, { ...(hostIP ? { hostIP } : {}), ...(podCIDR ? { podCIDR } : {}) });
    }
  }

  /**
   * The pair of the node `name`: what its seeded Node holds, the next free value for what
   * it lacks (a Node registered before an allocator set its range keeps its IP and gets one).
   */
  forNode(name: string): NodeAddresses {
    const known = this.#known.get(name);
    return { hostIP: known?.hostIP ?? this.#nextHostIP(), podCIDR: known?.podCIDR ?? this.#nextPodCIDR() };
  }

  /** The next free pair; throws when the cluster CIDR is exhausted (pass a wider one, e.g. 10.0.0.0/8 for 65536 nodes). */
  next(): NodeAddresses {
    const podCIDR = this.#nextPodCIDR();
    return { hostIP: this.#nextHostIP(), podCIDR };
  }

  #nextPodCIDR(): string {
    while (this.#usedIndex.has(this.#nextIndex)) this.#nextIndex++;
    const podCIDR = subnet(this.#cluster, this.nodeMaskBits, this.#nextIndex);
    if (podCIDR === null) {
      throw new Error(`cluster CIDR ${this.clusterCIDR} has no /${this.nodeMaskBits} left (it holds ${this.capacity} nodes); pass a wider clusterCIDR`);
    }
    this.#usedIndex.add(this.#nextIndex);
    return podCIDR;
  }

  #nextHostIP(): string {
    while (this.#usedHost.has(this.#nextHost)) this.#nextHost++;
    if (this.#nextHost >= this.#hostCount) throw new Error(`no address left for another node in ${this.nodeRange}`);
    this.#usedHost.add(this.#nextHost);
    return formatIp(this.#hostBase + this.#nextHost);
  }

  #hostOffset(ip: string): number | null {
    const addr = parseIp(ip);
    if (addr === null) return null;
    const n = addr - this.#hostBase;
    return n >= 0 && n < this.#hostCount ? n : null;
  }
}
