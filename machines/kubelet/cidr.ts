/**
 * IPv4 ranges for the node's network: carving per-node pod ranges out of the cluster CIDR
 * (the node IPAM controller's job) and handing out pod IPs inside a node's range (the CNI
 * host-local plugin's job). Pure arithmetic; deterministic (no random start).
 */
import { formatCidr, formatIp, parseCidr, parseIp, type Cidr } from '../../api/ipv4.ts';

export { formatCidr, formatIp, parseCidr, parseIp, type Cidr };

/** The `index`-th subnet of size /`maskBits` inside `cluster` (null past the end). */
export function subnet(cluster: Cidr, maskBits: number, index: number): string | null {
  if (maskBits < cluster.bits || maskBits > 32) throw new Error(`a /${maskBits} does not fit in a /${cluster.bits}`);
  const size = 2 ** (32 - maskBits);
  if (index < 0 || index >= cluster.size / size) return null;
  return formatCidr({ base: cluster.base + index * size, bits: maskBits, size });
}

/** Which subnet of `cluster` a per-node range is (null when it is not one of them). */
export function subnetIndex(cluster: Cidr, maskBits: number, cidr: string): number | null {
  let c: Cidr;
  try {
    c = parseCidr(cidr);
  } catch {
    return null;
  }
  if (c.bits !== maskBits || c.base < cluster.base || c.base >= cluster.base + cluster.size) return null;
  return (c.base - cluster.base) / c.size;
}

/**
 * The pod IPs of one node's range. The network address, the first host (the node's
 * bridge/gateway, as kindnet and flannel keep `.1`) and the broadcast address are never
 * handed out. Allocation goes round-robin from the last one given, like host-local, so
 * a freed IP is not reused at once.
 */
export class Ipv4Range {
  readonly #used = new Set<number>();
  readonly #first: number;
  readonly #count: number;
  #cursor = 0;

  constructor(readonly cidr: string) {
    const c = parseCidr(cidr);
    this.#first = c.base + 2;
    this.#count = Math.max(0, c.size - 3);
  }

  get free(): number {
    return this.#count - this.#used.size;
  }

  /** The next free IP, or null when the range is exhausted. */
  allocate(): string | null {
    for (let i = 0; i < this.#count; i++) {
      const off = (this.#cursor + i) % this.#count;
      const n = this.#first + off;
      if (this.#used.has(n)) continue;
      this.#used.add(n);
      this.#cursor = (off + 1) % this.#count;
      return formatIp(n);
    }
    return null;
  }

  /** Marks an IP taken (a pod found running with it); false when outside the range or taken. */
  claim(ip: string): boolean {
    const n = parseIp(ip);
    if (n === null || n < this.#first || n >= this.#first + this.#count || this.#used.has(n)) return false;
    this.#used.add(n);
    return true;
  }

  release(ip: string): void {
    const n = parseIp(ip);
    if (n !== null) this.#used.delete(n);
  }
}
